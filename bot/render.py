"""Replies as people read them: plain text for the console, embeds and buttons for Discord.

This is the one place that knows Discord's limits. It does not import discord:
embeds come out as the plain dicts Discord's API takes (the cogs turn them into
discord.Embed with Embed.from_dict), and buttons as small specs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.models import Citation, Kind, Reply
from bot.quiz import LETTERS, Outcome, Question, Standing

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FIELD_COUNT_LIMIT = 25
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_ROW = 5
ROWS_PER_MESSAGE = 5
CUSTOM_ID_LIMIT = 100
CHOICE_LIMIT = 25
CHOICE_NAME_LIMIT = 100
# Files: the smallest upload limit Discord has had for a bot's message (it is 10 MiB now), and alt text.
UPLOAD_LIMIT = 8 * 1024 * 1024
ATTACHMENT_DESCRIPTION_LIMIT = 1024

# How many buttons of each sort a reply gets: two rows of questions, one of sources.
SUGGESTION_BUTTONS = 2 * BUTTONS_PER_ROW
SOURCE_BUTTONS = BUTTONS_PER_ROW

# Prefixes of the buttons' custom ids; the cogs match them with the same strings.
ASK_PREFIX = "qa:ask:"
SOURCE_PREFIX = "qa:source:"
VOTE_PREFIX = "qa:vote:"
VOTES = {1: ("up", "👍"), -1: ("down", "👎")}

COLOURS = {
    Kind.ANSWER: 0x2ECC71,
    Kind.CLARIFY: 0x5865F2,
    Kind.DECLINE: 0x95A5A6,
    Kind.CHAT: 0x5865F2,
}

Embed = dict[str, Any]


def truncate(text: str, limit: int) -> str:
    """Cut text to at most limit characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def to_text(reply: Reply) -> str:
    """The reply as plain text: answer, quoted citations with paragraph numbers, suggestions."""
    lines = [reply.text]
    for citation in reply.citations:
        where = "title" if citation.paragraph == 0 else f"paragraph {citation.paragraph}"
        lines.append(f"  > “{citation.quote}” ({where})")
    if reply.suggestions:
        lead = "Did you mean:" if reply.kind is Kind.CLARIFY else "You could ask:"
        lines.append(lead)
        lines.extend(f"  - {suggestion}" for suggestion in reply.suggestions)
    return "\n".join(lines)


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Split text into pieces of at most limit characters, none of them empty.

    Cuts fall at a paragraph break if there is one in reach, else a line break,
    else a space, and only as a last resort inside a word.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = 0
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, 0, limit + 1)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def to_messages(reply: Reply) -> list[str]:
    """The plain-text reply as message contents within Discord's 2,000 characters each."""
    return split_text(to_text(reply), CONTENT_LIMIT)


def quote_block(text: str) -> str:
    """Text as a Discord block quote, every line marked."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def where(paragraph: int) -> str:
    """How a citation's place is named in an embed."""
    return "Title" if paragraph == 0 else f"Paragraph {paragraph}"


def footer(reply: Reply) -> str | None:
    """The footer line: the confidence of an answer (a decline, a question back or small talk has none)."""
    if reply.kind is not Kind.ANSWER:
        return None
    return f"Confidence {reply.confidence}%"


def to_embeds(reply: Reply, *, title: str | None = None) -> list[Embed]:
    """The reply as embeds: answer text, citations as quoted fields, confidence in the footer.

    Every Discord limit holds: title 256, description 4,096 (a longer text goes on
    into a second embed), fields 1,024 each and 25 at most, and 6,000 characters
    over all embeds together. The answer text comes first; citations that no
    longer fit are counted in a last field instead of being cut silently.
    """
    return build_embeds(
        text=reply.text,
        colour=COLOURS[reply.kind],
        title=title,
        fields=citation_fields(reply.citations),
        footer_text=footer(reply),
    )


def with_image(embeds: list[Embed], filename: str) -> list[Embed]:
    """The embeds with an attached image shown at the bottom of the last one, under the text.

    Discord draws a plain attachment above the embeds; one the embed names
    (attachment://filename) sits inside it, under its text and quotes.
    """
    if not embeds:
        return embeds
    *rest, last = embeds
    return [*rest, {**last, "image": {"url": f"attachment://{filename}"}}]


def citation_fields(citations: Iterable[Citation]) -> list[tuple[str, str]]:
    """One (name, value) field per cited paragraph, in order of first citation.

    Each quote is its own block quote, verbatim; duplicates are dropped.
    """
    quotes: dict[int, list[str]] = {}
    for citation in citations:
        seen = quotes.setdefault(citation.paragraph, [])
        if citation.quote not in seen:
            seen.append(citation.quote)
    return [(where(p), "\n\n".join(quote_block(q) for q in qs)) for p, qs in quotes.items()]


def build_embeds(
    *,
    text: str,
    colour: int,
    title: str | None = None,
    fields: Sequence[tuple[str, str]] = (),
    footer_text: str | None = None,
) -> list[Embed]:
    """Embeds for a text with fields, fitted to every embed limit (see to_embeds)."""
    budget = EMBED_TOTAL_LIMIT
    head = truncate(" ".join(title.split()), EMBED_TITLE_LIMIT) if title else ""
    foot = truncate(footer_text, EMBED_FOOTER_LIMIT) if footer_text else ""
    budget -= len(head) + len(foot)

    # Leave room for at least the first field when there is one.
    reserve = min(budget // 3, sum(len(n) + len(v) for n, v in fields[:1]))
    body = truncate(text.strip(), max(budget - reserve, 0))
    pieces = split_text(body, EMBED_DESCRIPTION_LIMIT)[:EMBEDS_PER_MESSAGE]
    budget -= sum(len(piece) for piece in pieces)

    embeds: list[Embed] = [{"type": "rich", "color": colour} for _ in pieces or [""]]
    if head:
        embeds[0]["title"] = head
    for embed, piece in zip(embeds, pieces, strict=False):
        embed["description"] = piece

    chosen: list[dict[str, Any]] = []
    for index, (raw_name, raw_value) in enumerate(fields):
        after = len(fields) - index - 1
        if len(chosen) == EMBED_FIELD_COUNT_LIMIT - (1 if after else 0):
            break  # keep the last slot for the note that counts the rest
        name = truncate(raw_name, EMBED_FIELD_NAME_LIMIT)
        value = truncate(raw_value, EMBED_FIELD_VALUE_LIMIT)
        room = budget - (sum(map(len, _more_note(after))) if after else 0)
        if len(name) + len(value) > room:
            if room - len(name) < 40:
                break
            value = truncate(value, room - len(name))
        chosen.append({"name": name, "value": value, "inline": False})
        budget -= len(name) + len(value)
    missing = len(fields) - len(chosen)
    if missing:
        name, value = _more_note(missing)
        if len(name) + len(value) <= budget:
            chosen.append({"name": name, "value": value, "inline": False})
    if chosen:
        embeds[-1]["fields"] = chosen
    if foot:
        embeds[-1]["footer"] = {"text": foot}
    if not (pieces or head or chosen or foot):
        embeds[0]["description"] = "…"  # Discord refuses an empty embed
    return embeds


def _more_note(count: int) -> tuple[str, str]:
    plural = "citation" if count == 1 else "citations"
    return ("More sources", f"…and {count} more {plural}; /source quotes any paragraph.")


def embed_length(embed: Embed) -> int:
    """Characters that count towards Discord's 6,000 per message, as Discord counts them."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    return total


def about_embeds(*, article_title: str, paragraph_count: int, topics: Sequence[str], years: Sequence[int]) -> list[Embed]:
    """What /about shows: what the bot is, the article's title, where the facts come from."""
    text = (
        "I answer questions about one news article, and only from it. "
        "Every answer quotes the article word for word, with the paragraph it comes from, "
        "so you can check it. When the article doesn't say, I say so instead of guessing.\n\n"
        "Ask me in a channel I watch, by mentioning me, in a DM, or with /ask."
    )
    span = f"{min(years)}–{max(years)}" if years else "none"
    fields = [
        ("Article", f"“{article_title}”"),
        ("Where the facts come from", f"The article's {paragraph_count} paragraphs and its title."),
        ("People and companies", ", ".join(topics) or "none"),
        ("Years covered", span),
    ]
    return build_embeds(text=text, colour=COLOURS[Kind.CHAT], title="About this bot", fields=fields)


APOLOGY = "Sorry, something went wrong on my side while answering that. It has been logged; please try again."


def cooldown_text(retry_after: float) -> str:
    """The polite notice for someone who asks faster than the cooldown allows."""
    seconds = max(1, math.ceil(retry_after))
    return f"You're asking faster than I can keep up. I'll answer you again in about {seconds} s."


def source_hint(paragraph_count: int) -> str:
    """What /source says when there is no paragraph to show yet."""
    return (
        f"Name a paragraph (0 is the title, then 1 to {paragraph_count}), "
        "or ask a question first and then use /source to see where its answer comes from."
    )


def notice_embeds(text: str) -> list[Embed]:
    """A short notice (cooldown, apology) as an embed."""
    return build_embeds(text=text, colour=COLOURS[Kind.DECLINE])


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """One button under a reply: what it does, its label, its custom id and its row."""

    action: Literal["ask", "source", "vote"]
    label: str
    custom_id: str
    row: int
    value: str
    emoji: str | None = None


def button_label(text: str) -> str:
    """Text as a button label: one line, at most 80 characters, never empty."""
    return truncate(" ".join(text.split()), BUTTON_LABEL_LIMIT) or "…"


def choice_name(text: str) -> str:
    """Text as an autocomplete choice name or value: one line, at most 100 characters."""
    return truncate(" ".join(text.split()), CHOICE_NAME_LIMIT) or "…"


def ask_custom_id(question: str) -> str:
    """The custom id of a button that asks question (cut to Discord's 100 characters)."""
    return (ASK_PREFIX + " ".join(question.split()))[:CUSTOM_ID_LIMIT]


def source_custom_id(paragraph: int) -> str:
    """The custom id of a button that shows a paragraph."""
    return f"{SOURCE_PREFIX}{paragraph}"


def vote_custom_id(question_id: int, vote: int) -> str:
    """The custom id of a 👍 (vote 1) or 👎 (vote -1) button under the answer to question_id."""
    return f"{VOTE_PREFIX}{VOTES[vote][0]}:{question_id}"


def buttons(reply: Reply, vote_on: int | None = None) -> list[ButtonSpec]:
    """The buttons under a reply, at most 5 a row.

    Suggested questions (clarify, decline, chat) take up to two rows; every cited
    paragraph gets a "Show source" button on the row after them. With vote_on (the
    id of the recorded question it answers), 👍 and 👎 follow on the last row if they
    fit there, else on a row of their own.
    """
    specs: list[ButtonSpec] = []
    seen: set[str] = set()
    for question in reply.suggestions:
        custom_id = ask_custom_id(question)
        if custom_id in seen or not question.strip():
            continue
        if len(specs) == SUGGESTION_BUTTONS:
            break
        seen.add(custom_id)
        row = len(specs) // BUTTONS_PER_ROW
        specs.append(ButtonSpec("ask", button_label(question), custom_id, row, question))
    paragraphs = list(dict.fromkeys(c.paragraph for c in reply.citations))[:SOURCE_BUTTONS]
    row = (len(specs) + BUTTONS_PER_ROW - 1) // BUTTONS_PER_ROW
    for paragraph in paragraphs:
        label = "Show source" if len(paragraphs) == 1 else f"Source: {where(paragraph).lower()}"
        specs.append(ButtonSpec("source", label, source_custom_id(paragraph), row, str(paragraph)))
    if vote_on is not None:
        last = specs[-1].row if specs else 0
        used = sum(1 for spec in specs if spec.row == last)
        row = last if used and used + len(VOTES) <= BUTTONS_PER_ROW else (last + 1 if specs else 0)
        for vote, (_, emoji) in VOTES.items():
            specs.append(ButtonSpec("vote", "", vote_custom_id(vote_on, vote), row, str(vote), emoji=emoji))
    return specs


VOTE_FAILED = "Sorry, I couldn't record your vote just now. Please try again in a minute."


def vote_thanks(vote: int, previous: int | None) -> str:
    """The ephemeral acknowledgement of a recorded vote."""
    emoji = VOTES[vote][1]
    if previous is None:
        return f"Thanks! Your {emoji} is recorded; it helps the editors improve the answers."
    if previous == vote:
        return f"You had already voted {emoji} on this answer; it still counts once."
    return f"Changed your vote on this answer to {emoji}."


def stats_embeds(text_lines: Sequence[str], *, title: str) -> list[Embed]:
    """/stats: the report's lines in a code block, so the columns line up."""
    body = "```\n" + "\n".join(text_lines) + "\n```"
    return build_embeds(text=body, colour=COLOURS[Kind.CHAT], title=title)


def misses_embeds(groups: Sequence[tuple[str, str]], *, title: str, footer_text: str) -> list[Embed]:
    """/misses: one field per group (its wording, then its details), within every embed limit."""
    text = "Questions declined, clarified or voted down, near-identical wordings counted together."
    if not groups:
        text = "Nothing was declined, clarified or voted down."
    return build_embeds(text=text, colour=COLOURS[Kind.DECLINE], title=title, fields=groups, footer_text=footer_text)


# -- the quiz ------------------------------------------------------------------------------

QUIZ_PREFIX = "quiz:"
QUIZ_COLOUR = 0xF1C40F
SCOREBOARD_LINES = 10
_NAME_MARKUP = re.compile(r"([\\*_~|`>\[\]<@])")  # markdown, masked links, mentions and <t:…> tags


def quiz_custom_id(quiz_id: int, number: int, option: int) -> str:
    """The custom id of option (0-3) of question `number` of the quiz started by interaction quiz_id."""
    return f"{QUIZ_PREFIX}{quiz_id}:{number}:{option}"


def plain_name(name: str) -> str:
    """A member's display name as text that Discord shows as it is: no markdown, no mention, one line, 32 characters."""
    return _NAME_MARKUP.sub(r"\\\1", truncate(" ".join(name.split()), 32)) or "?"


def names_line(names: Sequence[str], limit: int = EMBED_FIELD_VALUE_LIMIT) -> str:
    """Display names joined with commas, as many as fit in limit, then "and N more"."""
    reserve = len(" and 99999 more")
    shown: list[str] = []
    for index, name in enumerate(names):
        if len(", ".join([*shown, plain_name(name)])) + reserve > limit:
            return ", ".join(shown) + f" and {len(names) - index} more"
        shown.append(plain_name(name))
    return ", ".join(shown)


def quiz_intro_embeds(*, starter: str, count: int, seconds: float, article_title: str, scored: bool) -> list[Embed]:
    """What /quiz start posts first: who started it, how many questions, how to play."""
    text = (
        f"{plain_name(starter)} started a quiz: {count} question{'s' if count != 1 else ''} about “{article_title}”.\n"
        f"Press the letter of your answer: one answer each, {seconds:g} s per question. "
        "Every answer is revealed with the article's own words."
    )
    footer_text = "/quiz stop ends it early (whoever started it, or anyone who can manage messages)."
    if not scored:
        footer_text += " Scores are kept in servers only."
    return build_embeds(text=text, colour=QUIZ_COLOUR, title="Quiz time!", footer_text=footer_text)


def quiz_question_embeds(question: Question, total: int, *, closes_at: float | None) -> list[Embed]:
    """A question, its lettered options, and when it closes (Discord counts down a <t:…:R> timestamp); None: closed."""
    title = f"Question {question.number} of {total}" + (": fill in the blank" if question.item.blank else "")
    options = "\n".join(f"**{LETTERS[i]}.** {option}" for i, option in enumerate(question.options))
    text = f"{question.item.question}\n\n{options}"
    text += f"\n\nCloses <t:{math.ceil(closes_at)}:R>." if closes_at is not None else "\n\nClosed."
    footer_text = "One answer each. The right one is revealed when the question closes."
    return build_embeds(text=text, colour=QUIZ_COLOUR, title=title, footer_text=footer_text)


def quiz_reveal_embeds(outcome: Outcome, fact_text: str) -> list[Embed]:
    """The right answer with the fact and its verbatim quotes (paragraph by paragraph), and who got it right."""
    question = outcome.question
    if not outcome.answers:
        who = "Nobody answered."
    elif outcome.right:
        who = f"✅ Right ({len(outcome.right)} of {len(outcome.answers)}): {names_line(outcome.right, 1000)}"
    else:
        who = f"Nobody got it right ({len(outcome.answers)} answered)."
    footer_text = "Everyone playing has answered." if outcome.everyone else "Time's up."
    return build_embeds(
        text=f"{fact_text}\n\n{who}",
        colour=COLOURS[Kind.ANSWER],
        title=f"Question {question.number}: the answer is {question.answer}",
        fields=citation_fields(question.item.citations),
        footer_text=footer_text,
    )


def scoreboard_lines(standings: Sequence[Standing], limit: int = SCOREBOARD_LINES) -> list[str]:
    """The best `limit` of a scoreboard, one line each, and how many more played."""
    lines = [f"**{s.place}.** {plain_name(s.name)}: {s.right} right of {s.answered}" for s in standings[:limit]]
    if len(standings) > limit:
        lines.append(f"…and {len(standings) - limit} more")
    return lines


def quiz_scoreboard_embeds(standings: Sequence[Standing], *, asked: int, ending: str, footer_text: str | None) -> list[Embed]:
    """The end of a quiz: why it ended, and the scoreboard."""
    board = "\n".join(scoreboard_lines(standings)) if standings else "Nobody answered."
    plural = "s" if asked != 1 else ""
    return build_embeds(
        text=f"{ending}\n\n{board}",
        colour=QUIZ_COLOUR,
        title=f"Scoreboard after {asked} question{plural}",
        footer_text=footer_text,
    )


def leaderboard_embeds(
    top: Sequence[tuple[int, str, int, int]], you: tuple[int, int, int] | None, *, you_listed: bool
) -> list[Embed]:
    """/quiz leaderboard: (place, name, points, answered) of the best, and the asker's (place, points, answered)."""
    if not top:
        text = "Nobody has played a quiz in this server yet. Start one with /quiz start."
    else:
        text = "\n".join(
            f"**{place}.** {plain_name(name)}: {points} point{'s' if points != 1 else ''} ({answered} answered)"
            for place, name, points, answered in top
        )
        if you is not None:
            place, points, answered = you
            text += f"\n\nYou: **{place}.** with {points} point{'s' if points != 1 else ''} ({answered} answered)"
        elif not you_listed:
            text += "\n\nYou haven't played a quiz here yet."
    footer_text = "A point for each right answer; fewer questions answered breaks a tie."
    return build_embeds(text=text, colour=QUIZ_COLOUR, title="Quiz leaderboard", footer_text=footer_text)
