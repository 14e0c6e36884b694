from bot.engine import Engine


def top(engine: Engine, question: str) -> str:
    return engine.matcher.rank(engine.analyzer.analyze(question))[0].intent.name


def test_every_template_ranks_its_own_intent_first_or_a_tie(engine: Engine) -> None:
    for intent in engine.intents:
        for template in intent.templates:
            ranked = engine.matcher.rank(engine.analyzer.analyze(template))
            best = ranked[0].score
            assert intent.name in {m.intent.name for m in ranked if m.score >= best - 1e-9}, template


def test_rare_words_weigh_more_than_common_ones(engine: Engine) -> None:
    assert engine.matcher.weight("#gmv") > engine.matcher.weight("@amazon")


def test_numbers_the_bot_does_not_know_weigh_nothing(engine: Engine) -> None:
    assert engine.matcher.weight("7") == 0.0


def test_a_question_with_no_known_word_matches_nothing(engine: Engine) -> None:
    assert engine.matcher.rank(engine.analyzer.analyze("zxqv blorp")) == []


def test_paraphrases_rank_the_right_intent(engine: Engine) -> None:
    assert top(engine, "when did amazon bail on china") == "amazon_exit"
    assert top(engine, "pdd topline growth") == "q3_revenue"
    assert top(engine, "who is behind pdd") == "founder"
