"""Template helpers of the staff pages: the menu, times in the user's office zone, Indonesian numbers."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g, url_for
from flask_login import current_user

from distribusi.printing.text import format_date_id, format_number_id
from distribusi.zones import office_zone, to_office_time, zone_name
from distribusi.web import bp
from distribusi.web.nav import menu_for


@bp.app_template_global("staff_menu")
def staff_menu():
    return menu_for(current_user)


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    """A stored UTC time in the logged-in user's office zone: 22 November 2026 14.05 WIB; "—" when there is none."""
    if value is None:
        return "—"
    if "office_zone" not in g:  # once a request: a 1,000-row list calls this 1,000 times
        zone = office_zone(current_user.office.zone if current_user.is_authenticated else None)
        g.office_zone = (zone, zone_name(zone))
    zone, name = g.office_zone
    local = to_office_time(value, zone)
    return f"{format_date_id(local)} {local.hour:02d}.{local.minute:02d} {name}"  # format_datetime_id(…, joiner=" ")


@bp.app_template_filter("number")
def number(value: int | float | None) -> str:
    """1.234 — thousands as Indonesians group them."""
    return "—" if value is None else format_number_id(value)


CARD_ENDPOINTS = {"parcel": "web.parcel_card", "document": "web.document_card", "recap": "web.recap_card"}


@bp.app_template_global("card_url")
def card_url(kind: str, key) -> str | None:
    """The control card of a parcel (by tracking code), document or recap (by id); None while it is not built."""
    endpoint = CARD_ENDPOINTS[kind]
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **{"parcel": {"code": key}}.get(kind, {f"{kind}_id": key}))
