"""The staff navigation: one table of menu entries, each shown to the roles its permission allows."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from distribusi.auth.permissions import can


@dataclass(frozen=True)
class Entry:
    label: str
    endpoint: str
    verb: str


# In the order of the day's flow. An entry whose page is not registered (a stage not built yet) is left out.
MENU = (
    Entry("Beranda", "web.home", "view_documents"),
    Entry("Dokumen", "intake.documents", "view_documents"),
    Entry("Impor", "intake.import_file", "register_documents"),
    Entry("Rekapan", "recap.recaps", "view_recaps"),
    Entry("Rekapan masuk", "letters.recap_inbox", "issue_letters"),
    Entry("Surat pengantar", "letters.awaiting", "issue_letters"),
    Entry("Tanda tangan", "letters.awaiting", "sign_letters"),
    Entry("Riwayat surat", "letters.history", "sign_letters"),
    Entry("Serah terima", "handover.handovers", "hand_over"),
    Entry("Retur", "returns.desk", "receive_returns"),
    Entry("Loket", "recap.counter", "collect_parcels"),
    Entry("Kartu kendali", "web.card", "view_custody"),
    Entry("Meja pengaduan", "complaints.desk", "handle_complaints"),
    Entry("Buku pengaduan", "complaints.book", "view_complaints"),
    Entry("Permintaan PDP", "privacy.requests", "answer_pdp_requests"),
    Entry("Laporan", "reports.index", "view_reports"),
    Entry("Pengguna", "admin.users", "administer"),
    Entry("Mitra kurir", "admin.partners", "administer"),
    Entry("Pengaturan", "admin.settings", "administer"),
    Entry("Kalender kerja", "admin.calendar", "administer"),
    Entry("Jejak audit", "admin.audit", "administer"),
    Entry("Notifikasi", "admin.outbox", "administer"),
)


def menu_for(user) -> list[Entry]:
    """The entries this user may open, once each."""
    seen: set[str] = set()
    entries = []
    for entry in MENU:
        if entry.endpoint in seen or entry.endpoint not in current_app.view_functions or not can(user, entry.verb):
            continue
        seen.add(entry.endpoint)
        entries.append(entry)
    return entries
