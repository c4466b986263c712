"""Plain rows the printed lists are made of, built from parcels: no NIK, no KK number, no document number."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.recap.codes import display


def doc_type_label(doc_type: str) -> str:
    """The Indonesian name of a document type (the code itself when unknown)."""
    return DOC_TYPE_LABELS.get(doc_type, doc_type.replace("_", " ").title())


def documents_text(doc_types: Iterable[str]) -> str:
    """The document types of a parcel in words, a count after repeated types: Kartu Keluarga, KTP-el (2)."""
    counts = Counter(doc_types)
    return ", ".join(doc_type_label(t) + (f" ({n})" if n > 1 else "") for t, n in counts.items())


@dataclass(frozen=True, slots=True)
class ParcelRow:
    """One parcel as a line of a list."""

    position: int
    tracking_code: str
    recipient_name: str
    street: str
    rt: str
    rw: str
    kelurahan: str
    kecamatan: str
    city: str
    phone: str
    doc_types: tuple[str, ...]
    group_doc_type: str
    recap_number: str = ""
    failure: str = ""
    failed_attempts: int = 0

    @property
    def code(self) -> str:
        return display(self.tracking_code)

    @property
    def address(self) -> str:
        """Street, RT/RW and kelurahan (the kecamatan is the list's group)."""
        rt_rw = f"RT {self.rt}/RW {self.rw}" if self.rt or self.rw else ""
        return ", ".join(p for p in (self.street, rt_rw, f"Kel. {self.kelurahan}" if self.kelurahan else "") if p)

    @property
    def documents(self) -> str:
        return documents_text(self.doc_types)

    @property
    def document_count(self) -> int:
        return len(self.doc_types)


def parcel_row(parcel, *, failure: str = "") -> ParcelRow:
    """The row of a Parcel (its documents and recap loaded)."""
    return ParcelRow(
        position=parcel.position, tracking_code=parcel.tracking_code, recipient_name=parcel.recipient_name,
        street=parcel.street, rt=parcel.rt, rw=parcel.rw, kelurahan=parcel.kelurahan, kecamatan=parcel.kecamatan,
        city=parcel.city, phone=parcel.phone, doc_types=tuple(d.doc_type for d in parcel.documents),
        group_doc_type=parcel.group_doc_type, recap_number=parcel.recap.number if parcel.recap else "",
        failure=failure, failed_attempts=parcel.failed_attempts or 0,
    )


@dataclass(frozen=True, slots=True)
class Group:
    """Consecutive rows sharing a heading (document type or failure reason) and a kecamatan."""

    heading: str
    kecamatan: str
    rows: tuple[ParcelRow, ...]

    @property
    def title(self) -> str:
        return f"{self.heading} · Kecamatan {self.kecamatan}"

    @property
    def parcel_count(self) -> int:
        return len(self.rows)

    @property
    def document_count(self) -> int:
        return sum(row.document_count for row in self.rows)


def group_rows(rows: Iterable[ParcelRow], heading: Callable[[ParcelRow], str]) -> tuple[Group, ...]:
    """Groups of consecutive rows with the same heading and kecamatan, in the rows' order."""
    return tuple(
        Group(title, kecamatan, tuple(members))
        for (title, kecamatan), members in groupby(rows, key=lambda r: (heading(r), r.kecamatan))
    )


def doc_type_counts(rows: Iterable[ParcelRow]) -> list[tuple[str, int]]:
    """How many documents of each type, in order of first appearance."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(row.doc_types)
    return [(doc_type_label(t), n) for t, n in counts.items()]
