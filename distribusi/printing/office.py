"""What an office's settings put on paper: the letterhead (kop surat), its officials, its zone and QR base URL."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from distribusi.zones import office_zone


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Kop surat lines; empty strings for what the office has not set."""

    government: str
    agency: str
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    @property
    def contact_line(self) -> str:
        parts = [f"Telepon {self.phone}" if self.phone else "", f"Pos-el {self.email}" if self.email else "",
                 f"Laman {self.website}" if self.website else ""]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Official:
    """An official as a signature block shows them."""

    name: str
    nip: str = ""
    rank: str = ""
    position: str = ""


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    """The office facts every paper needs, read once from the Office row."""

    name: str
    letterhead: Letterhead
    officials: dict[str, Official]
    zone: ZoneInfo
    base_url: str

    @property
    def place(self) -> str:
        """The city a letter is dated in: 'Pekanbaru' from 'PEMERINTAH KOTA PEKANBARU' (empty when unknown)."""
        match = re.search(r"\b(?:KOTA|KABUPATEN)\s+(.+)$", self.letterhead.government, re.IGNORECASE) \
            or re.search(r"\b(?:Kota|Kabupaten)\s+(.+)$", self.name)
        return match.group(1).strip().title() if match else ""

    @property
    def region(self) -> str:
        """'KOTA PEKANBARU' for 'a.n. KEPALA DINAS … KOTA PEKANBARU' (empty when unknown)."""
        return re.sub(r"^PEMERINTAH\s+", "", self.letterhead.government.upper()).strip()


def office_info(office: Any, default_base_url: str) -> OfficeInfo:
    """OfficeInfo of an Office; settings.public_base_url wins over the app's PUBLIC_BASE_URL."""
    settings = office.settings or {}
    head = settings.get("letterhead") or {}
    letterhead = Letterhead(
        government=str(head.get("government") or ""), agency=str(head.get("agency") or office.name.upper()),
        address=str(head.get("address") or ""), phone=str(head.get("phone") or ""),
        email=str(head.get("email") or ""), website=str(head.get("website") or ""),
    )
    officials = {
        key: Official(name=str(v.get("name") or ""), nip=str(v.get("nip") or ""), rank=str(v.get("rank") or ""),
                      position=str(v.get("position") or ""))
        for key, v in (settings.get("officials") or {}).items() if isinstance(v, dict) and v.get("name")
    }
    return OfficeInfo(
        name=office.name, letterhead=letterhead, officials=officials,
        zone=office_zone(settings.get("timezone")),
        base_url=str(settings.get("public_base_url") or default_base_url).rstrip("/"),
    )


def official_for(office: OfficeInfo, key: str, user: Any, default_position: str) -> Official:
    """The official who acts: the settings' entry when it is this user (by NIP) or nobody acted, else the user."""
    listed = office.officials.get(key)
    if user is None or (listed and listed.nip and listed.nip == (user.nip or "")):
        return listed or Official(name="", position=default_position)
    return Official(name=user.full_name, nip=user.nip or "",
                    position=(listed.position if listed else "") or default_position)
