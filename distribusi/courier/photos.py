"""Proof-of-delivery photos: checked by content, size-limited, re-encoded without metadata, stored under instance/."""
from __future__ import annotations

import io
import os
import secrets
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from distribusi.auth.models import User
from distribusi.courier.models import DeliveryPhoto, ScanRecord
from distribusi.courier.services import NotFound
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.problems import Refused

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
ALLOWED_FORMATS = {"JPEG", "PNG"}


class PhotoRefused(Refused):
    """The upload is not an acceptable photo; the web edge answers 422."""

    code = "photo_refused"
    field = "file"


def photo_dir() -> str:
    path = os.path.join(current_app.instance_path, "photos")
    os.makedirs(path, exist_ok=True)
    return path


def _clean_jpeg(content: bytes) -> tuple[bytes, int, int]:
    if len(content) > MAX_BYTES:
        raise PhotoRefused("Foto lebih dari 5 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in ALLOWED_FORMATS:
                raise PhotoRefused("Foto harus berformat JPEG atau PNG.")
            if max(image.size) > MAX_SIDE:
                raise PhotoRefused(f"Foto lebih dari {MAX_SIDE} piksel pada salah satu sisinya.")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise PhotoRefused("Berkas bukan foto JPEG/PNG yang utuh.") from None
    image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant, then drop all metadata
    clean = Image.new("RGB", image.size, "white")  # a fresh image carries no EXIF, GPS or ICC data
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean.paste(image.convert("RGB"))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


def store_photo(user: User, event_id: int, content: bytes) -> DeliveryPhoto:
    """Attach a photo to the courier's own delivery scan; raises NotFound or PhotoRefused."""
    event = db.session.get(CustodyEvent, event_id)
    record = db.session.scalar(select(ScanRecord).where(ScanRecord.event_id == event_id))
    if event is None or record is None or record.user_id != user.id or event.action != "delivered":
        raise NotFound("Pindaian penyerahan tidak ditemukan.")
    data, width, height = _clean_jpeg(content)
    name = f"{secrets.token_hex(16)}.jpg"
    with open(os.path.join(photo_dir(), name), "wb") as handle:
        handle.write(data)
    photo = DeliveryPhoto(office_id=user.office_id, event_id=event_id, parcel_id=record.parcel_id,
                          storage_name=name, width=width, height=height, size_bytes=len(data),
                          uploaded_by_id=user.id)
    db.session.add(photo)
    db.session.flush()
    return photo


def photo_bytes(photo: DeliveryPhoto) -> bytes:
    """The stored JPEG of a photo."""
    with open(os.path.join(photo_dir(), photo.storage_name), "rb") as handle:
        return handle.read()

