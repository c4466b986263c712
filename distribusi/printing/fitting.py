"""Fitting text into a box: wrap at spaces (or inside over-long words), shrink down to a minimum, then cut with '…'."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics

from distribusi.printing.fonts import register_fonts

ELLIPSIS = "…"
# DejaVu Sans's line box (hhea): 0.928 em above the baseline (accented capitals reach it; reportlab's own ascent,
# 0.76, is the typographic one and lets É poke out of a box) and 0.236 em below; 1.17 em a line holds both.
ASCENT = 0.928
LEADING = 1.17
# Some glyphs (J, j, f, ƒ) ink past their advance width; a tenth of an em each side keeps them in the box.
INSET = 0.1


@dataclass(frozen=True, slots=True)
class Fitted:
    """Lines of text at one font size that fit a box."""

    font: str
    size: float
    lines: tuple[str, ...]

    @property
    def leading(self) -> float:
        return self.size * LEADING

    @property
    def widths(self) -> tuple[float, ...]:
        """Each line's width (measured on demand: left-aligned text never needs it)."""
        return tuple(text_width(line, self.font, self.size) for line in self.lines)


@lru_cache(maxsize=65536)
def text_width(text: str, font: str, size: float) -> float:
    """The width in points of text in a registered font."""
    # Names, streets and kelurahan repeat across a recap; measuring a TTF string is a Python loop per character.
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Pieces of a word too long for one line, each as long as fits (at least one character)."""
    pieces, start, used = [], 0, 0.0
    for index, char in enumerate(word):
        char_width = text_width(char, font, size)
        if used + char_width > width and index > start:
            pieces.append(word[start:index])
            start, used = index, 0.0
        used += char_width
    pieces.append(word[start:])
    return pieces


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than width; words longer than a line are broken between characters."""
    space = text_width(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for word in text.split():
        word_width = text_width(word, font, size)
        if current and current_width + space + word_width <= width:
            current.append(word)
            current_width += space + word_width
            continue
        if current:
            lines.append(" ".join(current))
        if word_width > width:
            *full, word = _break_word(word, font, size, width)
            lines.extend(full)
            word_width = text_width(word, font, size)
        current, current_width = [word], word_width
    if current:
        lines.append(" ".join(current))
    return lines


def cut(line: str, font: str, size: float, width: float) -> str:
    """The line shortened until it and a trailing '…' fit the width."""
    while line and text_width(line + ELLIPSIS, font, size) > width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS


def fit(text: str, font: str, width: float, height: float, size: float, min_size: float | None = None,
        max_lines: int | None = None) -> Fitted:
    """The largest size from `size` down to `min_size` at which the wrapped text fits; cut with '…' if none does."""
    min_size = min(size, min_size or size)
    text = " ".join(str(text or "").split())
    while True:
        size = min(size, height / LEADING)
        allowed = max(1, math.floor(height / (size * LEADING) + 1e-9))
        if max_lines:
            allowed = min(allowed, max_lines)
        room = width - 2 * INSET * size
        lines = wrap(text, font, size, room) or [""]
        if len(lines) <= allowed:
            break
        if size <= min_size:
            lines = lines[:allowed]
            lines[-1] = cut(lines[-1], font, size, room)
            break
        size = max(min_size, size - 0.5)
    return Fitted(font, size, tuple(lines))


def draw_fitted(text_object, fitted: Fitted, x: float, top: float, width: float, align: str = "left") -> None:
    """Write fitted lines into a reportlab text object, the first line's ascent touching `top`."""
    baseline = top - fitted.size * ASCENT
    text_object.setFont(fitted.font, fitted.size, fitted.leading)
    if align == "left":  # one origin, then T* line feeds: no per-line positioning or width measuring
        text_object.setTextOrigin(x + INSET * fitted.size, baseline)
        for line in fitted.lines:
            text_object.textLine(line)
        return
    for line, line_width in zip(fitted.lines, fitted.widths, strict=True):
        if align == "center":
            left = x + (width - line_width) / 2
        else:
            left = x + width - INSET * fitted.size - line_width
        text_object.setTextOrigin(left, baseline)
        text_object.textLine(line)
        baseline -= fitted.leading
