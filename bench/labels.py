"""Benchmark of the printed papers: labels on the a4-8 sheet, the straightforward way to compare, the recap list.

    .venv/bin/python bench/labels.py              # 1,000 and 10,000 labels, 1,000 the straightforward way, recap
    .venv/bin/python bench/labels.py --quick      # 1,000 labels and the recap only (no 20 s straightforward run)

Labels are built in memory from the demo rows (no database). Every case runs in a fresh child process, so its peak
resident memory (ru_maxrss) is its own; "peak" below is that high-water mark less the child's size just before
rendering. Times are wall clock and CPU of the child; CPU is the steadier figure on a shared machine. Nothing here
is imported by the app or the tests; no test asserts a time.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/labels.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru"
BASE_URL = "https://disdukcapil.pekanbaru.go.id"


def label_data(count: int) -> Iterator:
    """`count` labels of plausible households, produced one at a time (the renderer streams them)."""
    from distribusi.demo import document_rows
    from distribusi.printing.data import DocumentLine, ParcelRecord
    from distribusi.recap.codes import new_code

    rows = document_rows(count * 2, seed=2026, prefix="BENCH")
    for position in range(1, count + 1):
        first, second = next(rows), next(rows)  # two documents a household, as the demo makes them
        yield ParcelRecord(
            tracking_code=new_code(), recipient_name=first["recipient_name"], street=first["street"], rt=first["rt"],
            rw=first["rw"], kelurahan=first["kelurahan"], kecamatan=first["kecamatan"], city=first["city"],
            postal_code=first["postal_code"], phone=first["phone"], group_doc_type=first["doc_type"],
            documents=tuple(DocumentLine(row["doc_type"], row["owner_name"]) for row in (first, second)),
            recap_number="RKP/2026/0001", position=position, parcel_count=count,
        )


def render_fast(count: int, layout_name: str = "a4-8") -> int:
    """The app's renderer (distribusi.printing.labels)."""
    from distribusi.printing.labels import render_labels
    from distribusi.printing.layouts import load_layout

    out = io.BytesIO()
    render_labels(load_layout(layout_name), label_data(count), out, office_name=OFFICE, base_url=BASE_URL)
    return out.tell()


def render_straightforward(count: int) -> int:
    """The same labels, but each QR code a reportlab QrCodeWidget and each barcode reportlab's Code128 widget."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.pdfgen.canvas import Canvas

    from distribusi.printing.fitting import draw_fitted, fit
    from distribusi.printing.fonts import font_name, register_fonts
    from distribusi.printing.labels import field_texts, tracking_url
    from distribusi.printing.layouts import label_positions, load_layout

    register_fonts()
    layout = load_layout("a4-8")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(layout.page_width, layout.page_height))
    positions = label_positions(layout)
    qr_box, bar_box = layout.fields["qr"], layout.fields["barcode"]
    for index, label in enumerate(label_data(count)):
        new_page, x, y = next(positions)
        if new_page and index:
            canvas.showPage()
        texts = field_texts(label, OFFICE)
        text_object = canvas.beginText()
        for name, box in layout.fields.items():
            if name in texts:
                fitted = fit(texts[name], font_name(box.bold), box.width, box.height, box.size, box.min_size,
                             box.max_lines)
                draw_fitted(text_object, fitted, x + box.x, y + box.top, box.width, box.align)
        canvas.drawText(text_object)
        widget = QrCodeWidget(tracking_url(BASE_URL, label.tracking_code), barLevel="M")
        left, bottom, right, top = widget.getBounds()
        drawing = Drawing(qr_box.width, qr_box.width,
                          transform=[qr_box.width / (right - left), 0, 0, qr_box.width / (top - bottom), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, x + qr_box.x, y + qr_box.y)
        Code128(label.tracking_code, barHeight=bar_box.height, barWidth=0.375 * 72 / 25.4).drawOn(
            canvas, x + bar_box.x, y + bar_box.y)
    canvas.showPage()
    canvas.save()
    return out.tell()


def render_recap(rows: int) -> int:
    """The recap list PDF of `rows` parcels."""
    from dataclasses import replace
    from datetime import datetime

    from distribusi.demo_data import PKU_SETTINGS
    from distribusi.printing.data import doc_type_label, group_rows
    from distribusi.printing.office import office_info
    from distribusi.printing.recap_list import RecapList, render_recap_list

    class Office:
        name, settings = OFFICE, PKU_SETTINGS

    labels = sorted(label_data(rows), key=lambda item: (item.doc_types[0], item.kecamatan))
    parcel_rows = [replace(item, position=i) for i, item in enumerate(labels, start=1)]
    data = RecapList(number="RKP/2026/0001", status="Diajukan", created_at=datetime(2026, 11, 22, 2, 0),
                     partner="PT Pos Indonesia (Persero) KC Pekanbaru", letter_number="470/JASA-DUKCAPIL/7/2026",
                     groups=group_rows(parcel_rows, lambda r: doc_type_label(r.group_doc_type)))
    out = io.BytesIO()
    render_recap_list(data, office_info(Office, BASE_URL), out, printed_at=datetime(2026, 11, 22, 7, 5))
    return out.tell()


def qr_costs(count: int = 300) -> dict:
    """Per code: qrcode with its mask evaluation, with our fixed mask, and building our path from the matrix."""
    import qrcode

    from distribusi.printing.codes import QR_ERROR_CORRECTION, qr_matrix, qr_path
    from distribusi.recap.codes import new_code

    urls = [f"{BASE_URL}/k/{new_code()}" for _ in range(count)]
    started = time.process_time()
    for url in urls:
        code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=0)
        code.add_data(url)
        code.make(fit=True)
    evaluated = (time.process_time() - started) / count
    started = time.process_time()
    matrices = [qr_matrix(url) for url in urls]
    fixed = (time.process_time() - started) / count
    started = time.process_time()
    for matrix in matrices:
        qr_path(matrix)
    path = (time.process_time() - started) / count
    return {"mask_evaluated_ms": evaluated * 1000, "fixed_mask_ms": fixed * 1000, "path_ms": path * 1000}


CASES = {"fast": render_fast, "thermal": lambda n: render_fast(n, "thermal-100x150"),
         "straightforward": render_straightforward, "recap": render_recap}


def run_case(case: str, count: int) -> dict:
    """In this (child) process: warm up, then time one render and measure its memory high-water mark."""
    CASES[case](8)  # fonts, layout and imports loaded before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    size = CASES[case](count)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"case": case, "count": count, "wall": wall, "cpu": cpu, "bytes": size,
            "peak_mb": (after - before) / 1024, "rss_mb": after / 1024}


def child(case: str, count: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", case, str(count)], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def best_of(case: str, count: int, repeat: int) -> dict:
    runs = [child(case, count) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["cpu"])
    return {**best, "wall_median": statistics.median(r["wall"] for r in runs), "runs": len(runs)}


def show(title: str, result: dict, unit: str = "label") -> None:
    per = result["cpu"] / result["count"] * 1000
    print(f"{title:<42} {result['count']:>6} {result['wall']:>8.2f} s {result['cpu']:>8.2f} s {per:>7.3f} ms/{unit}"
          f" {result['peak_mb']:>7.1f} MB {result['rss_mb']:>7.1f} MB {result['bytes'] / 1e6:>7.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-label and straightforward runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the 1,000-label cases, best CPU shown")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child[0], int(args.child[1]))))
        return

    import reportlab

    print("== labels and recap list ==")
    print(f"machine     nproc={os.cpu_count()}  {platform.machine()}  {platform.system()} {platform.release()}  "
          f"load {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"python      {platform.python_version()}; reportlab {reportlab.Version}, qrcode "
          f"{__import__('importlib.metadata').metadata.version('qrcode')}, rl_accel "
          f"{'yes' if _has_accelerator() else 'no (pure-Python reportlab helpers)'}")
    costs = qr_costs()
    print(f"QR per code qrcode with mask evaluation {costs['mask_evaluated_ms']:.2f} ms, fixed mask "
          f"{costs['fixed_mask_ms']:.2f} ms; path of merged runs {costs['path_ms']:.3f} ms (CPU)")
    print(f"{'case':<42} {'count':>6} {'wall':>10} {'CPU':>10} {'CPU per item':>15} {'peak':>10} {'RSS':>10} "
          f"{'PDF':>10}")
    fast = best_of("fast", 1000, args.repeat)
    show("a4-8, app renderer", fast)
    show("thermal-100x150, app renderer", best_of("thermal", 1000, args.repeat))
    if not args.quick:
        large = child("fast", 10_000)
        show("a4-8, app renderer", large)
        slow = child("straightforward", 1000)
        show("a4-8, QrCodeWidget + Code128 widget", slow)
        print(f"speed-up over the straightforward way: {slow['cpu'] / fast['cpu']:.1f}x CPU, "
              f"{slow['wall'] / fast['wall']:.1f}x wall")
        print(f"10,000 vs 1,000 labels: {large['cpu'] / fast['cpu']:.1f}x CPU (10.0x is linear)")
    recap = best_of("recap", 1000, args.repeat)
    show("recap list PDF, app renderer", recap, unit="row")


def _has_accelerator() -> bool:
    try:
        import rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
