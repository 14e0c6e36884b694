"""A second (third...) process writing to one store, for the test that two processes corrupt nothing.

python -m tests.store.writer_process WHERE NUMBER ROUNDS
"""

from __future__ import annotations

import asyncio
import sys

from bot.store import QuestionRecord, VoteRecord
from tests.store.conftest import make_store

BATCH = 5


async def write(where: str, number: int, rounds: int) -> None:
    store = make_store(where)
    member = f"writer-{number}"
    base = (number + 1) * 1_000_000
    for start in range(0, rounds, BATCH):
        await store.add_questions(
            [
                QuestionRecord(base + i, 1.0 + i, 1, 2, member, "channel", f"question {i} from {number}", "decline", None, 0, "")
                for i in range(start, min(start + BATCH, rounds))
            ]
        )
        for i in range(start, min(start + BATCH, rounds)):
            # Everyone votes on writer 0's questions, up and then down: the last vote must win, once per member.
            await store.set_vote(VoteRecord(1_000_000 + i, member, 1, 2.0, 1))
            await store.set_vote(VoteRecord(1_000_000 + i, member, -1, 2.0, 1))
    await store.close()


if __name__ == "__main__":
    asyncio.run(write(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
