"""Senders of outbox messages: WhatsApp Cloud API (templates, and free text for replies) or a generic SMS gateway.

The standard library's http.client with a timeout: one POST per message, no client library. A sender raises SendError; `permanent`
says whether trying again can help (a refused recipient or template: no; a 5xx, 429, timeout or refused
connection: yes).
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from dataclasses import dataclass
from typing import Any

REPLY_TEMPLATE = "pandawa_reply"  # a free-text answer to a citizen's WhatsApp message (params: {"body": ...})

# Body parameters of each approved WhatsApp template, in their {{1}}, {{2}}… order.
TEMPLATE_PARAMS = {
    "parcel_out_for_delivery": ("name", "tracking_code"),
    "parcel_out_for_delivery_code": ("name", "tracking_code", "delivery_code"),
    "parcel_delivered": ("name", "tracking_code"),
    "parcel_failed": ("name", "tracking_code", "reason"),
    "parcel_returned": ("name", "tracking_code"),
}

# The same messages as plain text, for SMS.
TEXTS = {
    "parcel_out_for_delivery": "Yth. {name}, dokumen kependudukan Anda (kiriman {tracking_code}) sedang diantar "
                               "kurir. Pastikan ada penerima di rumah.",
    "parcel_out_for_delivery_code": "Yth. {name}, dokumen kependudukan Anda (kiriman {tracking_code}) sedang diantar "
                                    "kurir. Kode serah terima: {delivery_code}. Sebutkan kode ini kepada kurir "
                                    "hanya saat dokumen sudah di tangan Anda.",
    "parcel_delivered": "Yth. {name}, kiriman {tracking_code} sudah diterima. Terima kasih.",
    "parcel_failed": "Yth. {name}, kiriman {tracking_code} gagal diantar ({reason}). Kurir akan mencoba lagi atau "
                     "mengembalikannya ke Dinas.",
    "parcel_returned": "Yth. {name}, kiriman {tracking_code} sudah kembali di Dinas. Ambil di loket dengan membawa "
                       "KTP-el atau KK asli.",
    REPLY_TEMPLATE: "{body}",
}


class SendError(Exception):
    """The message did not go out; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Outgoing:
    """What a sender needs of an outbox row."""

    recipient: str  # E.164, +628…
    template: str
    params: dict[str, Any]


def template_name(message: Outgoing) -> str:
    """The template to send: the out-for-delivery message carries the delivery code in a template of its own."""
    if message.template == "parcel_out_for_delivery" and message.params.get("delivery_code"):
        return "parcel_out_for_delivery_code"
    return message.template


def render_text(message: Outgoing) -> str:
    """The message as plain Indonesian text."""
    values = {key: "" if value is None else str(value) for key, value in message.params.items()}
    return TEXTS[template_name(message)].format_map(_Blank(values))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """POST a JSON body; the decoded answer, or SendError saying whether a retry may help.

    http.client rather than urlopen, so the connection is closed on every path (a timeout included).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SendError("gateway URL is not http(s)", permanent=True)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)  # HTTPS verifies certificates
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        status, raw = response.status, response.read()
    except (TimeoutError, socket.timeout):
        raise SendError(f"timeout after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as error:
        raise SendError(f"connection failed: {error.__class__.__name__}") from None
    finally:
        connection.close()
    if status >= 300:
        retry = status >= 500 or status in (408, 429)
        raise SendError(f"HTTP {status}", permanent=not retry)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


class WhatsAppSender:
    """WhatsApp Cloud API: approved templates for notifications, free text for replies within the 24-hour window."""

    def __init__(self, base_url: str, access_token: str | None, phone_number_id: str | None, language: str,
                 timeout: float):
        self.base_url, self.access_token, self.phone_number_id = base_url.rstrip("/"), access_token, phone_number_id
        self.language, self.timeout = language, timeout

    def payload(self, message: Outgoing) -> dict[str, Any]:
        to = message.recipient.removeprefix("+")
        if message.template == REPLY_TEMPLATE:
            return {"messaging_product": "whatsapp", "to": to, "type": "text",
                    "text": {"preview_url": False, "body": message.params.get("body", "")}}
        name = template_name(message)
        if name not in TEMPLATE_PARAMS:
            raise SendError(f"unknown template {name}", permanent=True)
        parameters = [{"type": "text", "text": str(message.params.get(key) or "-")} for key in TEMPLATE_PARAMS[name]]
        return {"messaging_product": "whatsapp", "to": to, "type": "template",
                "template": {"name": name, "language": {"code": self.language},
                             "components": [{"type": "body", "parameters": parameters}]}}

    def send(self, message: Outgoing) -> str | None:
        """Send one message; the provider's message id."""
        if not self.phone_number_id or not self.access_token:
            raise SendError("WHATSAPP_PHONE_NUMBER_ID or WHATSAPP_ACCESS_TOKEN not set")
        answer = post_json(f"{self.base_url}/{self.phone_number_id}/messages", self.payload(message),
                           {"Authorization": f"Bearer {self.access_token}"}, self.timeout)
        messages = answer.get("messages") or [{}]
        return messages[0].get("id") if isinstance(messages, list) and isinstance(messages[0], dict) else None


class SmsSender:
    """A generic HTTP SMS gateway: POST {"to", "message"} with a bearer token."""

    def __init__(self, url: str | None, token: str | None, timeout: float):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: Outgoing) -> str | None:
        if not self.url:
            raise SendError("SMS_GATEWAY_URL not set")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        answer = post_json(self.url, {"to": message.recipient, "message": render_text(message)}, headers,
                           self.timeout)
        return str(answer.get("id")) if answer.get("id") is not None else None


def sender_for(channel: str, config: dict[str, Any], phone_number_id: str | None = None):
    """The sender of a channel (`whatsapp` or `sms`), configured from the app's settings."""
    timeout = float(config["NOTIFY_TIMEOUT_SECONDS"])
    if channel == "sms":
        return SmsSender(config.get("SMS_GATEWAY_URL"), config.get("SMS_GATEWAY_TOKEN"), timeout)
    if channel == "whatsapp":
        return WhatsAppSender(config["WHATSAPP_API_BASE_URL"], config.get("WHATSAPP_ACCESS_TOKEN"),
                              phone_number_id or config.get("WHATSAPP_PHONE_NUMBER_ID"),
                              config.get("WHATSAPP_TEMPLATE_LANGUAGE") or "id", timeout)
    raise SendError(f"unknown channel {channel}", permanent=True)
