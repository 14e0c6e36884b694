"""The misses report and the stats, for knowledge editors: pure functions over what the store returns.

Misses are questions the bot declined, clarified, or answered and got voted down. Near-identical
wordings ("when did amazon enter japan?", "When did Amazon enter Japan??", "wehn did amazon enter
japan") count as one group, by rapidfuzz's token-sort ratio; each group names the intent nearest to it,
so an editor sees where a new template would go.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils

from bot.store.base import MissRow, Stats

if TYPE_CHECKING:
    from bot.engine import Engine

SAME_WORDING = 90  # token-sort ratio from which two wordings count as one ("enter japan" / "enter india" is 85)
KIND_NAMES = {"answer": "answered", "decline": "declined", "clarify": "clarified", "chat": "chat"}
SHOWN_WORDINGS = 5


@dataclass(frozen=True, slots=True)
class MissGroup:
    """Near-identical wordings of one missed question, counted together."""

    question: str  # the most common wording
    count: int
    last_seen: float
    kinds: Mapping[str, int]
    down_votes: int
    members: int
    nearest_intent: str | None
    wordings: tuple[str, ...] = field(default=())  # the distinct wordings, most common first

    def to_json(self) -> dict[str, object]:
        """The group as one `misses --json` object."""
        return {
            "question": self.question,
            "count": self.count,
            "kinds": dict(self.kinds),
            "down_votes": self.down_votes,
            "members": self.members,
            "last_seen": when(self.last_seen),
            "nearest_intent": self.nearest_intent,
            "wordings": list(self.wordings),
        }

    def to_question(self) -> dict[str, object]:
        """The group as a line of a question set (shared/eval/FORMAT.md); `expect` is for the editor to fill in."""
        label = "voted-down" if self.down_votes else ("declined" if self.kinds.get("decline") else "clarified")
        return {
            "q": self.question,
            "expect": None,
            "kind": label,
            "count": self.count,
            "down_votes": self.down_votes,
            "nearest_intent": self.nearest_intent,
        }


def wording_key(text: str) -> str:
    """What wordings are compared on: lower case, punctuation and extra spaces gone."""
    return utils.default_process(text) or text.strip()


def group_misses(rows: Sequence[MissRow], nearest: Callable[[str], str | None] | None = None) -> list[MissGroup]:
    """Group missed questions by near-identical wording; the biggest groups first.

    nearest(question) names the intent closest to a group's wording when none was recorded
    (declines and clarifications have none); a down-voted answer's own intent comes first.
    """
    by_key: dict[str, list[MissRow]] = {}
    for row in rows:
        by_key.setdefault(wording_key(row.question), []).append(row)
    # The most common wordings found the groups; rarer ones join the nearest group if close enough.
    leaders: list[str] = []
    members_of: dict[str, list[MissRow]] = {}
    for key in sorted(by_key, key=lambda k: (-len(by_key[k]), k)):
        found = process.extractOne(key, leaders, scorer=fuzz.token_sort_ratio, score_cutoff=SAME_WORDING)
        if found is None:
            leaders.append(key)
            members_of[key] = list(by_key[key])
        else:
            members_of[found[0]].extend(by_key[key])
    groups = [_group(members, nearest) for members in members_of.values()]
    return sorted(groups, key=lambda g: (-g.count, -g.down_votes, -g.last_seen, g.question))


def _group(rows: list[MissRow], nearest: Callable[[str], str | None] | None) -> MissGroup:
    wordings = Counter(row.question for row in rows)
    # Most common first, counting wordings that differ only in case and punctuation together, so a
    # typo asked as often as the plain wording does not lead the group; then the latest.
    keys = Counter(wording_key(row.question) for row in rows)
    latest = {row.question: row.at for row in sorted(rows, key=lambda r: r.at)}
    ranked = sorted(wordings, key=lambda w: (-keys[wording_key(w)], -wordings[w], -latest[w], w))
    question = ranked[0]
    recorded = Counter(row.intent for row in rows if row.intent)
    intent = recorded.most_common(1)[0][0] if recorded else (nearest(question) if nearest else None)
    return MissGroup(
        question=question,
        count=len(rows),
        last_seen=max(row.at for row in rows),
        kinds=dict(Counter(row.kind for row in rows).most_common()),
        down_votes=sum(row.down_votes for row in rows),
        members=len({row.member for row in rows}),
        nearest_intent=intent,
        wordings=tuple(ranked[:SHOWN_WORDINGS]),
    )


def when(at: float) -> str:
    """A unix time as people read it, in UTC."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))


def where(guild_id: int | None) -> str:
    """Which data a report covers."""
    return f"server {guild_id}" if guild_id else "all servers and DMs"


def kinds_text(kinds: Mapping[str, int]) -> str:
    """{'decline': 2, 'clarify': 1} as 'declined 2, clarified 1'."""
    return ", ".join(f"{KIND_NAMES.get(kind, kind)} {count}" for kind, count in kinds.items())


def group_details(group: MissGroup) -> str:
    """One line under a group: what happened to it, when last, and the nearest intent."""
    parts = [kinds_text(group.kinds)]
    if group.down_votes:
        parts.append(f"voted down {group.down_votes}")
    parts.append(f"{group.members} member{'s' if group.members != 1 else ''}")
    parts.append(f"last seen {when(group.last_seen)}")
    parts.append(f"nearest intent: {group.nearest_intent or 'none'}")
    return " · ".join(parts)


def misses_text(groups: Sequence[MissGroup], days: float, guild_id: int | None = None) -> str:
    """The misses report as text, for the terminal."""
    total = sum(g.count for g in groups)
    head = f"Misses in the last {days:g} days ({where(guild_id)}): {len(groups)} groups, {total} questions"
    if not groups:
        return head + "\nNothing was declined, clarified or voted down."
    lines = [head]
    for group in groups:
        lines.append(f"{group.count:>5}×  {group.question}")
        lines.append(f"        {group_details(group)}")
        others = [w for w in group.wordings if w != group.question]
        if others:
            lines.append("        also: " + " | ".join(others))
    return "\n".join(lines)


def share(part: int, whole: int) -> float:
    """part / whole as a percentage with one decimal (0 when there is no whole)."""
    return round(100 * part / whole, 1) if whole else 0.0


def stats_json(stats: Stats, days: float, guild_id: int | None = None) -> dict[str, object]:
    """The stats as one JSON object."""
    kinds = {kind: stats.kinds.get(kind, 0) for kind in KIND_NAMES}
    return {
        "days": days,
        "guild": guild_id,
        "questions": stats.questions,
        "members": stats.members,
        **{KIND_NAMES[k]: v for k, v in kinds.items()},
        "shares": {KIND_NAMES[k]: share(v, stats.questions) for k, v in kinds.items()},
        "votes_up": stats.votes_up,
        "votes_down": stats.votes_down,
        "top_intents": [{"intent": name, "count": count} for name, count in stats.top_intents],
    }


def stats_lines(stats: Stats) -> list[str]:
    """The stats' body, one line each: kinds with shares, votes, top intents."""
    lines = [
        f"{KIND_NAMES[kind]:<10} {stats.kinds.get(kind, 0):>7}  ({share(stats.kinds.get(kind, 0), stats.questions):.1f}%)"
        for kind in KIND_NAMES
    ]
    lines.append(f"votes      {stats.votes_up:>7} up, {stats.votes_down} down")
    if stats.top_intents:
        lines.append("top intents: " + ", ".join(f"{name} {count}" for name, count in stats.top_intents))
    return lines


def stats_text(stats: Stats, days: float, guild_id: int | None = None) -> str:
    """The stats as text, for the terminal."""
    head = f"Questions in the last {days:g} days ({where(guild_id)}): {stats.questions} from {stats.members} members"
    return "\n".join([head, *("  " + line for line in stats_lines(stats))])


def json_lines(objects: Sequence[Mapping[str, object]]) -> str:
    """One JSON object per line."""
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects)


def nearest_intent(engine: Engine, question: str) -> str | None:
    """The intent the matcher ranks first for a question now, whatever the decision was."""
    ranked = engine.matcher.rank(engine.analyzer.analyze(question))
    return ranked[0].intent.name if ranked else None
