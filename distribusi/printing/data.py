"""One record per parcel that every paper (lists, labels) is made of: no NIK, no KK number, no document number."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.recap.codes import display


# The names a parcel's contents use: short where the short name is what everyone says (KK, KTP-el, KIA).
SHORT_NAMES = {"KK": "KK", "KTP_EL": "KTP-el", "KIA": "KIA"}


def doc_type_label(doc_type: str) -> str:
    """The Indonesian name of a document type (the code itself when unknown)."""
    return DOC_TYPE_LABELS.get(doc_type, doc_type.replace("_", " ").title())


def short_type_label(doc_type: str) -> str:
    """The short name of a document type: KK, KTP-el, KIA, Akta Kelahiran."""
    return SHORT_NAMES.get(doc_type) or doc_type_label(doc_type)


def _counted(names: Iterable[str]) -> str:
    counts: dict[str, int] = {}  # a dict, not a Counter: a 1,000-parcel page calls this 1,000 times
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(name + (f" ({n})" if n > 1 else "") for name, n in counts.items())


def documents_text(doc_types: Iterable[str]) -> str:
    """The document types of a parcel by short name, a count after repeated types: KK, KTP-el (2)."""
    return _counted(short_type_label(t) for t in doc_types)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One document of a parcel as papers name it: its type and its owner, never its number."""

    doc_type: str
    owner_name: str


def contents_text(documents: Iterable[DocumentLine]) -> str:
    """Whose documents a parcel holds, by owner in order of appearance: KK, KTP-el a.n. Budi Santoso; KIA a.n. Rizky."""
    owners: dict[str, tuple[str, list[str]]] = {}
    for document in documents:
        owner = " ".join((document.owner_name or "").split())
        owners.setdefault(owner.casefold(), (owner, []))[1].append(short_type_label(document.doc_type))
    return "; ".join(_counted(types) + (f" a.n. {owner}" if owner else "") for owner, types in owners.values())


@dataclass(frozen=True, slots=True)
class ParcelRecord:
    """One parcel as every paper shows it (list row or label): no NIK, KK number or document number to leak."""

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
    documents: tuple[DocumentLine, ...]
    group_doc_type: str = ""
    postal_code: str = ""
    recap_number: str = ""
    parcel_count: int = 0
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
    def full_address(self) -> str:
        """The address as a label carries it: with kecamatan, city and postal code."""
        city = " ".join(p for p in (self.city, self.postal_code) if p)
        return ", ".join(p for p in (self.address, f"Kec. {self.kecamatan}" if self.kecamatan else "", city) if p)

    @property
    def doc_types(self) -> tuple[str, ...]:
        return tuple(d.doc_type for d in self.documents)

    @property
    def contents(self) -> str:
        """The documents by type and owner: KK, KTP-el a.n. Budi Santoso; KIA a.n. Rizky Pratama."""
        return contents_text(self.documents)

    @property
    def document_count(self) -> int:
        return len(self.documents)


def parcel_record(parcel, *, failure: str = "", parcel_count: int = 0) -> ParcelRecord:
    """The record of a Parcel (its documents and recap loaded)."""
    return ParcelRecord(
        position=parcel.position, tracking_code=parcel.tracking_code, recipient_name=parcel.recipient_name,
        street=parcel.street, rt=parcel.rt, rw=parcel.rw, kelurahan=parcel.kelurahan, kecamatan=parcel.kecamatan,
        city=parcel.city, postal_code=parcel.postal_code, phone=parcel.phone,
        documents=tuple(DocumentLine(d.doc_type, d.owner_name) for d in parcel.documents),
        group_doc_type=parcel.group_doc_type, recap_number=parcel.recap.number if parcel.recap else "",
        parcel_count=parcel_count, failure=failure, failed_attempts=parcel.failed_attempts or 0,
    )


@dataclass(frozen=True, slots=True)
class Group:
    """Consecutive rows sharing a heading (document type or failure reason) and a kecamatan."""

    heading: str
    kecamatan: str
    rows: tuple[ParcelRecord, ...]

    @property
    def title(self) -> str:
        return f"{self.heading} · Kecamatan {self.kecamatan}"

    @property
    def parcel_count(self) -> int:
        return len(self.rows)

    @property
    def document_count(self) -> int:
        return sum(row.document_count for row in self.rows)


def group_rows(rows: Iterable[ParcelRecord], heading: Callable[[ParcelRecord], str]) -> tuple[Group, ...]:
    """Groups of consecutive rows with the same heading and kecamatan, in the rows' order."""
    return tuple(
        Group(title, kecamatan, tuple(members))
        for (title, kecamatan), members in groupby(rows, key=lambda r: (heading(r), r.kecamatan))
    )


def doc_type_counts(rows: Iterable[ParcelRecord]) -> list[tuple[str, int]]:
    """How many documents of each type, in order of first appearance."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(row.doc_types)
    return [(doc_type_label(t), n) for t, n in counts.items()]
