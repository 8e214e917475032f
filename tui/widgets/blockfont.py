"""Solid block letters and digits at any scale: the big numbers read from two metres away.

Each glyph is a 5 by 7 bitmap. At scale ``s`` a pixel is ``s`` cells wide and ``s`` half-cells
tall, drawn with full and half blocks (``█ ▀ ▄``), so the strokes are solid at every size:
scale 1 is 4 rows tall, 2 is 7, 3 is 11, 4 is 14. Glyphs are half a pixel apart.
"""

from __future__ import annotations

import math

__all__ = ["GLYPH_ROWS", "block_lines", "block_rows", "block_width", "has_glyphs"]

_BITMAPS: dict[str, tuple[str, ...]] = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": (".###.", "#....", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."),
    ":": (".", "#", "#", ".", "#", "#", "."),
    ".": (".", ".", ".", ".", ".", "#", "#"),
    "-": ("...", "...", "...", "###", "...", "...", "..."),
    " ": ("...", "...", "...", "...", "...", "...", "..."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    "!": ("#", "#", "#", "#", "#", ".", "#"),
    "✓": (".....", "....#", "...##", "#.##.", "###..", ".#...", "....."),
    "▲": (".....", "..#..", ".###.", "#####", "#####", ".....", "....."),
    "▼": (".....", ".....", "#####", "#####", ".###.", "..#..", "....."),
    "■": (".....", "#####", "#####", "#####", "#####", "#####", "....."),
    "‖": (".....", "##.##", "##.##", "##.##", "##.##", "##.##", "....."),
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
}
"""Each glyph's seven pixel rows ("#" set); every row of a glyph is as wide as the others."""
GLYPH_ROWS = 7
"""Pixel rows in every glyph."""
_HALF = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def has_glyphs(text: str) -> bool:
    """Every character of ``text`` has a glyph in this font."""
    return all(c.upper() in _BITMAPS for c in text)


def block_rows(scale: int) -> int:
    """How many rows a glyph takes at ``scale``."""
    return math.ceil(GLYPH_ROWS * scale / 2)


def _gap(scale: int) -> int:
    """Columns between glyphs: half a pixel from scale 2 up (one column at scale 1).

    So three countdowns fit across a tablet's 113 columns at seven rows (a full pixel needs 120).
    """
    return max(scale // 2, 1)


def block_width(text: str, scale: int) -> int:
    """How many columns ``text`` takes at ``scale``."""
    glyphs = [_BITMAPS.get(c.upper(), _BITMAPS[" "]) for c in text]
    return sum(len(g[0]) * scale for g in glyphs) + max(len(glyphs) - 1, 0) * _gap(scale)


def _glyph_lines(bitmap: tuple[str, ...], scale: int) -> list[str]:
    """One glyph in solid blocks: each pixel row ``scale`` half-rows, each pixel ``scale`` columns."""
    half_rows = [row for row in bitmap for _ in range(scale)]
    if len(half_rows) % 2:
        half_rows.append("." * len(bitmap[0]))
    return [
        "".join(_HALF[(a == "#", b == "#")] * scale for a, b in zip(top, bottom, strict=True))
        for top, bottom in zip(half_rows[0::2], half_rows[1::2], strict=True)
    ]


def block_lines(text: str, scale: int) -> list[str]:
    """``text`` in solid blocks at ``scale`` (a character without a glyph is drawn as a space)."""
    drawn = [_glyph_lines(_BITMAPS.get(c.upper(), _BITMAPS[" "]), scale) for c in text]
    gap = " " * _gap(scale)
    return [gap.join(glyph[row] for glyph in drawn) for row in range(block_rows(scale))]
