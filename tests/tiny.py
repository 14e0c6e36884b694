"""A tiny article and its data, written inline, for tests of the decision rules that must not lean
on the shipped YAML: each rule's test builds the smallest data that shows its class of question."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.engine import Engine

ARTICLE = """\
Acme Opens a Kiosk with Bolt

Acme entered Ruritania in 2004 by buying Zed, a small bookshop, and fought the local giant Qux for a decade.

The Acme kiosk on Bolt opens on May 5 with roughly 300 gadgets until the end of June.

Bolt grew revenue 144% to about $2.5 billion, and its founder, Ann Lee, is worth about $9 billion.
"""

KNOWLEDGE = """\
version: 1
facts:
  - id: entry
    text: "Acme entered Ruritania in 2004 by buying Zed, a small bookshop."
    about: [acme, ruritania, zed]
    event: {date: "2004", label: "2004"}
    citations:
      - {paragraph: 1, quote: "Acme entered Ruritania in 2004 by buying Zed, a small bookshop"}
  - id: rival
    text: "Acme fought the local giant Qux for a decade."
    about: [acme, qux]
    citations:
      - {paragraph: 1, quote: "fought the local giant Qux for a decade"}
  - id: kiosk
    text: "The kiosk opens on May 5 with roughly 300 gadgets until the end of June."
    about: [acme, bolt]
    event: {date: "2019-05-05", label: "May 5"}
    citations:
      - {paragraph: 2, quote: "The Acme kiosk on Bolt opens on May 5 with roughly 300 gadgets until the end of June."}
  - id: revenue
    text: "Bolt grew revenue 144% to about $2.5 billion."
    about: [bolt]
    citations:
      - {paragraph: 3, quote: "Bolt grew revenue 144% to about $2.5 billion"}
  - id: wealth
    text: "Bolt's founder, Ann Lee, is worth about $9 billion."
    about: [bolt, ann_lee]
    citations:
      - {paragraph: 3, quote: "its founder, Ann Lee, is worth about $9 billion"}
"""

INTENTS = """\
version: 1
intents:
  - name: entry
    handler: fact
    facts: [entry]
    asks: [when, who]
    suggestion: When did Acme enter Ruritania?
    templates: [when did acme enter ruritania, who did acme buy, what year did acme come to ruritania]
  - name: rival
    handler: fact
    facts: [rival]
    asks: [who, duration]
    suggestion: Who was Acme's rival?
    templates: [who did acme fight, who was acme's rival, how long did acme fight qux]
  - name: kiosk
    handler: fact
    facts: [kiosk]
    asks: [when, amount]
    suggestion: When does the kiosk open?
    templates: [when does the kiosk open, how many gadgets in the kiosk, when does the kiosk close]
  - name: revenue
    handler: fact
    facts: [revenue]
    asks: [amount]
    suggestion: What was Bolt's revenue?
    templates: [what was bolt's revenue, how much did bolt's revenue grow]
  - name: wealth
    handler: fact
    facts: [wealth]
    asks: [amount, who]
    requires: [bolt, ann_lee]
    suggestion: How rich is Bolt's founder?
    templates: [how rich is ann lee, what is the founder of bolt worth, who founded bolt]
"""

LEXICON = """\
version: 1
entities:
  acme: {name: Acme, aliases: [acme]}
  ruritania: {name: Ruritania, aliases: [ruritania]}
  zed: {name: Zed, aliases: [zed]}
  qux: {name: Qux, aliases: [qux]}
  bolt: {name: Bolt, aliases: [bolt]}
  ann_lee: {name: Ann Lee, aliases: [ann lee, ann]}
setting: [ruritania]
subject: [acme]
outside_entities:
  places: [narnia]
  companies: [globex]
premises: [companies]
roles:
  founder: ann_lee
  he: ann_lee
unsupported:
  leaders: {reply: "The article doesn't say who runs {whose}business.", phrases: [ceo]}
  money: {reply: "The article doesn't give {whose}stock price or profit.", phrases: [stock price, profit]}
question_types:
  phrases:
    - [amount, '\\bhow (?:much|many|rich)\\b']
    - [duration, '\\bhow long\\b']
  words:
    - [when, '\\bwhen\\b']
    - [who, '\\bwho\\b|\\bwhom\\b']
    - [open, '\\b(?:what|which)\\b']
  names: '\\bname\\b'

spellings:
  when: [wen]
negations: [not about]
concepts:
  enter: [enter, come to, get into]
  acquire: [buy, bought]
  fight: [fight, fought, rival]
  kiosk: [kiosk, store, shop]
  launch: [open, opens, launch]
  close: [close, end]
  revenue: [revenue, sales]
  growth: [grow, grew]
  wealth: [rich, worth, net worth]
  founder: [founder, founded]
slots: []
stopwords: [a, an, the, is, was, did, does, do, of, in, "on", to, what, when, who, how, much, many, year, s, and, right, it, its, he, his]
dictionary: words.txt
"""

REPLIES = """\
version: 1
replies:
  decline: "Sorry, the article doesn't say."
  outside: "The article doesn't cover that."
  other_year: "Nothing for {year}; it covers {years}."
  clarify: "Which one?"
  source_first: "Ask first, or name a paragraph (1 to {last})."
  paragraphs: "Paragraphs 1 to {last}."
  no_events: "No events in {year}; it covers {years}."
  unknown_topic: "Nothing about {topic}."
"""

SMALLTALK = """\
version: 1
smalltalk:
  greeting: {phrases: [hi, hello], reply: "Hi! Ask me about {title}."}
  help: {phrases: [help], reply: "I answer questions about {title}."}
"""


def write(folder: Path, **files: str) -> Path:
    """The tiny data in folder (files given by name replace the defaults: intents="...")."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults = {
        "article.txt": ARTICLE,
        "knowledge.yaml": KNOWLEDGE,
        "intents.yaml": INTENTS,
        "lexicon.yaml": LEXICON,
        "smalltalk.yaml": SMALLTALK,
        "replies.yaml": REPLIES,
        "words.txt": "gadget\ngadgets\nbookshop\nkiosk\n",
    }
    for name, text in defaults.items():
        text = files.get(name.split(".")[0], text)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def engine(folder: Path, **files: str) -> Engine:
    """An engine on the tiny data (no example files, folding cache in folder)."""
    return Engine.load(write(folder, **files))
