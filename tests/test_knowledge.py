from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.knowledge import Article
from bot.models import Event
from tests.conftest import replace_in

ARTICLE = Path(__file__).resolve().parents[1] / "intents" / "article.txt"
SHARED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "article" / "amazon-pinduoduo.txt"


def test_shipped_article_is_byte_for_byte_the_shared_one() -> None:
    if not SHARED_ARTICLE.exists():
        pytest.skip("no shared/ beside the checkout")
    assert ARTICLE.read_bytes() == SHARED_ARTICLE.read_bytes()


def test_paragraph_zero_is_the_title_and_one_is_the_first_paragraph() -> None:
    article = Article.read(ARTICLE)
    assert article.title == "Amazon Partners with Pinduoduo on Pop-up Store"
    assert article.paragraphs[1].startswith("Amazon has had quite a turbulent run in China")
    assert len(article.paragraphs) == 5


def test_every_citation_is_verbatim_in_its_paragraph(engine: Engine) -> None:
    article = engine.knowledge.article
    for fact in engine.knowledge.facts.values():
        for citation in fact.citations:
            assert citation.quote in " ".join(article.paragraphs[citation.paragraph].split()), fact.id


def test_the_gaps_in_the_article_are_quoted_as_they_are(engine: Engine) -> None:
    quotes = [c.quote for f in engine.knowledge.facts.values() for c in f.citations]
    assert any("tens of millions of products available on," in q for q in quotes)
    assert any("surpassed in October as the fourth largest internet in China" in q for q in quotes)


def test_timeline_is_in_date_order_and_filters_by_year(engine: Engine) -> None:
    events = engine.knowledge.timeline()
    keys = [f.event.sort_key for f in events if f.event]
    assert keys == sorted(keys)
    assert [f.id for f in engine.knowledge.timeline(2015)] == ["tmall_store"]
    assert engine.knowledge.years == (2004, 2015, 2019)


def test_a_quote_that_is_not_verbatim_names_the_fact(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", "entering the country in 2004", "entering the country in 2005")
    with pytest.raises(DataError, match=r"knowledge\.yaml: fact 'entry'\.citations\[0\]\.quote: quote is not verbatim"):
        Engine.load(data_copy)


def test_a_paragraph_out_of_range_is_named(data_copy: Path) -> None:
    replace_in(
        data_copy / "knowledge.yaml",
        '{paragraph: 2, quote: "The company’s Pinduoduo store',
        '{paragraph: 9, quote: "The company’s Pinduoduo store',
    )
    with pytest.raises(DataError, match=r"fact 'launch'\.citations\[0\]\.paragraph: paragraph 9 is out of range"):
        Engine.load(data_copy)


def test_a_yaml_syntax_error_names_the_line(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", "  - id: entry\n", "  - id: entry\n   bad: [unclosed\n")
    with pytest.raises(DataError, match=r"knowledge\.yaml: line \d+: YAML syntax error"):
        Engine.load(data_copy)


def test_a_missing_version_is_refused(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", "version: 1\n", "")
    with pytest.raises(DataError, match=r"knowledge\.yaml: version: expected version: 1"):
        Engine.load(data_copy)


def test_an_unknown_entity_in_about_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", "about: [amazon, china, joyo]", "about: [amazon, china, jojo]")
    with pytest.raises(DataError, match=r"fact 'entry'\.about: unknown entity 'jojo'"):
        Engine.load(data_copy)


def test_a_bad_event_date_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", 'event: {date: "2004"', 'event: {date: "sometime"')
    with pytest.raises(DataError, match=r"fact 'entry'\.event\.date: expected YYYY"):
        Engine.load(data_copy)


def test_a_key_given_twice_is_named_with_its_line(data_copy: Path) -> None:
    replace_in(data_copy / "lexicon.yaml", "spellings:\n", "spellings:\n  when: [whenn]\n")
    with pytest.raises(DataError, match=r"lexicon\.yaml: line \d+: YAML syntax error: duplicate key 'when'"):
        Engine.load(data_copy)


def test_events_carry_their_captions_and_the_article_has_a_now(engine: Engine) -> None:
    events = [f.event for f in engine.knowledge.timeline() if f.event]
    assert all(0 < len(e.caption) <= 40 for e in events)
    assert engine.knowledge.facts["exit"].event == Event("2019-04", "April 2019", "Amazon exits the Chinese market")
    assert engine.knowledge.now == Event("2019-11", "late 2019")


def test_an_event_without_a_caption_loads_with_an_empty_one(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", ', caption: "Amazon enters China, buying Joyo"', "")
    event = Engine.load(data_copy).knowledge.facts["entry"].event
    assert event == Event("2004", "2004", "")


def test_a_caption_too_long_for_the_picture_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", 'caption: "Amazon enters China, buying Joyo"', f'caption: "{"x" * 41}"')
    with pytest.raises(DataError, match=r"fact 'entry'\.event\.caption: at most 40 characters, found 41"):
        Engine.load(data_copy)


def test_a_date_that_does_not_exist_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", 'date: "2019-11-25"', 'date: "2019-11-31"')
    with pytest.raises(DataError, match=r"fact 'launch'\.event\.date: not a date: '2019-11-31'"):
        Engine.load(data_copy)


def test_a_bad_now_is_named_and_a_missing_one_is_none(data_copy: Path) -> None:
    replace_in(data_copy / "knowledge.yaml", 'now: {date: "2019-11"', 'now: {date: "2019-13"')
    with pytest.raises(DataError, match=r"knowledge\.yaml: now\.date: not a date: '2019-13'"):
        Engine.load(data_copy)
    replace_in(data_copy / "knowledge.yaml", 'now: {date: "2019-13", label: "late 2019"}\n', "")
    assert Engine.load(data_copy).knowledge.now is None
