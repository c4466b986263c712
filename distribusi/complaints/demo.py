"""A few demo tickets in every state, so the complaint desk and book are not empty on a fresh demo."""
from __future__ import annotations

from datetime import timedelta

from distribusi.auth.models import User
from distribusi.complaints import services
from distribusi.models import utcnow


def load_demo_complaints(users: dict[str, User], documents: list, codes: list[str]) -> None:
    """Four tickets: answered at once, routed to correction, escalated and overdue at the Kasi, resolved."""
    operator, kasi, now = users["operator"], users["kasi"], utcnow()
    answered = services.register_complaint(operator, {
        "channel": "akapela_phone", "complainant_name": "Rizky Pratama", "contact": "0812 7654 3210",
        "category": "delivery_status", "tracking_code": codes[3], "description": "Menanyakan KK yang belum sampai."},
        now=now - timedelta(hours=3))
    services.respond(operator, answered, {"answer": "Kiriman sedang diantar kurir hari ini."},
                     now=now - timedelta(hours=3))
    routed = services.register_complaint(operator, {
        "channel": "pandawa_whatsapp", "complainant_name": "Nur Lubis", "contact": "0813 1111 2222",
        "category": "data_error", "nik": documents[0].nik, "description": "Nama ibu kandung di KK salah ketik."},
        now=now - timedelta(days=1))
    services.route(operator, routed, {"route": "correction", "note": "Diteruskan ke operator editor"},
                   now=now - timedelta(days=1))
    late = services.register_complaint(operator, {
        "channel": "bamsos_social", "complainant_name": "Ayu Handayani", "contact": "@ayu.pku",
        "category": "other", "kk_number": documents[30].kk_number, "description": "Dokumen belum diterima sejak minggu lalu."},
        now=now - timedelta(days=6))
    services.escalate(operator, late, {"note": "Belum ada kepastian dari kurir"}, now=now - timedelta(days=5))
    done = services.register_complaint(operator, {
        "channel": "walk_in", "complainant_name": "Budi Santoso", "contact": "0852 3333 4444",
        "category": "service_information", "description": "Syarat pengambilan dokumen di loket."},
        now=now - timedelta(days=2))
    services.resolve(kasi, done, {"outcome": "Dijelaskan: bawa KTP-el atau KK asli."}, now=now - timedelta(days=2))
