"""The misses report and the stats: grouping of wordings, nearest intents, and the formats."""

from __future__ import annotations

import json

from bot.engine import Engine
from bot.feedback import group_misses, misses_text, nearest_intent, stats_json, stats_text
from bot.store import MissRow, Stats

T = 1_700_000_000.0


def row(
    text: str, kind: str = "decline", *, at: float = T, down: int = 0, member: str = "a", intent: str | None = None
) -> MissRow:
    return MissRow(text, kind, intent, at, down, member)


def test_near_identical_wordings_count_as_one_group_under_the_most_common_wording() -> None:
    groups = group_misses(
        [
            row("when did amazon enter japan?", member="a", at=T),
            row("When did Amazon enter Japan??", member="b", at=T + 5),
            row("when did amazon enter japan?", member="c", at=T + 1),
            row("wehn did amazon enter japan", "clarify", member="a", at=T + 9),
            row("when did amazon enter india?", member="d"),
            row("what is the capital of france"),
        ]
    )
    assert [g.question for g in groups] == [
        "when did amazon enter japan?",
        "what is the capital of france",  # one each: the latest first, then alphabetical
        "when did amazon enter india?",
    ]
    japan = groups[0]
    assert japan.count == 4
    assert dict(japan.kinds) == {"decline": 3, "clarify": 1}
    assert japan.members == 3
    assert japan.last_seen == T + 9
    assert set(japan.wordings) == {"when did amazon enter japan?", "When did Amazon enter Japan??", "wehn did amazon enter japan"}


def test_a_down_voted_answer_keeps_its_intent_and_the_others_get_the_nearest_one() -> None:
    groups = group_misses(
        [row("how big is pdd", "answer", down=2, intent="pdd_size"), row("who runs jd")],
        nearest=lambda question: "nearest-of-" + question,
    )
    by_question = {g.question: g for g in groups}
    assert by_question["how big is pdd"].nearest_intent == "pdd_size"
    assert by_question["how big is pdd"].down_votes == 2
    assert by_question["who runs jd"].nearest_intent == "nearest-of-who runs jd"


def test_groups_come_biggest_first() -> None:
    groups = group_misses([row("b"), row("a question"), row("a question"), row("another one entirely")])
    assert groups[0].question == "a question"
    assert groups[0].count == 2


def test_the_json_and_the_question_set_lines_have_what_editors_and_score_py_need() -> None:
    (group,) = group_misses([row("when did amazon enter japan?", at=T + 1), row("when did amazon enter japan", "answer", down=1)])
    line = json.loads(json.dumps(group.to_json()))
    assert line["question"] == "when did amazon enter japan?"
    assert line["count"] == 2
    assert line["kinds"] == {"decline": 1, "answer": 1}
    assert line["down_votes"] == 1
    exported = group.to_question()
    assert exported["q"] == "when did amazon enter japan?"
    assert exported["expect"] is None
    assert exported["kind"] == "voted-down"


def test_the_nearest_intent_comes_from_the_matcher(engine: Engine) -> None:
    assert nearest_intent(engine, "when did amazon enter japan") is not None
    assert nearest_intent(engine, "zzzz qqqq") is None


def test_the_text_report_lists_each_group_with_its_details() -> None:
    text = misses_text(group_misses([row("when did amazon enter japan?", down=1), row("who runs jd")]), 7)
    assert "Misses in the last 7 days (all servers and DMs): 2 groups, 2 questions" in text
    assert "declined 1 · voted down 1 · 1 member · last seen 2023-11-14" in text
    assert misses_text([], 7).endswith("Nothing was declined, clarified or voted down.")


def test_stats_give_shares_votes_and_top_intents() -> None:
    stats = Stats(8, {"answer": 4, "decline": 2, "clarify": 1, "chat": 1}, 3, 5, 1, (("amazon_entry", 3), ("pdd_size", 1)))
    report = stats_json(stats, 30, 42)
    assert report["answered"] == 4
    assert report["shares"] == {"answered": 50.0, "declined": 25.0, "clarified": 12.5, "chat": 12.5}
    assert (report["votes_up"], report["votes_down"]) == (5, 1)
    assert report["top_intents"] == [{"intent": "amazon_entry", "count": 3}, {"intent": "pdd_size", "count": 1}]
    text = stats_text(stats, 30, 42)
    assert "Questions in the last 30 days (server 42): 8 from 3 members" in text
    assert "declined         2  (25.0%)" in text
    assert "top intents: amazon_entry 3, pdd_size 1" in text
    assert stats_json(Stats(0, {}, 0, 0, 0), 1)["shares"] == {"answered": 0.0, "declined": 0.0, "clarified": 0.0, "chat": 0.0}


def test_a_typo_asked_as_often_as_the_plain_wording_does_not_lead_its_group() -> None:
    (group,) = group_misses(
        [
            row("when did amazon enter japan?", at=T),
            row("When did Amazon enter Japan??", at=T + 1),
            row("wehn did amazon enter japan", at=T + 2),
        ]
    )
    assert group.question in ("when did amazon enter japan?", "When did Amazon enter Japan??")
    assert group.wordings[-1] == "wehn did amazon enter japan"
