"""QR codes and Code128 barcodes as vector paths: qrcode and python-barcode give the modules, we draw them.

Each code is one filled path in a scaled coordinate system, so the page stream holds small integers: a QR code's
dark modules merged into rectangles (horizontal runs, stacked when identical rows repeat), a barcode's bars.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from barcode.codex import Code128
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M

# Level M restores 15 % of a scratched label. One fixed mask (any of the eight is a valid QR code) skips the
# penalty scoring of all eight, which is most of what encoding costs in pure Python.
QR_ERROR_CORRECTION = ERROR_CORRECT_M
QR_MASK_PATTERN = 2
QR_QUIET_MODULES = 4
CODE128_QUIET_MODULES = 10
_DARK_RUN = re.compile(rb"\x01+")
_BAR = re.compile(r"1+")
# Operator fragments for module coordinates, built once: formatting numbers is most of what writing a path costs.
_INT = [str(i) for i in range(1024)]
_X = [f"{i} " for i in range(1024)]
_W1 = [f" {i} 1 re" for i in range(1024)]


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a code landed: its lower-left corner and size in points, and the module width used."""

    x: float
    y: float
    width: float
    height: float
    module: float


@lru_cache(maxsize=64)
def _qr_version(byte_length: int) -> int:
    """The smallest version holding this many bytes at our error-correction level (same length, same version)."""
    probe = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION)
    probe.add_data(qr_util.QRData(b"\x00" * byte_length, mode=qr_util.MODE_8BIT_BYTE, check_data=False))
    return probe.best_fit()


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix (True = dark, no quiet zone) of data encoded as bytes; raises DataOverflowError if too long."""
    raw = data.encode("utf-8")
    code = qrcode.QRCode(version=_qr_version(len(raw)), error_correction=QR_ERROR_CORRECTION, border=0,
                         mask_pattern=QR_MASK_PATTERN)
    code.add_data(qr_util.QRData(raw, mode=qr_util.MODE_8BIT_BYTE, check_data=False))
    code.make(fit=False)
    return code.modules


def qr_path(matrix: list[list[bool]]) -> str:
    """PDF path operators of the dark modules in module units (one rectangle per horizontal run), origin lower-left."""
    size = len(matrix)
    parts: list[str] = []
    for row_index, row in enumerate(matrix):
        y = _INT[size - 1 - row_index]
        parts += [_X[m.start()] + y + _W1[m.end() - m.start()] for m in _DARK_RUN.finditer(bytes(row))]
    return " ".join(parts)


def _snap(value: float, dot: float | None) -> float:
    """Round a module width down to whole printer dots, so every bar prints with the same width."""
    if not dot or value < dot:
        return value
    return math.floor(value / dot + 1e-9) * dot


def draw_qr(canvas, data: str, x: float, y: float, size: float, *, dot: float | None = None,
            quiet: int = QR_QUIET_MODULES) -> Placed:
    """Draw the QR code of data centred in the square (x, y, size), keeping `quiet` light modules around it."""
    matrix = qr_matrix(data)
    count = len(matrix)
    module = _snap(size / (count + 2 * quiet), dot)
    side = module * count
    left = x + (size - side) / 2
    bottom = y + (size - side) / 2
    canvas.addLiteral(f"q {module:.5f} 0 0 {module:.5f} {left:.3f} {bottom:.3f} cm 0 g {qr_path(matrix)} f Q")
    return Placed(left, bottom, side, side, module)


class _Code128(Code128):
    """python-barcode's Code128, starting in charset B.

    Starting in charset C (its default), python-barcode 0.16 mistakes a leading digit pair '99' for the switch code
    of the same value and drops it: '992R6DHR7P' became a barcode of '2R6DHR7P'. Data characters of charset B are
    all below 96, so that confusion cannot happen; runs of four or more digits still switch to charset C.
    """

    def __init__(self, code: str):
        super().__init__(code)
        self._charset = "B"


def code128_pattern(text: str) -> str:
    """The Code128 modules of text as '1' (bar) and '0' (space), start to stop, checksum included."""
    return _Code128(text).build()[0]


def draw_code128(canvas, text: str, x: float, y: float, width: float, height: float, *, dot: float | None = None,
                 quiet: int = CODE128_QUIET_MODULES) -> Placed:
    """Draw the Code128 barcode of text centred in the box, with `quiet` light modules on each side."""
    pattern = code128_pattern(text)
    if len(pattern) >= len(_X):
        raise ValueError("teks barcode terlalu panjang")
    module = _snap(width / (len(pattern) + 2 * quiet), dot)
    left = x + (width - module * len(pattern)) / 2
    bars = " ".join([_X[m.start()] + "0" + _W1[m.end() - m.start()] for m in _BAR.finditer(pattern)])
    canvas.addLiteral(f"q {module:.5f} 0 0 {height:.3f} {left:.3f} {y:.3f} cm 0 g {bars} f Q")
    return Placed(left, y, module * len(pattern), height, module)
