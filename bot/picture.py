"""The timeline as a picture: the knowledge's dated events on a time axis, drawn with Pillow as a PNG.

Pure: no Discord, no files. layout() places every text, marker and leader line and keeps
their boxes (tests assert on them: every label inside the canvas, none overlapping);
draw() paints a layout; render() does both and encodes the PNG; PictureCache renders
each picture once per loaded knowledge.

The axis: when the last year holds most of the events (2019 here: five of seven), it is
drawn month by month after a break, and the earlier years share the rest of the width.
Events alternate above and below the axis; within each side their labels keep date order
and are pushed apart only as far as they must, so leader lines never cross.

The font is the one Pillow bundles (Aileron, scalable since Pillow 10.1), so the picture
looks the same on every machine; bold is drawn as a one-pixel stroke.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.errors import DataError
from bot.knowledge import KNOWLEDGE_FILE, Knowledge
from bot.models import Event, Fact

Box = tuple[int, int, int, int]  # left, top, right, bottom
Colour = tuple[int, int, int]

WIDTH = 1200
MARGIN = 36
SUPERSAMPLE = 2  # drawn at twice the size and scaled down: smooth circles and lines
CORNER = 18
BORDER = 2

TITLE_SIZE = 32
TAG_SIZE = 26
DATE_SIZE = 26
CAPTION_SIZE = 24
AXIS_SIZE = 20
FOOTER_SIZE = 19

LABEL_WIDTH = 262  # the widest a label's text may run before it wraps
LABEL_PAD_X = 11
LABEL_PAD_Y = 8
LINE_GAP = 3
LABEL_GAP = 14  # between two labels on the same side
LEADER = 46  # from the axis to the nearest labels
AXIS_HEIGHT = 60
BREAK = 30  # the gap that cuts the axis before the zoomed year
ZOOM_SHARE = 0.64  # of the axis width, for the zoomed year
ZOOM_MIN_EVENTS = 3
MARKER = 7
MARKER_HIGHLIGHT = 10
CAPTION_LIMIT = 40
# Characters the bundled font lacks, and what stands in for them.
_SUBSTITUTES = str.maketrans({"–": "-", "—": "-", "−": "-", "…": "..."})

MONTHS = tuple(calendar.month_abbr[m] for m in range(1, 13))
FOOTER = "Dates as the article gives them; the quotes are in the message."


@dataclass(frozen=True, slots=True)
class Palette:
    """The picture's colours: an opaque dark card, readable on Discord's light and dark themes alike."""

    card: Colour = (0x1B, 0x1C, 0x20)
    border: Colour = (0x4E, 0x50, 0x58)
    axis: Colour = (0x2E, 0x30, 0x36)
    axis_line: Colour = (0x4E, 0x50, 0x58)
    axis_highlight: Colour = (0x4D, 0x3F, 0x16)
    label: Colour = (0x25, 0x27, 0x2C)
    label_highlight: Colour = (0x3A, 0x30, 0x18)
    text: Colour = (0xF2, 0xF3, 0xF5)
    muted: Colour = (0xB5, 0xBA, 0xC1)
    dim: Colour = (0x8E, 0x92, 0x9B)
    accent: Colour = (0x8F, 0xA8, 0xFF)
    highlight: Colour = (0xFF, 0xC4, 0x4D)
    now: Colour = (0x5E, 0xE5, 0x9A)


PALETTE = Palette()


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text as drawn: where, how big, in which colour, over which background."""

    text: str
    box: Box
    role: str  # title, tag, year, month, date, caption, footer
    size: int
    colour: Colour
    background: Colour
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Label:
    """An event (or the article's now) on the axis: its marker, its leader line and its text."""

    key: str  # the fact's id, or "now"
    date: str  # the event's sort key
    x: int  # where on the axis
    above: bool
    box: Box
    texts: tuple[Text, ...]
    highlighted: bool
    dimmed: bool

    @property
    def anchor(self) -> tuple[int, int]:
        """The marker's centre, on the axis edge the label is on."""
        return self.x, self.box[3] + LEADER if self.above else self.box[1] - LEADER

    @property
    def leader_end(self) -> tuple[int, int]:
        """Where the leader line meets the label: straight up or down when the label is over the marker."""
        left, top, right, bottom = self.box
        x = min(max(self.x, left + CORNER), right - CORNER)
        return x, bottom if self.above else top


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the axis: the years from start to end (as fractional years) over pixels x0 to x1."""

    start: float
    end: float
    x0: int
    x1: int
    by_month: bool

    def x(self, when: float) -> int:
        """The pixel column of a moment in this segment."""
        return round(self.x0 + (when - self.start) / (self.end - self.start) * (self.x1 - self.x0))

    def holds(self, when: float) -> bool:
        """Whether the moment falls in this segment."""
        return self.start <= when < self.end or (when == self.end and self.by_month)


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything the picture shows, placed: draw() only paints this."""

    width: int
    height: int
    year: int | None
    axis: Box
    segments: tuple[Segment, ...]
    highlight: tuple[int, int] | None  # the highlighted year's stretch of the axis
    labels: tuple[Label, ...]
    texts: tuple[Text, ...]  # title, tag, axis labels and footer (the labels' own texts are in labels)
    palette: Palette = PALETTE

    @property
    def all_texts(self) -> list[Text]:
        """Every text on the picture."""
        return [*self.texts, *(t for label in self.labels for t in label.texts)]


@dataclass(frozen=True, slots=True)
class Picture:
    """A rendered timeline: the PNG, a file name, the alt text, and the layout it was drawn from."""

    png: bytes
    filename: str
    alt_text: str
    layout: Layout

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return self.layout.width, self.layout.height


class LayoutError(ValueError):
    """The events do not fit on the picture."""


# -- text --------------------------------------------------------------------------------------


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """The bundled font at a size (in pixels)."""
    loaded = ImageFont.load_default(size=size)
    if not isinstance(loaded, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType: the timeline picture needs it")
    return loaded


def _stroke(bold: bool, scale: int = 1) -> int:
    return scale if bold else 0


def line_height(size: int) -> int:
    """The height of one line of text at a size: ascent plus descent."""
    ascent, descent = font(size).getmetrics()
    return int(ascent + descent)


def text_width(text: str, size: int, *, bold: bool = False) -> int:
    """How wide text is drawn at a size."""
    return int(font(size).getlength(text) + 0.999) + 2 * _stroke(bold)


def missing_glyphs(text: str, size: int = CAPTION_SIZE) -> set[str]:
    """Characters of text the bundled font draws as an empty box."""
    notdef = _glyph("\ue000", size)  # a private-use code point: the font's missing-glyph box
    return {ch for ch in set(text) if not ch.isspace() and _glyph(ch, size) == notdef}


def _glyph(ch: str, size: int) -> bytes:
    image = Image.new("L", (size * 2, size * 2))
    ImageDraw.Draw(image).text((0, 0), ch, font=font(size), fill=255)
    return image.tobytes()


def wrap(text: str, size: int, width: int, *, bold: bool = False) -> list[str]:
    """text in lines no wider than width, as even as they can be: "Half a year later (late 2019)" breaks
    before its bracket, "Pop-up store due to close" as "Pop-up store / due to close" (no lone last word)."""
    lines = _greedy(text, size, width, bold)
    if len(lines) == 2 and " (" in text:
        head, _, tail = text.partition(" (")
        if text_width(head, size, bold=bold) <= width and text_width(f"({tail}", size, bold=bold) <= width:
            return [head, f"({tail}"]
    narrowest = width
    low, high = 1, width
    while len(lines) > 1 and low <= high:  # the narrowest width that needs no more lines
        middle = (low + high) // 2
        if len(_greedy(text, size, middle, bold)) == len(lines):
            narrowest, high = middle, middle - 1
        else:
            low = middle + 1
    return _greedy(text, size, narrowest, bold)


def _greedy(text: str, size: int, width: int, bold: bool) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit(text: str, size: int, width: int, *, bold: bool = False) -> str:
    """text cut with an ellipsis to fit width on one line."""
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "...", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def clean(text: str) -> str:
    """text with the typography the bundled font lacks replaced (dashes, ellipsis)."""
    return " ".join(text.translate(_SUBSTITUTES).split())


def caption(fact: Fact) -> str:
    """The few words shown beside an event's date: its caption, or the start of the fact's text."""
    if fact.event is not None and fact.event.caption:
        return clean(fact.event.caption)
    words = clean(fact.text.split(". ")[0]).split()
    shown = ""
    for word in words:
        if len(f"{shown} {word}".strip()) > CAPTION_LIMIT - 3:
            return shown.rstrip(",;:") + "..."
        shown = f"{shown} {word}".strip()
    return shown


# -- time --------------------------------------------------------------------------------------


def moment(sort_key: str) -> float:
    """A date key as a fractional year: a year or month alone sits in its middle, a day at its noon."""
    parts = [int(p) for p in sort_key.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return year + 0.5
    if len(parts) == 2:
        return year + (parts[1] - 0.5) / 12
    day = datetime.date(year, parts[1], parts[2])
    days = 366 if calendar.isleap(year) else 365
    return year + (day.timetuple().tm_yday - 0.5) / days


def segments(years: Sequence[int], zoom: bool, x0: int, x1: int) -> tuple[Segment, ...]:
    """The axis: whole years, or the earlier years then a break then the last year month by month."""
    first, last = min(years), max(years)
    if not zoom:
        return (Segment(first, last + 1, x0, x1, by_month=False),)
    split = round(x0 + (x1 - x0) * (1 - ZOOM_SHARE))
    return (
        Segment(first, last, x0, split - BREAK // 2, by_month=False),
        Segment(last, last + 1, split + BREAK // 2, x1, by_month=True),
    )


def x_of(axis: Sequence[Segment], when: float) -> int:
    """The pixel column of a moment on the axis."""
    for segment in axis:
        if segment.holds(when):
            return segment.x(when)
    raise LayoutError(f"{when:.2f} is off the axis")


# -- layout ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    key: str
    event: Event
    lines: list[tuple[str, int, bool]]  # text, size, bold
    x: int
    highlighted: bool
    dimmed: bool
    width: int = 0
    height: int = 0


def spread(centres: Sequence[float], widths: Sequence[int], lo: int, hi: int, gap: int) -> list[int]:
    """Left edges for boxes in order, each as near its centre as it can be without overlapping.

    Boxes that would overlap are merged into a run placed at the mean of its members'
    wishes (which minimises the squared shifts), clamped to [lo, hi]; order is kept.
    """
    total = sum(widths) + gap * (len(widths) - 1)
    if total > hi - lo:
        raise LayoutError(f"labels {total} px wide do not fit in {hi - lo} px")
    runs: list[tuple[int, int, float]] = []  # first index, end index, left edge

    def run_width(first: int, end: int) -> int:
        return sum(widths[first:end]) + gap * (end - first - 1)

    def place(first: int, end: int) -> float:
        offsets, at = [], 0
        for i in range(first, end):
            offsets.append(at + widths[i] / 2)
            at += widths[i] + gap
        wish = sum(centres[i] - o for i, o in zip(range(first, end), offsets, strict=True)) / (end - first)
        return min(max(wish, lo), hi - run_width(first, end))

    for index in range(len(widths)):
        runs.append((index, index + 1, place(index, index + 1)))
        while len(runs) > 1:
            first, _, left = runs[-2]
            _, end, right_left = runs[-1]
            if left + run_width(first, runs[-2][1]) + gap <= right_left:
                break
            runs[-2:] = [(first, end, place(first, end))]
    lefts: list[int] = []
    for first, end, left in runs:
        at = left
        for i in range(first, end):
            lefts.append(round(at))
            at += widths[i] + gap
    return lefts


def layout(knowledge: Knowledge, year: int | None = None, palette: Palette = PALETTE) -> Layout:
    """Place everything the timeline picture shows; year, if given, is highlighted."""
    events = [f for f in knowledge.timeline() if f.event is not None]
    if not events:
        raise LayoutError("the knowledge has no dated events")
    now = knowledge.now
    dated = [(f.id, f.event) for f in events if f.event is not None]
    if now is not None:
        dated.append(("now", now))
    dated.sort(key=lambda pair: moment(pair[1].sort_key))
    years = sorted({e.year for _, e in dated})
    last_year = [e for _, e in dated if e.year == years[-1]]
    zoom = len(years) > 1 and len(last_year) >= ZOOM_MIN_EVENTS

    top = MARGIN
    title_size, tag_size = TITLE_SIZE, TAG_SIZE
    texts: list[Text] = []
    tag_width = 0
    if year is not None:
        tag = f"{year} highlighted"
        tag_width = text_width(tag, tag_size, bold=True)
        box = (WIDTH - MARGIN - tag_width, top + 4, WIDTH - MARGIN, top + 4 + line_height(tag_size))
        texts.append(Text(tag, box, "tag", tag_size, palette.highlight, palette.card, bold=True))
    room = WIDTH - 2 * MARGIN - (tag_width + 24 if tag_width else 0)
    title = fit(clean(f"Timeline: {knowledge.article.title}"), title_size, room, bold=True)
    title_box = (MARGIN, top, MARGIN + text_width(title, title_size, bold=True), top + line_height(title_size))
    texts.append(Text(title, title_box, "title", title_size, palette.text, palette.card, bold=True))
    top = title_box[3] + 22

    axis_left, axis_right = MARGIN + 8, WIDTH - MARGIN - 8
    axis_segments = segments(years, zoom, axis_left, axis_right)
    items: list[_Item] = []
    for key, event in dated:
        chosen = year is not None and event.year == year and key != "now"
        if key == "now":
            lines = [(f"Now: {clean(event.label)}", DATE_SIZE, True), ("when the article was written", CAPTION_SIZE, False)]
        else:
            lines = [(clean(event.label), DATE_SIZE, True), (caption(knowledge.facts[key]), CAPTION_SIZE, False)]
        wrapped = [(line, size, bold) for text, size, bold in lines for line in wrap(text, size, LABEL_WIDTH, bold=bold)]
        item = _Item(key, event, wrapped, x_of(axis_segments, moment(event.sort_key)), chosen, year is not None and not chosen)
        item.width = max(text_width(t, s, bold=b) for t, s, b in wrapped) + 2 * LABEL_PAD_X
        item.height = sum(line_height(s) for _, s, _ in wrapped) + LINE_GAP * (len(wrapped) - 1) + 2 * LABEL_PAD_Y
        items.append(item)

    # Alternate sides in date order; each side keeps date order, so leader lines never cross.
    above, below = items[0::2], items[1::2]
    above_height = max((i.height for i in above), default=0)
    below_height = max((i.height for i in below), default=0)
    axis_top = top + above_height + LEADER
    axis_box = (axis_left, axis_top, axis_right, axis_top + AXIS_HEIGHT)
    labels: list[Label] = []
    for side, is_above in ((above, True), (below, False)):
        if not side:
            continue
        lefts = spread([i.x for i in side], [i.width for i in side], MARGIN, WIDTH - MARGIN, LABEL_GAP)
        for item, left in zip(side, lefts, strict=True):
            if is_above:
                box = (left, axis_box[1] - LEADER - item.height, left + item.width, axis_box[1] - LEADER)
            else:
                box = (left, axis_box[3] + LEADER, left + item.width, axis_box[3] + LEADER + item.height)
            labels.append(_label(item, box, is_above, palette))

    texts += _axis_texts(axis_segments, axis_box, years, year, palette)
    highlight = _highlight(axis_segments, year)
    bottom = axis_box[3] + LEADER + below_height + 20
    footer_box = (MARGIN, bottom, MARGIN + text_width(FOOTER, FOOTER_SIZE), bottom + line_height(FOOTER_SIZE))
    texts.append(Text(FOOTER, footer_box, "footer", FOOTER_SIZE, palette.muted, palette.card))
    height = footer_box[3] + MARGIN - 8
    labels.sort(key=lambda label: (moment(label.date), label.key))
    return Layout(WIDTH, height, year, axis_box, axis_segments, highlight, tuple(labels), tuple(texts), palette)


def _label(item: _Item, box: Box, above: bool, palette: Palette) -> Label:
    background = palette.label_highlight if item.highlighted else palette.label
    texts: list[Text] = []
    y = box[1] + LABEL_PAD_Y
    for index, (line, size, bold) in enumerate(item.lines):
        if item.key == "now":
            colour = palette.now if bold else palette.muted
        elif item.dimmed:
            colour = palette.dim
        elif bold:
            colour = palette.highlight if item.highlighted else palette.accent
        else:
            colour = palette.text
        height = line_height(size)
        x = box[0] + LABEL_PAD_X
        texts.append(
            Text(line, (x, y, x + text_width(line, size, bold=bold), y + height), _role(bold), size, colour, background, bold)
        )
        y += height + (LINE_GAP if index < len(item.lines) - 1 else 0)
    return Label(item.key, item.event.sort_key, item.x, above, box, tuple(texts), item.highlighted, item.dimmed)


def _role(bold: bool) -> str:
    return "date" if bold else "caption"


def _axis_texts(axis: Sequence[Segment], box: Box, years: Sequence[int], year: int | None, palette: Palette) -> list[Text]:
    """Year labels in the axis's upper row; month names in its lower row where it is drawn by month."""
    height = line_height(AXIS_SIZE)
    upper = box[1] + (AXIS_HEIGHT // 2 - height) // 2 + 2
    lower = box[1] + AXIS_HEIGHT // 2 + (AXIS_HEIGHT // 2 - height) // 2 - 2
    texts: list[Text] = []
    span = _highlight(axis, year)

    def add(text: str, centre: float, y: int, role: str, left: int, right: int) -> None:
        x, end = _centred(text_width(text, AXIS_SIZE, bold=role == "year"), centre, left, right)
        width = end - x
        candidate = (x, y, end, y + height)
        if any(_overlap(candidate, t.box, 12) for t in texts):
            return
        chosen = role == "year" and text == str(year)
        colour = palette.highlight if chosen else palette.text if role == "year" else palette.muted
        lit = span is not None and span[0] <= x and x + width <= span[1]
        background = palette.axis_highlight if lit else palette.axis
        texts.append(Text(text, candidate, role, AXIS_SIZE, colour, background, bold=role == "year"))

    event_years = set(years)
    for segment in axis:
        if segment.by_month:
            add(str(int(segment.start)), (segment.x0 + segment.x1) / 2, upper, "year", segment.x0, segment.x1)
            for month, name in enumerate(MONTHS):
                centre = segment.x(segment.start + (month + 0.5) / 12)
                add(name, centre, lower, "month", segment.x0, segment.x1)
            continue
        first, end = int(segment.start), int(segment.end)
        # Years with events first, then the first year and every fifth, as room allows.
        wanted = [y for y in range(first, end) if y in event_years]
        wanted += [y for y in range(first, end) if y not in event_years and (y == first or y % 5 == 0)]
        for shown in wanted:
            add(
                str(shown),
                segment.x(shown + 0.5),
                upper if len(axis) > 1 else (upper + lower) // 2,
                "year",
                segment.x0,
                segment.x1,
            )
    return texts


def _highlight(axis: Sequence[Segment], year: int | None) -> tuple[int, int] | None:
    if year is None:
        return None
    for segment in axis:
        if segment.by_month and int(segment.start) == year:
            return segment.x0, segment.x1
        if not segment.by_month and segment.start <= year < segment.end:
            # At least as wide as the year's label, which is wider than a year of a long axis.
            label = _centred(text_width(str(year), AXIS_SIZE, bold=True), segment.x(year + 0.5), segment.x0, segment.x1)
            left, right = min(segment.x(year), label[0] - 6), max(segment.x(year + 1), label[1] + 6)
            return max(left, segment.x0), min(right, segment.x1)
    return None


def _centred(width: int, centre: float, left: int, right: int) -> tuple[int, int]:
    """A span of width centred on centre, shifted to stay 4 px inside left and right."""
    x = round(min(max(centre - width / 2, left + 4), right - 4 - width))
    return x, x + width


def _overlap(a: Box, b: Box, gap: int = 0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] and b[1] < a[3]


# -- drawing -----------------------------------------------------------------------------------


def draw(plan: Layout) -> Image.Image:
    """Paint a layout: an RGBA image with rounded, transparent corners."""
    s = SUPERSAMPLE
    palette = plan.palette
    canvas = Image.new("RGB", (plan.width * s, plan.height * s), palette.card)
    pen = ImageDraw.Draw(canvas)

    axis = plan.axis
    for segment in plan.segments:
        pen.rounded_rectangle(_times((segment.x0, axis[1], segment.x1, axis[3]), s), radius=10 * s, fill=palette.axis)
    if plan.highlight is not None:
        left, right = plan.highlight
        pen.rounded_rectangle(_times((left, axis[1], right, axis[3]), s), radius=6 * s, fill=palette.axis_highlight)
    for segment in plan.segments:
        _draw_ticks(pen, segment, axis, palette, s)
    if len(plan.segments) > 1:
        gap_left, gap_right = plan.segments[0].x1, plan.segments[1].x0
        for offset in (-5, 5):
            centre = (gap_left + gap_right) / 2 + offset
            pen.line(
                [((centre - 5) * s, (axis[3] + 6) * s), ((centre + 5) * s, (axis[1] - 6) * s)], fill=palette.muted, width=3 * s
            )

    for label in plan.labels:
        _draw_label(pen, label, palette, s)
    for text in plan.texts:
        _draw_text(pen, text, s)

    # Scaling down by a whole factor averages each square of pixels: smooth edges, and fast.
    inner = _rounded_mask(plan.width * s, plan.height * s, (CORNER - BORDER) * s, BORDER * s).reduce(s)
    card = Image.new("RGB", (plan.width, plan.height), palette.border)
    card.paste(canvas.reduce(s), (0, 0), inner)
    card.putalpha(_rounded_mask(plan.width * s, plan.height * s, CORNER * s, 0).reduce(s))
    return _few_colours(card)


def _few_colours(image: Image.Image) -> Image.Image:
    """The image in 256 colours, alpha included: it looks the same and its PNG is a fifth of the size.

    Quantising leaves the card's inside at alpha 254 here and there; it is opaque, so snap those back.
    """
    few = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    palette = few.getpalette("RGBA") or []
    palette[3::4] = [255 if alpha >= 250 else alpha for alpha in palette[3::4]]
    few.putpalette(palette, "RGBA")
    return few


def _rounded_mask(width: int, height: int, radius: int, inset: int) -> Image.Image:
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((inset, inset, width - 1 - inset, height - 1 - inset), radius=radius, fill=255)
    return mask


def _draw_ticks(pen: ImageDraw.ImageDraw, segment: Segment, axis: Box, palette: Palette, s: int) -> None:
    """Short marks at the bottom of the axis between years (or months)."""
    steps = 12 if segment.by_month else round(segment.end - segment.start)
    for step in range(1, steps):
        x = segment.x0 + (segment.x1 - segment.x0) * step / steps
        pen.line([(x * s, (axis[3] - 9) * s), (x * s, (axis[3] - 2) * s)], fill=palette.axis_line, width=2 * s)


def _draw_label(pen: ImageDraw.ImageDraw, label: Label, palette: Palette, s: int) -> None:
    if label.key == "now":
        colour = palette.now
    elif label.highlighted:
        colour = palette.highlight
    elif label.dimmed:
        colour = palette.dim
    else:
        colour = palette.accent
    (ax, ay), (lx, ly) = label.anchor, label.leader_end
    width = 3 if label.highlighted else 2
    if label.key == "now":
        _dashed(pen, (ax * s, ay * s), (lx * s, ly * s), colour, width * s, 8 * s)
    else:
        pen.line([(ax * s, ay * s), (lx * s, ly * s)], fill=colour, width=width * s)
    background = palette.label_highlight if label.highlighted else palette.label
    outline = colour if label.highlighted or label.key == "now" else palette.axis_line
    pen.rounded_rectangle(
        _times(label.box, s), radius=10 * s, fill=background, outline=outline, width=(2 if label.highlighted else 1) * s
    )
    radius = MARKER_HIGHLIGHT if label.highlighted else MARKER
    if label.key == "now":
        pen.regular_polygon((ax * s, ay * s, (radius + 3) * s), 4, rotation=45, fill=colour, outline=palette.card, width=2 * s)
    else:
        pen.ellipse(
            ((ax - radius) * s, (ay - radius) * s, (ax + radius) * s, (ay + radius) * s),
            fill=colour,
            outline=palette.card,
            width=2 * s,
        )
    for text in label.texts:
        _draw_text(pen, text, s)


def _times(box: Box, s: int) -> Box:
    return (box[0] * s, box[1] * s, box[2] * s, box[3] * s)


def _dashed(
    pen: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], colour: Colour, width: int, dash: int
) -> None:
    (x0, y0), (x1, y1) = start, end
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1)
    steps = int(length // dash)
    for step in range(0, steps, 2):
        a, b = step / steps, min((step + 1) / steps, 1)
        pen.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=colour, width=width)


def _draw_text(pen: ImageDraw.ImageDraw, text: Text, s: int) -> None:
    stroke = _stroke(text.bold, s)
    pen.text(
        ((text.box[0] + _stroke(text.bold)) * s, text.box[1] * s),
        text.text,
        font=font(text.size * s),
        fill=text.colour,
        anchor="la",
        stroke_width=stroke,
        stroke_fill=text.colour,
    )


# -- the picture -------------------------------------------------------------------------------


def check(knowledge: Knowledge) -> None:
    """Raise DataError if the timeline picture, whole or for any year, cannot be laid out (for `check`)."""
    for year in (None, *knowledge.years):
        try:
            layout(knowledge, year)
        except LayoutError as exc:
            raise DataError(KNOWLEDGE_FILE, "timeline picture", f"the dated events do not fit: {exc}") from exc


def alt_text(knowledge: Knowledge, year: int | None = None) -> str:
    """What the picture shows, in words, for screen readers (Discord's attachment description)."""
    parts = [f"Timeline of the article “{knowledge.article.title}”."]
    for fact in knowledge.timeline():
        if fact.event is not None:
            parts.append(f"{fact.event.label}: {caption(fact)}.")
    if knowledge.now is not None:
        parts.append(f"The article's now, {knowledge.now.label}, is marked.")
    if year is not None:
        parts.append(f"Events of {year} are highlighted.")
    return " ".join(parts)


def render(knowledge: Knowledge, year: int | None = None) -> Picture:
    """Lay out, draw and encode the timeline picture (a few tens of milliseconds: cache it)."""
    plan = layout(knowledge, year)
    buffer = io.BytesIO()
    draw(plan).save(buffer, format="PNG")  # optimize=True would take five times as long for 5% less
    name = f"timeline-{year}.png" if year is not None else "timeline.png"
    return Picture(buffer.getvalue(), name, alt_text(knowledge, year), plan)


class PictureCache:
    """Each picture rendered once per loaded knowledge: a reload (a new Knowledge) starts afresh.

    Safe to call from worker threads; a picture is drawn by the first caller that needs it.
    """

    def __init__(self) -> None:
        self._knowledge: Knowledge | None = None
        self._pictures: dict[int | None, Picture] = {}
        self._lock = threading.Lock()
        self.renders = 0  # how many pictures were drawn, for tests and logs

    def get(self, knowledge: Knowledge, year: int | None = None) -> Picture:
        """The timeline picture for knowledge, with year highlighted; rendered on first use."""
        with self._lock:
            if knowledge is not self._knowledge:
                self._knowledge, self._pictures = knowledge, {}
            picture = self._pictures.get(year)
            if picture is None:
                picture = self._pictures[year] = render(knowledge, year)
                self.renders += 1
            return picture

    def warm(self, knowledge: Knowledge) -> None:
        """Render the whole timeline and each year's, so no request waits for a drawing."""
        for year in (None, *knowledge.years):
            self.get(knowledge, year)
