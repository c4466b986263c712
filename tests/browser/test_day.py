"""One day of distribution through the pages alone, as the demo users do it after `make run`: the clerk imports the
day's file and prints the labels, the Kasubbag issues the letter, the secretary rejects it then signs the next one,
the Kasubbag hands the recap over, the courier delivers (through the service the phone page calls), the returns are
scanned at the desk and the undelivered list downloads; then a delivered parcel's control card shows who held it
and for how long. The clerk's page actions from the CSV to the labels PDF are counted (issue 15: at most 6)."""
from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from distribusi.demo import document_rows, write_csv
from tests.browser.support import DEMO_PASSWORD, log_in

DAY_DOCUMENTS = 200
PARTNER = "PT Pos Indonesia (Persero) KC Pekanbaru"
MAX_CLERK_ACTIONS = 6


class Actions:
    """The clerk's page actions (clicks, uploads, key presses that submit), each named for the printed list."""

    def __init__(self):
        self.done: list[str] = []

    def __call__(self, name: str, step):
        self.done.append(name)
        return step()


def log_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login")


def pdf_downloaded(download) -> bool:
    with open(download.value.path(), "rb") as pdf:
        return pdf.read(5) == b"%PDF-"


def clerk_imports_and_prints_labels(page, live_server, tmp_path) -> tuple[str, Actions]:
    """Step 1 and 2: a bad file refused row by row, then the day's file, the recap, the labels; (recap number, actions)."""
    rows = list(document_rows(DAY_DOCUMENTS, seed=1201, prefix="HARI"))
    bad_rows = [dict(row) for row in rows]
    bad_rows[5]["nik"] = "147101"
    bad_rows[150]["doc_type"] = "SIM"
    bad, good = tmp_path / "ekspor-salah.csv", tmp_path / "ekspor-hari-ini.csv"
    write_csv(str(bad), bad_rows)  # the CSV writer of the demo and of `make run`'s sample file
    write_csv(str(good), rows)

    log_in(page, live_server, "fo")
    page.get_by_role("link", name="Impor", exact=True).click()
    page.get_by_label("Berkas CSV atau XLSX").set_input_files(str(bad))
    page.get_by_role("button", name="Impor", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("2 baris bermasalah; tidak ada yang diimpor.")
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("7")  # the header is row 1
    expect(errors.nth(0)).to_contain_text("nik")
    expect(errors.nth(1)).to_contain_text("152")
    expect(errors.nth(1)).to_contain_text("doc_type")

    page.get_by_role("link", name="Beranda").click()  # the count starts here: logged in, the day's CSV at hand
    act = Actions()
    act("klik menu Impor", page.get_by_role("link", name="Impor", exact=True).click)
    act("unggah berkas CSV", lambda: page.get_by_label("Berkas CSV atau XLSX").set_input_files(str(good)))
    act("klik Impor", page.get_by_role("button", name="Impor", exact=True).click)
    expect(page.get_by_text(f"{DAY_DOCUMENTS} dokumen diimpor.")).to_be_visible()
    act("klik Buat rekapan", page.get_by_role("link", name="Buat rekapan").click)
    expect(page.get_by_role("button", name="Simpan rekapan")).to_be_visible()
    act("klik Simpan rekapan", page.get_by_role("button", name="Simpan rekapan").click)
    heading = page.get_by_role("heading", name=re.compile(r"^Rekapan RKP\W"))
    expect(heading).to_be_visible()
    with page.expect_download() as labels:
        act("klik Unduh label", page.get_by_role("link", name="Unduh label").click)
    assert pdf_downloaded(labels)
    print(f"\nclerk actions from the CSV to the labels PDF: {len(act.done)}: " + "; ".join(act.done))
    assert len(act.done) <= MAX_CLERK_ACTIONS, act.done

    number = heading.inner_text().removeprefix("Rekapan ").strip()
    page.get_by_role("button", name="Ajukan ke Kasubbag Umum").click()
    expect(page.get_by_text(f"Rekapan {number} sudah diajukan ke Kasubbag Umum.")).to_be_visible()
    log_out(page)
    return number, act


def issue_letter(page, live_server, recap_number: str) -> str:
    """As the Kasubbag: the recap in the inbox, the partner chosen, the letter issued; its number."""
    log_in(page, live_server, "kasubbag")
    page.get_by_role("link", name="Rekapan masuk").click()
    page.get_by_label("Cari nomor rekapan").fill(recap_number)
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text=recap_number)
    expect(row).to_have_count(1)
    row.get_by_label(f"Mitra kurir untuk {recap_number}").select_option(label=PARTNER)
    row.get_by_role("button", name="Terbitkan surat").click()
    expect(page.get_by_text("dikirim ke Sekretaris untuk ditandatangani")).to_be_visible()
    letter = re.search(r"Surat pengantar (\S+)", page.get_by_role("heading", level=1).inner_text()).group(1)
    log_out(page)
    return letter


def open_for_signing(page, live_server, letter_number: str) -> None:
    log_in(page, live_server, "sekretaris")
    page.get_by_role("link", name="Tanda tangan").click()
    page.get_by_role("row").filter(has_text=letter_number).get_by_role("link", name=re.compile("Baca")).click()
    expect(page.get_by_role("heading", name=f"Surat pengantar {letter_number}")).to_be_visible()


def courier_round(app, recap_number: str, failures: int) -> tuple[list[str], list[str]]:
    """The courier's day through the scan service the phone page calls: accept all, deliver all but `failures`,
    which fail and go back; (delivered codes, returned codes)."""
    from distribusi.auth.models import User
    from distribusi.courier.services import record_scan
    from distribusi.extensions import db
    from distribusi.recap.models import Parcel, Recap

    with app.app_context():
        courier = db.session.scalar(sa.select(User).where(User.username == "kurir"))
        codes = list(db.session.scalars(sa.select(Parcel.tracking_code).join(Recap).where(Recap.number == recap_number)
                                        .order_by(Parcel.position)))
        delivered, returned = codes[:-failures], codes[-failures:]

        def scan(code: str, action: str, **facts) -> None:
            record_scan(courier, {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **facts})

        for code in codes:
            scan(code, "accept")
            scan(code, "out_for_delivery")
        for code in delivered:
            scan(code, "delivered", recipient_name="Penerima Hari Ini", recipient_relation="self")
        for code in returned:
            scan(code, "failed", failure_reason="recipient_absent")
            scan(code, "return")
        db.session.commit()
    return delivered, returned


def test_a_day_of_distribution_through_the_pages(page, live_server, tmp_path):
    from distribusi.recap.codes import display

    # 1, 2: the clerk
    recap_number, _actions = clerk_imports_and_prints_labels(page, live_server, tmp_path)

    # 3, 4: the letter, rejected once, issued again and signed
    first = issue_letter(page, live_server, recap_number)
    open_for_signing(page, live_server, first)
    page.get_by_label("Catatan penolakan").fill("Lampiran rekapan belum lengkap; mohon diterbitkan ulang.")
    page.get_by_role("button", name="Tolak").click()
    expect(page.get_by_text(f"Surat pengantar {first} ditolak")).to_be_visible()
    log_out(page)
    second = issue_letter(page, live_server, recap_number)
    assert second != first
    open_for_signing(page, live_server, second)
    page.get_by_label("Kata sandi Anda").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Tandatangani").click()
    expect(page.get_by_text(f"Surat pengantar {second} sudah ditandatangani.")).to_be_visible()
    log_out(page)

    # 5: the handover and its Berita Acara
    log_in(page, live_server, "kasubbag")
    page.get_by_role("link", name="Serah terima").click()
    page.get_by_role("link", name=f"Serahkan rekapan {recap_number}").click()
    page.get_by_label("Nama petugas mitra yang menerima").fill("Rudi Hartono")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Serah terima rekapan {recap_number} kepada")).to_be_visible()
    with page.context.expect_event("response", lambda r: r.url.endswith("/record.pdf")) as record:
        page.get_by_role("link", name="Cetak Berita Acara (PDF)").click()
    assert record.value.status == 200 and record.value.header_value("content-type") == "application/pdf"
    for opened in page.context.pages[1:]:  # the Berita Acara opened in a tab of its own
        opened.close()
    page.get_by_role("link", name="Beranda").click()  # away from the progress poll while the courier works

    delivered, returned = courier_round(live_server.app, recap_number, failures=3)

    # 6: the returns desk, a scanner's codes each followed by Enter
    page.get_by_role("link", name="Retur").click()
    scanner = page.get_by_label("Kode kiriman (pindai atau ketik, lalu Enter)")
    expect(scanner).to_be_focused()
    received = page.locator("#list-received")
    for code in returned:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(received).to_contain_text(display(code))
    expect(page.locator("#count-received")).to_have_text(str(len(returned)))
    page.get_by_role("button", name="Selesai: catat pengembalian").click()
    expect(page.get_by_text(f"Pengembalian tercatat: {len(returned)} kiriman diterima kembali.")).to_be_visible()

    # 7: the undelivered list
    with page.expect_download() as undelivered:
        page.get_by_role("link", name="Cetak daftar belum terserahkan (PDF)").click()
    assert pdf_downloaded(undelivered)

    # the control card of a delivered parcel: who held it, from whom to whom, and how long each step waited
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Kartu kendali").click()
    expect(page.get_by_label("Kode kiriman")).to_be_focused()
    page.keyboard.type(delivered[0])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Kartu kendali kiriman {delivered[0]}")).to_be_visible()
    timeline = page.locator("table.custody-timeline")
    for holder in ("Petugas FO: Dewi Lestari", f"{PARTNER}: Rudi Hartono", "Budi Santoso (PT Pos)",
                   "Penerima: Penerima Hari Ini"):
        expect(timeline).to_contain_text(holder)
    expect(timeline.locator("thead")).to_contain_text("Lama menunggu")
    waits = timeline.locator("tbody tr td:nth-child(7)")
    expect(waits.last).to_have_text(re.compile(r"kurang dari 1 menit|\d+ (menit|jam|hari)"))
    assert waits.count() >= 6
