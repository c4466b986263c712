"""DejaVu Sans (regular and bold), shipped in printing/fonts/, registered once with reportlab."""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts with reportlab (idempotent, thread-safe); raises OSError when a file is missing."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        # Paragraph markup <b> and <i> resolve through the family; no italic is shipped, so <i> stays upright.
        # The plain faces go last: addMapping also records the reverse (face name -> bold, italic) and the last wins.
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        _registered = True


def font_name(bold: bool = False) -> str:
    """The registered name of the regular or bold face."""
    return BOLD if bold else REGULAR
