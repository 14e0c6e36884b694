"""The timeline picture: it decodes, fits, labels every year and event without overlaps, and highlights a year.

Labels are checked on the layout's text boxes (what draw() paints), never against golden pixels.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable

import pytest
from PIL import Image

from bot import picture, render
from bot.engine import Engine
from bot.knowledge import Article, Knowledge
from bot.models import Citation, Event, Fact
from bot.picture import Box, Colour, Label, Layout, LayoutError, PictureCache

# Discord's message backgrounds: light theme, dark theme.
THEMES = {"light": (0xFF, 0xFF, 0xFF), "dark": (0x31, 0x33, 0x38)}


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: Box, outer: Box) -> bool:
    return outer[0] <= box[0] < box[2] <= outer[2] and outer[1] <= box[1] < box[3] <= outer[3]


def luminance(colour: Colour) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour, b: Colour) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGBA")


def pixel(image: Image.Image, at: tuple[int, int]) -> tuple[int, int, int, int]:
    """The RGBA value at a point of a decoded picture."""
    value = image.getpixel(at)
    assert isinstance(value, tuple) and len(value) == 4
    return (int(value[0]), int(value[1]), int(value[2]), int(value[3]))


def near(found: Iterable[int], colour: Colour, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(found, colour, strict=False))


def fact(fact_id: str, date: str, label: str, text: str = "Something happened.", caption: str = "") -> Fact:
    return Fact(fact_id, text, (Citation(1, "quote"),), frozenset(), Event(date, label, caption))


def knowledge_of(*facts: Fact, now: Event | None = None) -> Knowledge:
    return Knowledge(Article(("A Title", "A paragraph.")), {f.id: f for f in facts}, now)


@pytest.fixture(scope="module")
def default(engine: Engine) -> picture.Picture:
    return picture.render(engine.knowledge)


@pytest.fixture(scope="module")
def of_2015(engine: Engine) -> picture.Picture:
    return picture.render(engine.knowledge, 2015)


def test_the_picture_decodes_as_a_png_of_the_layouts_size_with_round_transparent_corners(default: picture.Picture) -> None:
    image = decode(default.png)
    assert image.size == default.size == (picture.WIDTH, default.layout.height)
    assert 400 <= image.height <= 800  # a wide card, as Discord previews best
    assert pixel(image, (0, 0))[3] == 0
    assert pixel(image, (image.width - 1, image.height - 1))[3] == 0
    assert pixel(image, (image.width // 2, image.height // 2))[3] == 255
    assert default.filename == "timeline.png"


def test_the_png_is_well_under_discords_upload_limit(default: picture.Picture, of_2015: picture.Picture) -> None:
    for shown in (default, of_2015):
        assert len(shown.png) < render.UPLOAD_LIMIT // 50


def test_every_year_with_events_is_labelled_on_the_axis(engine: Engine, default: picture.Picture) -> None:
    years = {t.text for t in default.layout.texts if t.role == "year"}
    assert {str(y) for y in engine.knowledge.years} <= years
    axis = default.layout.axis
    for text in default.layout.texts:
        if text.role in ("year", "month"):
            assert inside(text.box, axis), text


def test_every_event_has_its_date_and_caption_and_the_now_is_marked(engine: Engine, default: picture.Picture) -> None:
    labels = {label.key: label for label in default.layout.labels}
    for shown in engine.knowledge.timeline():
        assert shown.event is not None
        label = labels.pop(shown.id)
        dates = " ".join(t.text for t in label.texts if t.role == "date")
        captions = " ".join(t.text for t in label.texts if t.role == "caption")
        assert dates == shown.event.label
        assert captions == shown.event.caption
        assert label.date == shown.event.sort_key
    now = labels.pop("now")
    assert " ".join(t.text for t in now.texts).startswith("Now: late 2019")
    assert not labels


def test_labels_are_short_and_every_character_has_a_glyph(default: picture.Picture) -> None:
    for text in default.layout.all_texts:
        assert not picture.missing_glyphs(text.text, text.size), text.text
    for label in default.layout.labels:
        assert len(label.texts) <= 4
        assert label.box[2] - label.box[0] <= picture.LABEL_WIDTH + 2 * picture.LABEL_PAD_X


def test_the_glyph_check_finds_a_character_the_font_lacks() -> None:
    assert picture.missing_glyphs("2004 – 2019") == {"–"}
    assert picture.clean("2004 – 2019…") == "2004 - 2019..."


def assert_laid_out_cleanly(plan: Layout) -> None:
    """Everything inside the card, no two texts or labels overlapping, leader lines that cannot cross."""
    card = (picture.BORDER, picture.BORDER, plan.width - picture.BORDER, plan.height - picture.BORDER)
    texts = plan.all_texts
    for text in texts:
        assert inside(text.box, card), text
    for a, b in itertools.combinations(texts, 2):
        assert not overlaps(a.box, b.box), (a.text, b.text)
    for label in plan.labels:
        assert inside(label.box, card), label.key
        for text in label.texts:
            assert inside(text.box, label.box), text.text
        assert not overlaps(label.box, plan.axis)
        for text in plan.texts:
            assert not overlaps(label.box, text.box), (label.key, text.text)
    for first, second in itertools.combinations(plan.labels, 2):
        assert not overlaps(first.box, second.box), (first.key, second.key)
    for above in (True, False):
        side = [label for label in plan.labels if label.above is above]
        # Leader lines run between the axis edge and a common label edge: they cross only if their ends swap order.
        assert len({label.anchor[1] for label in side}) <= 1
        assert len({label.leader_end[1] for label in side}) <= 1
        by_marker = sorted(side, key=lambda label: (label.anchor[0], label.leader_end[0]))
        assert by_marker == sorted(side, key=lambda label: (label.leader_end[0], label.anchor[0]))
        for label in side:
            assert label.box[0] <= label.leader_end[0] <= label.box[2]
            assert plan.axis[0] <= label.anchor[0] <= plan.axis[2]
            assert label.anchor[1] == (plan.axis[1] if above else plan.axis[3])


def test_the_default_timeline_is_laid_out_cleanly(default: picture.Picture) -> None:
    assert_laid_out_cleanly(default.layout)


@pytest.mark.parametrize("year", [2004, 2015, 2019])
def test_each_years_timeline_is_laid_out_cleanly(engine: Engine, year: int) -> None:
    assert_laid_out_cleanly(picture.layout(engine.knowledge, year))


def test_markers_sit_in_date_order_on_a_broken_axis_with_2019_by_month(engine: Engine, default: picture.Picture) -> None:
    plan = default.layout
    xs = [label.x for label in plan.labels]
    assert xs == sorted(xs)
    earlier, zoomed = plan.segments
    assert not earlier.by_month and zoomed.by_month
    assert (earlier.start, earlier.end, zoomed.start, zoomed.end) == (2004, 2019, 2019, 2020)
    assert earlier.x1 < zoomed.x0  # the break
    months = [t.text for t in plan.texts if t.role == "month"]
    assert months == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    x = {label.key: label.x for label in plan.labels}
    assert (
        x["entry"] < x["tmall_store"] < earlier.x1 < zoomed.x0 < x["exit"] < x["comeback"] == x["rank"] < x["now"] < x["launch"]
    )
    assert x["launch"] < x["popup"] <= zoomed.x1


def test_a_highlighted_year_draws_its_events_differently(
    engine: Engine, default: picture.Picture, of_2015: picture.Picture
) -> None:
    plan = of_2015.layout
    chosen = {label.key for label in plan.labels if label.highlighted}
    assert chosen == {f.id for f in engine.knowledge.timeline(2015)} == {"tmall_store"}
    assert all(label.dimmed for label in plan.labels if label.key not in chosen | {"now"})
    assert not any(label.highlighted or label.dimmed for label in default.layout.labels)
    assert default.layout.highlight is None
    assert plan.highlight is not None
    (tmall,) = (label for label in plan.labels if label.key == "tmall_store")
    assert plan.highlight[0] <= tmall.x <= plan.highlight[1]
    assert any(t.role == "tag" and t.text == "2015 highlighted" for t in plan.texts)
    (year_label,) = (t for t in plan.texts if t.text == "2015")
    assert year_label.colour == plan.palette.highlight

    # And in the pixels: the 2015 marker is drawn in the highlight colour only when 2015 is chosen.
    palette = plan.palette
    assert near(pixel(decode(of_2015.png), tmall.anchor), palette.highlight)
    assert near(pixel(decode(default.png), tmall.anchor), palette.accent)
    dates = {label.key: next(t for t in label.texts if t.role == "date") for label in plan.labels if label.key != "now"}
    assert dates["tmall_store"].colour == palette.highlight
    assert {d.colour for k, d in dates.items() if k != "tmall_store"} == {palette.dim}


def test_2019_highlights_the_whole_month_by_month_stretch(engine: Engine) -> None:
    plan = picture.layout(engine.knowledge, 2019)
    zoomed = plan.segments[1]
    assert plan.highlight == (zoomed.x0, zoomed.x1)
    assert {label.key for label in plan.labels if label.highlighted} == {"exit", "comeback", "rank", "launch", "popup"}


def test_every_text_is_readable_on_the_opaque_card_whatever_discords_theme(
    default: picture.Picture, of_2015: picture.Picture
) -> None:
    for shown in (default, of_2015):
        image = decode(shown.png)
        for text in shown.layout.all_texts:
            # WCAG AA for normal text; the card under it is opaque, so the theme behind cannot change it.
            assert contrast(text.colour, text.background) >= 4.5, (text.text, text.colour, text.background)
            centre = ((text.box[0] + text.box[2]) // 2, (text.box[1] + text.box[3]) // 2)
            assert pixel(image, centre)[3] == 255
    palette = default.layout.palette
    for theme, colour in THEMES.items():
        # The card's edge stands apart from either theme's background.
        assert max(contrast(palette.border, colour), contrast(palette.card, colour)) >= 1.5, theme


def test_alt_text_names_every_event_the_now_and_the_highlighted_year(engine: Engine, of_2015: picture.Picture) -> None:
    alt = of_2015.alt_text
    for shown in engine.knowledge.timeline():
        assert shown.event is not None
        assert f"{shown.event.label}: {shown.event.caption}." in alt
    assert "late 2019" in alt
    assert alt.endswith("Events of 2015 are highlighted.")
    assert len(alt) <= render.ATTACHMENT_DESCRIPTION_LIMIT
    assert of_2015.filename == "timeline-2015.png"


def test_years_far_apart_with_no_crowded_last_year_share_one_axis() -> None:
    knowledge = knowledge_of(
        fact("a", "1990", "1990", caption="First thing"),
        fact("b", "2001-06", "June 2001", caption="Second thing"),
        fact("c", "2010-02-03", "3 February 2010", caption="Third thing"),
    )
    plan = picture.layout(knowledge)
    (axis,) = plan.segments
    assert (axis.start, axis.end, axis.by_month) == (1990, 2011, False)
    years = {t.text for t in plan.texts if t.role == "year"}
    assert {"1990", "2001", "2010"} <= years
    assert [label.key for label in plan.labels] == ["a", "b", "c"]  # no now in this knowledge
    assert_laid_out_cleanly(plan)


def test_an_event_without_a_caption_shows_the_start_of_its_fact() -> None:
    long = "Amazon made the agonizing decision to exit the Chinese market in April 2019. More."
    shown = picture.caption(fact("x", "2019-04", "April 2019", text=long))
    assert shown == "Amazon made the agonizing decision to..."
    assert len(shown) <= picture.CAPTION_LIMIT
    assert picture.caption(fact("y", "2019", "2019", text="Short.", caption="Given – caption")) == "Given - caption"


def test_too_many_events_for_the_width_are_refused_not_drawn_over_each_other() -> None:
    crowded = [fact(f"e{i}", f"2019-{i % 12 + 1:02d}", f"Month {i}", caption="A caption of some length here") for i in range(20)]
    with pytest.raises(LayoutError, match="do not fit"):
        picture.layout(knowledge_of(*crowded, fact("old", "2000", "2000")))


def test_spread_keeps_order_and_bounds_and_moves_boxes_only_as_far_as_needed() -> None:
    assert picture.spread([100, 300], [50, 50], 0, 1000, 10) == [75, 275]  # apart already: centred
    lefts = picture.spread([500, 500, 500], [100, 100, 100], 0, 1000, 10)
    assert lefts == [340, 450, 560]  # a run centred on the shared wish
    edge = picture.spread([990, 995], [100, 100], 0, 1000, 10)
    assert edge == [790, 900]  # pushed back inside the right edge
    with pytest.raises(LayoutError):
        picture.spread([10, 20], [600, 600], 0, 1000, 10)


def test_wrap_breaks_before_a_bracket_and_keeps_lines_even() -> None:
    size = picture.DATE_SIZE
    assert picture.wrap("Half a year later (late 2019)", size, 262, bold=True) == ["Half a year later", "(late 2019)"]
    assert picture.wrap("Pop-up store due to close", picture.CAPTION_SIZE, 262) == ["Pop-up store", "due to close"]
    assert picture.wrap("April 2019", size, 262, bold=True) == ["April 2019"]


def test_the_cache_renders_each_picture_once_per_loaded_knowledge(engine: Engine) -> None:
    cache = PictureCache()
    first = cache.get(engine.knowledge)
    assert cache.get(engine.knowledge) is first
    assert cache.get(engine.knowledge, 2015) is not first
    assert cache.renders == 2
    cache.warm(engine.knowledge)
    assert cache.renders == 1 + len(engine.knowledge.years)
    reloaded = Knowledge(engine.knowledge.article, dict(engine.knowledge.facts), engine.knowledge.now)
    again = cache.get(reloaded)
    assert again is not first and again.png == first.png
    assert cache.renders == 2 + len(engine.knowledge.years)


def test_every_label_is_a_label_of_the_layout(default: picture.Picture) -> None:
    # all_texts is what the layout tests check: it must hold the labels' own lines too.
    inner = [t for label in default.layout.labels for t in label.texts]
    assert inner and all(t in default.layout.all_texts for t in inner)
    assert isinstance(default.layout.labels[0], Label)
