"""Fonts for generated PDFs: local TrueType files, so accented names (é, ß, ñ) render.

DejaVu Sans (Debian's fonts-dejavu-core) covers the most scripts and is used when present;
otherwise Bitstream Vera, which ships inside the reportlab wheel and so is always there.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "ShipdeskSans"
BOLD = "ShipdeskSans-Bold"

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"


def font_files() -> tuple[Path, Path]:
    """(regular, bold) TrueType files to embed."""
    dejavu = (_DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf")
    if all(p.is_file() for p in dejavu):
        return dejavu
    return _VERA / "Vera.ttf", _VERA / "VeraBd.ttf"


@cache
def register() -> tuple[str, str]:
    """Register the fonts with reportlab once per process; return (regular, bold) names."""
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    # <b> in paragraphs switches to the bold face.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
