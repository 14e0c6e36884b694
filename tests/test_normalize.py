import pytest

from bot.engine import Engine
from bot.normalize import clean, tokenize


def test_clean_strips_discord_markup_links_code_and_markdown() -> None:
    text = "<@123> <@!45> <#6> <@&7> <:pdd:890> **when** did `amzn` leave? https://x.com/a ```py\nprint()```"
    assert tokenize(clean(text)) == ["when", "did", "amzn", "leave"]


def test_clean_folds_unicode_case_and_curly_quotes() -> None:
    assert clean("Ｐｉｎｄｕｏｄｕｏ’s “GMV”") == 'pinduoduo "gmv"'


def test_numbers_keep_their_digits() -> None:
    assert tokenize(clean("1,000 products, $1.1 billion, 144%")) == ["1000", "products", "$", "1.1", "billion", "144", "%"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("when did amazon leave", "when"),
        ("what year did amazon enter china", "when"),
        ("how long ago did amazon arrive", "when"),
        ("how long was amazon gone", "duration"),
        ("how many years between the two", "duration"),
        ("how much revenue", "amount"),
        ("how old is pinduoduo", "age"),
        ("who founded pinduoduo", "who"),
        ("whats the amazon rep's name", "who"),
        ("why did amazon leave", "why"),
        ("where does pdd rank", "where"),
        ("what is pinduoduo", None),
        ("whats pdd's thing where people buy together", None),
    ],
)
def test_question_type_comes_from_the_lexicons_phrases_then_the_first_question_word(
    engine: Engine, question: str, kind: str | None
) -> None:
    assert engine.analyzer.question_types.of(clean(question)) == kind


def test_aliases_and_slang_fold_to_one_entity(engine: Engine) -> None:
    for name in ("pdd", "PDD", "pinduoduo", "Pinduodou", "pindoudou"):
        assert engine.analyzer.analyze(f"{name} revenue").entities == {"pinduoduo"}
    assert engine.analyzer.analyze("amzn").entities == {"amazon"}


def test_synonyms_not_in_the_article_fold_to_one_concept(engine: Engine) -> None:
    folded = {
        engine.analyzer.analyze(f"when did amazon {verb} china").content
        for verb in ("quit", "bail on", "pull out of", "leave", "exit", "ditch")
    }
    assert len(folded) == 1


def test_spelling_correction_fixes_typos_and_leaves_real_words_alone(engine: Engine) -> None:
    assert engine.analyzer.correct("revnue") == "revenue"
    assert engine.analyzer.correct("prodcts") == "products"
    assert engine.analyzer.correct("going") == "going"
    assert engine.analyzer.correct("kinds") == "kinds"


def test_chat_spellings_are_folded(engine: Engine) -> None:
    assert engine.analyzer.analyze("wen did amazon leeve").qtype == "when"
    assert "#gmv" in engine.analyzer.analyze("gmv yoy").content


def test_out_of_article_names_and_attributes_are_flagged(engine: Engine) -> None:
    assert engine.analyzer.analyze("when did amazon enter japan").outside
    assert engine.analyzer.analyze("pdd stock price").unsupported
    assert engine.analyzer.analyze("pdd q4 2019 revenue").outside  # another period: a premise in a claim
    assert not engine.analyzer.analyze("pdd q3 revenue").unsupported


def test_names_a_question_says_it_is_not_about_are_dropped(engine: Engine) -> None:
    assert engine.analyzer.analyze("forget jd and alibaba, who founded pdd").entities == {"pinduoduo"}
    assert engine.analyzer.analyze("not about tmall: when did amazon leave").entities == {"amazon"}
