"""Template helpers of the staff pages: the menu, times in the user's office zone, Indonesian numbers."""
from __future__ import annotations

from datetime import datetime

from flask_login import current_user

from distribusi.printing.text import format_datetime_id, format_number_id
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
    zone = current_user.office.zone if current_user.is_authenticated else None
    return format_datetime_id(value, zone, joiner=" ")


@bp.app_template_filter("number")
def number(value: int | float | None) -> str:
    """1.234 — thousands as Indonesians group them."""
    return "—" if value is None else format_number_id(value)
