"""The slash commands' pure parts, with plain function calls."""

from __future__ import annotations

from bot.discord.cogs.commands import topic_choices

TOPICS = (("amazon", "Amazon"), ("pinduoduo", "Pinduoduo"), ("colin_huang", "Colin Huang"), ("jd", "JD"))


def test_topic_choices_put_names_that_start_with_the_text_before_those_that_contain_it() -> None:
    assert [c.name for c in topic_choices(TOPICS, "")] == ["Amazon", "Pinduoduo", "Colin Huang", "JD"]
    assert [c.value for c in topic_choices(TOPICS, "huang")] == ["colin_huang"]
    assert [c.name for c in topic_choices(TOPICS, "a")] == ["Amazon", "Colin Huang"]
    assert topic_choices(TOPICS, "zzz") == []
    many = tuple((f"e{i}", f"Entity {i}") for i in range(40))
    assert len(topic_choices(many, "")) == 25
