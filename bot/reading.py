"""Reading a message: which parts of it ask something, and whether a part checks a claim.

A message in a chat is often more than one question ("when did they open on tmall and who owns
it"), or a question wrapped in chatter ("ngl had to google pdd lol. how rich is the founder").
`asks()` cuts the (cleaned) message into the parts that ask, in order; the rest is chatter, read
only for the names it gives. Pure functions over text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.normalize import CHECKING

# Words that open a question: a question word, or a verb that starts a yes/no question.
_WH = r"what|whats|which|when|where|who|whom|whose|why|how"
_AUX = r"is|are|was|were|did|does|do|has|have|had|can|could|will|would|should"
_OPENS_QUESTION = re.compile(rf"^(?:and |also |plus |then |so |but |or )?(?:{_WH}|{_AUX})\b")
# Words that make a part ask something wherever they stand.
_ASKING = re.compile(rf"\b(?:{_WH}|tell me|explain|summari[sz]e|describe|list|name|give me|remind me)\b|\?")
# Imperatives and requests that ask without a question word ("launch date pls", "founder name").
_REQUEST = re.compile(r"\b(?:pls|plz|please|date|year|name|number|figure|amount)\s*\??$")
# Where a message breaks into sentences: ., ?, !, ;, new lines, dashes and list markers ("1)", "2.").
_SENTENCE = re.compile(r"(?<=[?!;\n])|(?<=\.)\s+|\s+-+\s+|(?:^|\s)[1-9](?:\s{2,}|\.\s)(?=[a-z])")
# Where a sentence may hold a second question: "X and when ...", "X, who ...", "X + Y", "X also ...",
# "X and they stop when".
_JOIN = re.compile(
    rf"\s*(?:,\s*(?:and\s+)?|\s(?:and|also|plus|&)\s+|\s\+\s)(?=(?:{_WH}|{_AUX})\b|(?:they|it|he|she)\s+\w+(?:\s+\w+)?\s+(?:{_WH})\b)"
    rf"|\s\+\s|\s*/\s*(?=(?:{_WH})\b)"
)
_TOPIC = re.compile(r"^([^:?]{2,40}):\s+(?=\S)")  # "pdd store: launch date? until when?"
ALTERNATIVES = re.compile(r"\w \bor\b \w")  # "jd or alibaba?", "2017 or 2018"
_WH_WORD = re.compile(rf"\b(?:{_WH})\b")


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a message: its text, and whether it asks something."""

    text: str
    asks: bool


def parts(cleaned: str) -> list[Part]:
    """The message cut into sentences, and sentences into the questions they join, in order."""
    topic = ""
    found = _TOPIC.match(cleaned)
    if found and not _ASKING.search(found.group(1)):
        topic, cleaned = found.group(1).strip() + " ", cleaned[found.end() :]
    out: list[Part] = []
    for sentence in _SENTENCE.split(cleaned):
        sentence = sentence.strip(" .,;-")
        if not sentence:
            continue
        pieces = [p.strip(" ,") for p in _JOIN.split(sentence) if p and p.strip(" ,")]
        for piece in pieces:
            out.append(Part(topic + piece, bool(_ASKING.search(piece) or _OPENS_QUESTION.match(piece) or _REQUEST.search(piece))))
    return out


def checks_a_claim(cleaned: str) -> bool:
    """Whether a part checks a claim rather than asks for something: a yes/no question ("did they
    leave in 2018?"), a claim with a tag or a question mark ("jack ma founded pdd right?", "amazon
    join tmall 2017?"), or alternatives ("jd or alibaba?"). Its answer is the article's fact, which
    settles the claim, so a wrong name or year in it rules nothing out."""
    text = cleaned.strip()
    if CHECKING.search(text) or ALTERNATIVES.search(text):
        return True
    if _WH_WORD.search(text):
        return False
    return bool(re.match(rf"^(?:and |so |but |wait |also |ok |so like )?(?:{_AUX})\b", text) or text.endswith("?"))
