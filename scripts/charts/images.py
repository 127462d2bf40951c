"""Images ready to publish, print and share, made from a chart's static drawing.

- ``<scheme>-credit.svg/.png``: the chart with its headline, subtitle, source line, credit and
  licence drawn in, so the credit CC BY asks for travels with the picture (as Our World in Data's
  grapher and Datawrapper exports do); ``light-print.png`` is the light one at least
  ``PRINT_WIDTH`` pixels wide.
- ``card.png``: the chart's social card (``CARD_SIZE``), and ``page_card`` for a page's card.
- Every SVG carries ``<title>`` and ``<desc>`` (``accessible``).

The composition is SVG: the chart's drawing is placed, unchanged, inside a document that adds the
texts, so the credit image is exactly the chart the page shows (nothing is laid out again by
Vega). SVG does not wrap text: lines are broken here, measured with the advance widths of DejaVu
Sans from the pinned npm package that the renders measure with (static.MEASURE_FONTS), the widest
face of the theme's font stack, so a reader's narrower face only leaves more room. PNGs are drawn
from the SVGs by vl-convert with those fonts registered: the same input gives the same bytes.

Imported by the render workers: nothing heavier than vl-convert.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from html import escape

import vl_convert as vlc

from scripts.charts.static import MEASURE_FONTS, PNG_SCALE, _register_measure_fonts

PRINT_WIDTH = 3000  # pixels, the least a print PNG is wide
CARD_SIZE = (1200, 630)  # what Open Graph and Twitter's large card show uncropped
CARD_SCHEME = "light"  # cards are shown on others' pages, mostly light
FACES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}  # by bold

# The credit image: margins and type sizes (px at 1x), the chart at its own size between them.
MARGIN = 20
TITLE_SIZE, SUBTITLE_SIZE, NOTE_SIZE = 18, 14, 12
LINE_HEIGHT = 1.3
# Cards: the headline at a size readable when a network shows the card 300 px wide (≥ 48 px is
# 12 px there); the largest size that keeps it within three lines, else the smallest.
CARD_MARGIN = 56
CARD_HEADLINE_SIZES = (64, 56, 48)
CARD_HEADLINE_LINES = 5  # at most; a longer headline ends in an ellipsis
PAGE_TITLE_SIZES = (88, 76, 64, 56)
CARD_LABEL_SIZE = 26  # the site's name above the headline
CARD_FOOTER_SIZE = 22  # credit and licence
CARD_CHART_ZOOM = 1.5  # a small chart may grow this much on a card


# ---------------------------------------------------------------------------
# Measuring and wrapping text


@dataclass(frozen=True)
class Face:
    """Advance widths of one font face (kerning, which only narrows text, is left out)."""

    units_per_em: int
    advances: dict[int, int]  # code point → advance, in font units
    missing: int  # the advance of a character the face lacks

    def width(self, text: str, size: float) -> float:
        return sum(self.advances.get(ord(char), self.missing) for char in text) * size / self.units_per_em


@cache
def face(bold: bool = False) -> Face:
    """The metrics of DejaVu Sans (Bold), read from the TrueType file's head, hhea, hmtx and cmap."""
    data = (MEASURE_FONTS / FACES[bold]).read_bytes()
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for index in range(count):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        tables[tag.decode("latin-1")] = offset
    (units,) = struct.unpack_from(">H", data, tables["head"] + 18)
    (metrics,) = struct.unpack_from(">H", data, tables["hhea"] + 34)
    glyph_advances = [struct.unpack_from(">H", data, tables["hmtx"] + 4 * glyph)[0] for glyph in range(metrics)]
    advances = {char: glyph_advances[min(glyph, metrics - 1)] for char, glyph in _cmap(data, tables["cmap"]).items()}
    return Face(units, advances, advances.get(ord("M"), units))


def _cmap(data: bytes, base: int) -> dict[int, int]:
    """Code point → glyph, from the Unicode cmap subtable (format 12, else format 4)."""
    (count,) = struct.unpack_from(">H", data, base + 2)
    subtables = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * index)
        subtables[(platform, encoding)] = base + offset
    for at in (subtables.get(key) for key in ((3, 10), (0, 4), (3, 1), (0, 3))):
        if at is None:
            continue
        (form,) = struct.unpack_from(">H", data, at)
        if form == 12:
            (groups,) = struct.unpack_from(">I", data, at + 12)
            glyphs = {}
            for group in range(groups):
                first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * group)
                glyphs.update((char, glyph + char - first) for char in range(first, last + 1))
            return glyphs
        if form == 4:
            return _cmap_format_4(data, at)
    raise ValueError("no Unicode cmap in the font")


def _cmap_format_4(data: bytes, at: int) -> dict[int, int]:
    (double,) = struct.unpack_from(">H", data, at + 6)
    ends = at + 14
    starts, deltas, ranges = ends + double + 2, ends + 2 * double + 2, ends + 3 * double + 2
    glyphs = {}
    for segment in range(double // 2):
        (last,), (first,) = struct.unpack_from(">H", data, ends + 2 * segment), struct.unpack_from(">H", data, starts + 2 * segment)
        (delta,), (offset,) = struct.unpack_from(">H", data, deltas + 2 * segment), struct.unpack_from(">H", data, ranges + 2 * segment)
        for char in range(first, min(last, 0xFFFE) + 1):
            if offset == 0:
                glyph = (char + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(">H", data, ranges + 2 * segment + offset + 2 * (char - first))
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                glyphs[char] = glyph
    return glyphs


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at ``size`` px: between words, and
    inside a word only when the word alone is wider than a line."""
    metrics = face(bold)
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if metrics.width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while metrics.width(word, size) > width and len(word) > 1:
            cut = max(1, max((n for n in range(1, len(word)) if metrics.width(word[:n], size) <= width), default=1))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def clamp(lines: list[str], most: int, size: float, width: float, bold: bool) -> list[str]:
    """At most ``most`` lines, the last ending in an ellipsis when some were left out."""
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while last and face(bold).width(last + "…", size) > width:
        last = last[:-1].rstrip()
    return [*lines[: most - 1], last + "…"]


# ---------------------------------------------------------------------------
# SVG pieces


@dataclass(frozen=True)
class Style:
    font: str
    background: str
    text: str
    muted: str


def style(captions: dict, scheme: str) -> Style:
    inks = captions["schemes"][scheme]
    return Style(captions["font"], inks["background"], inks["text"], inks["muted"])


def _text_block(lines: list[str], x: float, top: float, size: float, colour: str, font: str,
                bold: bool = False) -> tuple[str, float]:
    """SVG text elements for ``lines`` from ``top`` down; returns them and the block's height."""
    step = size * LINE_HEIGHT
    # The baseline sits where DejaVu's ascent (0.93 em) puts it, centred in the line's height.
    first = top + (step - size * 1.16) / 2 + size * 0.93
    weight = ' font-weight="bold"' if bold else ""
    elements = "".join(
        f'<text x="{_number(x)}" y="{_number(first + index * step)}" font-family="{escape(font)}" '
        f'font-size="{_number(size)}"{weight} fill="{colour}">{escape(line, quote=False)}</text>'
        for index, line in enumerate(lines)
    )
    return elements, step * len(lines)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


ROOT_TAG = re.compile(r"<svg\b[^>]*>")
LABELS = re.compile(r"^<title\b[^>]*>.*?</title><desc\b[^>]*>.*?</desc>", re.S)  # as accessible() writes them


def chart_parts(svg: str) -> tuple[float, float, str, str]:
    """(width, height, viewBox, content) of a chart's SVG document."""
    root = ROOT_TAG.search(svg)
    attributes = dict(re.findall(r'([\w:-]+)="([^"]*)"', root.group(0)))
    width, height = float(attributes["width"]), float(attributes["height"])
    view_box = attributes.get("viewBox", f"0 0 {attributes['width']} {attributes['height']}")
    content = LABELS.sub("", svg[root.end(): svg.rindex("</svg>")], count=1)  # a nested drawing is not named
    return width, height, view_box, content


def _placed(svg: str, x: float, y: float, scale: float = 1.0) -> str:
    """A chart's drawing moved to (x, y) and scaled: a group, not a nested SVG, which would make
    the PNG renderer draw it on a layer of its own (twice as slow) for a clip it never needs."""
    _, _, view_box, content = chart_parts(svg)
    left, top = (float(value) for value in view_box.split()[:2])
    shift = f" translate({_number(-left)},{_number(-top)})" if left or top else ""
    zoom = f" scale({scale:.4f})" if scale != 1 else ""
    return f'<g transform="translate({_number(x)},{_number(y)}){zoom}{shift}">{content}</g>'


def _document(width: float, height: float, body: str, labels: tuple[str, str, str] | None = None) -> str:
    """An SVG document; ``labels`` (id, title, description) name it for assistive technology."""
    head = ""
    aria = ""
    if labels is not None:
        ident, title, description = labels
        head = (f'<title id="{escape(ident)}-title">{escape(title, quote=False)}</title>'
                f'<desc id="{escape(ident)}-desc">{escape(description, quote=False)}</desc>')
        aria = f' role="img" aria-labelledby="{escape(ident)}-title" aria-describedby="{escape(ident)}-desc"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
            f'width="{_number(width)}" height="{_number(height)}" viewBox="0 0 {_number(width)} {_number(height)}"{aria}>'
            f"{head}{body}</svg>")


def accessible(svg: str, ident: str, title: str, description: str) -> str:
    """``svg`` with ``<title>`` and ``<desc>`` as the root's first children, and the root an image
    named by the title and described by the description."""
    root = ROOT_TAG.search(svg)
    tag = re.sub(r'\s(role|aria-labelledby|aria-describedby)="[^"]*"', "", root.group(0))
    tag = (tag[:-1] + f' role="img" aria-labelledby="{escape(ident)}-title" aria-describedby="{escape(ident)}-desc">')
    labels = (f'<title id="{escape(ident)}-title">{escape(title, quote=False)}</title>'
              f'<desc id="{escape(ident)}-desc">{escape(description, quote=False)}</desc>')
    rest = LABELS.sub("", svg[root.end():], count=1)  # named once, however often this runs
    return svg[: root.start()] + tag + labels + rest


# ---------------------------------------------------------------------------
# The credit image


def credit_svg(chart_svg: str, captions: dict, scheme: str) -> str:
    """The chart between its headline and subtitle above, and the credit line (credit, licence and
    the chart's source: scripts.project.credit_line) below."""
    look = style(captions, scheme)
    chart_width, chart_height, _, _ = chart_parts(chart_svg)
    width = chart_width + 2 * MARGIN
    column = chart_width - 8  # the chart's own padding each side keeps its plot off the edge
    x = MARGIN + 4
    parts, top = [], MARGIN
    for text, size, colour, bold, gap in (
        (captions["title"], TITLE_SIZE, look.text, True, 4),
        (captions.get("subtitle", ""), SUBTITLE_SIZE, look.muted, False, 10),
    ):
        if text:
            block, height = _text_block(wrap(text, size, column, bold), x, top, size, colour, look.font, bold)
            parts.append(block)
            top += height + gap
    parts.append(_placed(chart_svg, MARGIN, top))
    top += chart_height + 10
    block, height = _text_block(wrap(captions["credit_line"], NOTE_SIZE, column), x, top, NOTE_SIZE, look.muted,
                                look.font)
    parts.append(block)
    top += height
    height = math.ceil(top + MARGIN - 4)
    background = f'<rect width="100%" height="100%" fill="{look.background}"/>'
    return _document(width, height, background + "".join(parts),
                     (captions["id"], captions["title"], captions["description"]))


def print_scale(svg: str) -> float:
    """The scale that draws ``svg`` at least PRINT_WIDTH pixels wide."""
    width = chart_parts(svg)[0]
    return math.ceil(PRINT_WIDTH / width * 1000) / 1000


# ---------------------------------------------------------------------------
# Social cards


def _card_headline(text: str, sizes: tuple[int, ...], width: float) -> tuple[list[str], int]:
    """The headline's lines and size: the largest size that keeps it within three lines without
    breaking a word, else the smallest size."""
    for size in sizes:
        lines = wrap(text, size, width, bold=True)
        if len(lines) <= 3 and all(face(True).width(word, size) <= width for word in text.split()):
            return lines, size
    size = sizes[-1]
    return clamp(wrap(text, size, width, bold=True), CARD_HEADLINE_LINES, size, width, True), size


def _fit(chart_svg: str, left: float, top: float, box_width: float, box_height: float, align: str) -> str:
    """The chart scaled to fit a box (growing at most CARD_CHART_ZOOM), centred in its height,
    and in its width or against its right side (``align``: "center" or "right")."""
    chart_width, chart_height, _, _ = chart_parts(chart_svg)
    scale = min(box_width / chart_width, box_height / chart_height, CARD_CHART_ZOOM)
    x = left + (box_width - chart_width * scale) * (0.5 if align == "center" else 1)
    return _placed(chart_svg, x, top + (box_height - chart_height * scale) / 2, scale)


def _one_line(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    return clamp(wrap(text, size, width, bold), 1, size, width, bold)


def _card_footer(captions: dict, width: float, look) -> tuple[str, float]:
    """The card's credit line, whole, across its foot: (SVG, where its first line starts)."""
    credit = wrap(captions["card_credit"], CARD_FOOTER_SIZE, width)
    top = CARD_SIZE[1] - CARD_MARGIN + 12 - CARD_FOOTER_SIZE * LINE_HEIGHT * len(credit)
    block, _ = _text_block(credit, CARD_MARGIN, top, CARD_FOOTER_SIZE, look.muted, look.font)
    return block, top


def chart_card_svg(chart_svg: str, captions: dict) -> str:
    """The chart's card: the headline across the top; below it the site's name on the left, the
    chart on the right; the credit line, with the report's short citation, across the foot (a
    shared claim says whose it is)."""
    look = style(captions, CARD_SCHEME)
    width, height = CARD_SIZE
    inner = width - 2 * CARD_MARGIN
    lines, size = _card_headline(captions["title"], CARD_HEADLINE_SIZES, inner)
    parts, top = [], CARD_MARGIN - 12
    block, block_height = _text_block(lines, CARD_MARGIN, top, size, look.text, look.font, True)
    parts.append(block)
    footer, footer_top = _card_footer(captions, inner, look)
    parts.append(footer)
    band_top, band_bottom = top + block_height + 16, footer_top - 12
    column = 380
    site = wrap(captions["site"], CARD_LABEL_SIZE, column, True)[:2]
    block, _ = _text_block(site, CARD_MARGIN, band_bottom - CARD_LABEL_SIZE * LINE_HEIGHT * len(site), CARD_LABEL_SIZE,
                           look.text, look.font, True)
    parts.append(block)
    if band_bottom - band_top > 40:
        left = CARD_MARGIN + column + 32
        parts.append(_fit(chart_svg, left, band_top, width - CARD_MARGIN - left, band_bottom - band_top, "center"))
    background = f'<rect width="100%" height="100%" fill="{look.background}"/>'
    return _document(width, height, background + "".join(parts))


def page_card_svg(title: str, captions: dict, chart_svg: str | None = None, label: str | None = None) -> str:
    """A page's card: the site's name (or ``label``) above the page's title, large; the page's lead
    chart, if any, beside them on the right; the credit line across the foot."""
    look = style(captions, CARD_SCHEME)
    width, height = CARD_SIZE
    inner = width - 2 * CARD_MARGIN
    column = inner * 0.42 if chart_svg is not None else inner
    parts, top = [], CARD_MARGIN - 8
    label = captions["site"] if label is None else label
    if label:
        block, block_height = _text_block(_one_line(label, CARD_LABEL_SIZE, column, True), CARD_MARGIN, top,
                                          CARD_LABEL_SIZE, look.muted, look.font, True)
        parts.append(block)
        top += block_height + 10
    lines, size = _card_headline(title, PAGE_TITLE_SIZES, column)
    block, _ = _text_block(lines, CARD_MARGIN, top, size, look.text, look.font, True)
    parts.append(block)
    footer, footer_top = _card_footer(captions, inner, look)
    parts.append(footer)
    if chart_svg is not None:
        left = CARD_MARGIN + column + 40
        parts.append(_fit(chart_svg, left, CARD_MARGIN, width - CARD_MARGIN - left, footer_top - 16 - CARD_MARGIN,
                          "right"))
    background = f'<rect width="100%" height="100%" fill="{look.background}"/>'
    return _document(width, height, background + "".join(parts))


def png(svg: str, scale: float = 1.0) -> bytes:
    """``svg`` drawn as a PNG, its pixel data deflated again: vl-convert favours speed, and these
    images are large (a print PNG shrinks about fourfold; the pixels are the same)."""
    _register_measure_fonts()
    return recompressed(vlc.svg_to_png(svg, scale=scale))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def recompressed(data: bytes, level: int = 6) -> bytes:
    """A PNG with its image data (the IDAT chunks) deflated at ``level`` into one chunk."""
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack_from(">I", data, at)
        chunks.append((data[at + 4: at + 8], data[at + 8: at + 8 + length]))
        at += length + 12
    pixels = zlib.compress(zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT")), level)
    first = next(index for index, (kind, _) in enumerate(chunks) if kind == b"IDAT")
    kept = [chunk for chunk in chunks if chunk[0] != b"IDAT"]
    ordered = [*kept[:first], (b"IDAT", pixels), *kept[first:]]
    return PNG_SIGNATURE + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)) for kind, body in ordered
    )


# ---------------------------------------------------------------------------
# What a chart's render adds


def publish_files(chart_id: str, files: dict[str, bytes], captions: dict) -> dict[str, bytes]:
    """The publish-ready images of a drawn chart, and its SVGs with <title> and <desc>.

    ``files`` are the render's files so far (the bare ``<scheme>.svg`` among them); ``captions``
    the texts (title, subtitle, description, source, credit, licence, licence_url, site), the
    font, each scheme's inks (background, text, muted) and the file name of each image by its
    role (project.CHART_IMAGES), as export.plan_render gives them.
    """
    names = captions["files"]
    added: dict[str, bytes] = {}
    for scheme in captions["schemes"]:
        bare = files[f"{scheme}.svg"].decode("utf-8")
        credit = credit_svg(bare, captions, scheme)
        added[names[f"credit-svg-{scheme}"]] = credit.encode("utf-8")
        added[names[f"credit-png-{scheme}"]] = png(credit, PNG_SCALE)
        if scheme == CARD_SCHEME:
            added[names["print-png"]] = png(credit, print_scale(credit))
            added[names["card"]] = png(chart_card_svg(bare, captions))
    for name, data in files.items():
        if name.endswith(".svg"):
            added[name] = accessible(data.decode("utf-8"), chart_id, captions["title"], captions["description"]).encode("utf-8")
    return added
