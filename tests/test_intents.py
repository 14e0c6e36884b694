from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import DataError
from bot.intents import template_key
from tests.conftest import replace_in


def test_shipped_data_passes_every_check(engine: Engine) -> None:
    assert len(engine.intents) >= 25
    assert all(intent.templates for intent in engine.intents)


def test_every_fact_is_reachable_by_some_intent(engine: Engine) -> None:
    reached = {fact for intent in engine.intents for fact in intent.facts}
    assert reached == set(engine.knowledge.facts)


def test_templates_compare_by_folded_words() -> None:
    assert template_key("When did **Amazon** leave China?") == template_key("when did amazon leave china")


def test_an_unknown_handler_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "handler: timeline", "handler: timelien")
    with pytest.raises(DataError, match=r"intents\.yaml: intent 'timeline'\.handler: unknown handler 'timelien'"):
        Engine.load(data_copy)


def test_an_unknown_fact_id_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "facts: [launch]", "facts: [lunch]")
    with pytest.raises(DataError, match=r"intent 'store_launch'\.facts: unknown fact id 'lunch'"):
        Engine.load(data_copy)


def test_the_same_template_under_two_intents_is_named(data_copy: Path) -> None:
    replace_in(
        data_copy / "intents.yaml", "      - who owns tmall\n", "      - who owns tmall\n      - When did Amazon EXIT china?\n"
    )
    with pytest.raises(
        DataError,
        match=r"intent 'amazon_exit'\.templates: template 'when did amazon exit china' is also under intent 'tmall_store'",
    ):
        Engine.load(data_copy)


def test_an_intent_without_templates_is_named(data_copy: Path) -> None:
    path = data_copy / "intents.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - what does gmv stand for")
    end = text.index("  - name: founder\n")
    path.write_text(text[:start] + "\n" + text[end:], encoding="utf-8")
    with pytest.raises(DataError, match=r"intent 'gmv_meaning'\.templates: an intent needs at least one template"):
        Engine.load(data_copy)


def test_a_fact_no_intent_reaches_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "    facts: [gmv_meaning]\n", "    facts: [q3_gmv]\n")
    with pytest.raises(DataError, match=r"fact 'gmv_meaning' is not reachable"):
        Engine.load(data_copy)


def test_an_unknown_question_type_is_named(data_copy: Path) -> None:
    replace_in(
        data_copy / "intents.yaml",
        "asks: [when, who]\n    suggestion: When and how",
        "asks: [when, whom]\n    suggestion: When and how",
    )
    with pytest.raises(DataError, match=r"intent 'amazon_entry'\.asks: unknown question type 'whom'"):
        Engine.load(data_copy)


def test_a_required_entity_must_exist(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "requires: [pinduoduo]", "requires: [pindoduo]")
    with pytest.raises(DataError, match=r"\.requires: unknown entity 'pindoduo'"):
        Engine.load(data_copy)


def test_a_lexicon_slot_must_be_a_concept(data_copy: Path) -> None:
    replace_in(data_copy / "lexicon.yaml", "slots: [money,", "slots: [colour, money,")
    with pytest.raises(DataError, match=r"lexicon\.yaml: slots: 'colour' is not a concept"):
        Engine.load(data_copy)


def test_a_non_string_in_a_word_list_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "lexicon.yaml", '"yes", yeah', "yes, yeah")
    with pytest.raises(DataError, match=r"lexicon\.yaml: \.stopwords\[\d+\]: expected a non-empty string"):
        Engine.load(data_copy)


def test_a_template_of_only_stop_words_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "      - who owns tmall\n", "      - who owns tmall\n      - what is it\n")
    with pytest.raises(DataError, match=r"intent 'tmall_store'\.templates: template 'what is it' has only stop words"):
        Engine.load(data_copy)


def test_a_suggestion_too_long_for_a_button_is_named(data_copy: Path) -> None:
    replace_in(
        data_copy / "intents.yaml", "suggestion: Who founded Pinduoduo?", "suggestion: " + "Who founded Pinduoduo, " * 5 + "?"
    )
    with pytest.raises(DataError, match=r"intent 'founder'\.suggestion: longer than 80 characters"):
        Engine.load(data_copy)


def test_a_missing_dictionary_file_is_named(data_copy: Path) -> None:
    (data_copy / "english-words.txt").unlink()
    with pytest.raises(DataError, match=r"lexicon\.yaml: dictionary: cannot read english-words\.txt"):
        Engine.load(data_copy)


def test_a_template_of_only_names_is_named(data_copy: Path) -> None:
    replace_in(data_copy / "intents.yaml", "      - who owns tmall\n", "      - who owns tmall\n      - what is tmall\n")
    with pytest.raises(DataError, match=r"intent 'tmall_store'\.templates: template 'what is tmall' has only names"):
        Engine.load(data_copy)
