"""An office's time zone (the setting `timezone`): its ZoneInfo, its Indonesian name and stored times in it."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
DEFAULT_ZONE = "Asia/Jakarta"

Zone = ZoneInfo | str | None


def office_zone(zone: Zone) -> ZoneInfo:
    """The ZoneInfo of an office setting (a zone name; Asia/Jakarta when unset or unknown)."""
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):  # a setting written around the admin form: still a page, not a 500
        return ZoneInfo(DEFAULT_ZONE)


def zone_name(zone: Zone) -> str:
    """How Indonesians name the zone: WIB, WITA or WIT (the zone's own abbreviation otherwise)."""
    info = office_zone(zone)
    return ZONE_NAMES.get(info.key) or datetime.now(info).tzname() or info.key


def to_office_time(value: datetime, zone: Zone = None) -> datetime:
    """A stored time (UTC, naive as stored, or aware) as an aware time in the office's zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(office_zone(zone))
