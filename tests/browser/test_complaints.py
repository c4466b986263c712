"""An operator takes a phone complaint in a real browser: the parcel shows up as the NIK is typed (htmx), the ticket
is saved with it linked, answered and escalated; the Kasi finds it on their desk, due on a working day."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.support import log_in


def a_parcel_document(server):
    """The NIK, tracking code and parcel state of a demo document already packed into a parcel."""
    from distribusi.extensions import db
    from distribusi.intake.models import Document
    from distribusi.recap.models import Parcel

    with server.app.app_context():
        document = db.session.scalars(select(Document).where(Document.parcel_id.is_not(None)).order_by(Document.id)).first()
        parcel = db.session.get(Parcel, document.parcel_id)
        return document.nik, parcel.tracking_code


def ticket_facts(server, number: str):
    from distribusi.complaints.models import Complaint
    from distribusi.extensions import db
    from distribusi.models import Office
    from distribusi.workdays import is_working_day
    from distribusi.zones import to_office_time

    with server.app.app_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.ticket_number == number))
        office = db.session.get(Office, complaint.office_id)
        local_due = to_office_time(complaint.due_at, office.zone)
        return complaint.level.value, is_working_day(office, local_due.date()), len(complaint.parcels)


def test_operator_takes_a_phone_complaint_and_the_kasi_gets_it(page, live_server):
    nik, code = a_parcel_document(live_server)
    log_in(page, live_server, "operator")
    page.get_by_role("link", name="Meja pengaduan", exact=True).click()
    page.get_by_role("link", name="Pengaduan baru").first.click()

    page.get_by_label("Saluran").select_option("akapela_phone")
    page.get_by_label("Nama pengadu").fill("Rahmat Hidayat")
    page.get_by_label("Kontak (nomor HP atau akun media sosial)").fill("@rahmat.pku")
    page.get_by_label("NIK").fill(nik)
    results = page.locator("#lookup-parcels")
    expect(results).to_contain_text(code)  # shown while typing, before anything is saved
    page.get_by_label("Uraian pengaduan").fill("KTP-el belum sampai, mohon dicek.")
    page.get_by_role("button", name="Simpan pengaduan").click()

    page.wait_for_url(re.compile(r".*/pengaduan/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("dicatat")
    number = page.locator("#ticket-number").inner_text()
    assert re.fullmatch(r"ADU-PKU-\d{4}-\d{6}", number)
    expect(page.locator("#linked-parcels")).to_contain_text(code)
    expect(page.locator("#delivery-status")).to_be_visible()

    page.get_by_label("Jawaban yang diberikan kepada warga").fill("Dokumen sedang dalam pengiriman.")
    page.get_by_role("button", name="Simpan jawaban").click()
    expect(page.locator("#ticket-answer")).to_have_text("Dokumen sedang dalam pengiriman.")
    page.get_by_label("Alasan").fill("Warga meminta kepastian jadwal.")
    page.get_by_role("button", name="Naikkan").click()
    expect(page.locator("#ticket-level")).to_have_text("Kepala Seksi")
    expect(page.locator("#ticket-history")).to_contain_text("Dinaikkan")
    level, due_on_working_day, linked = ticket_facts(live_server, number)
    assert level == "kasi" and due_on_working_day and linked >= 1

    page.context.clear_cookies()
    log_in(page, live_server, "kasi")
    expect(page.locator("#complaints-overdue")).to_contain_text("melewati batas waktu")  # the demo's late ticket
    page.get_by_role("link", name="Meja pengaduan", exact=True).click()
    row = page.locator(f'tr[data-ticket="{number}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Kepala Seksi")
    row.get_by_role("link", name=number).click()
    expect(page.locator("#ticket-answer")).to_have_text("Dokumen sedang dalam pengiriman.")
