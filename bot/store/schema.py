"""The schema, versioned, and the queries: the same text for SQLite and PostgreSQL.

Each migration is a tuple of statements that moves the schema up one version; a
store applies the missing ones on start, inside one transaction that holds a lock
(BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so two processes
starting together migrate once. The types are ones both databases understand:
BIGINT ids (Discord snowflakes), DOUBLE PRECISION unix times, TEXT.

Queries use qmark placeholders (`?`); the PostgreSQL store turns them into psycopg's `%s`
once, at import. Values are always passed as parameters, never pasted into the text.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: questions and votes.
    (
        """CREATE TABLE questions (
            id BIGINT PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL,
            guild_id BIGINT,
            channel_id BIGINT NOT NULL,
            member TEXT NOT NULL,
            origin TEXT NOT NULL,
            question TEXT NOT NULL,
            kind TEXT NOT NULL,
            intent TEXT,
            confidence INTEGER NOT NULL,
            reason TEXT NOT NULL
        )""",
        "CREATE INDEX questions_at ON questions (at)",
        "CREATE INDEX questions_guild_at ON questions (guild_id, at)",
        """CREATE TABLE votes (
            question_id BIGINT NOT NULL,
            member TEXT NOT NULL,
            vote SMALLINT NOT NULL CHECK (vote IN (-1, 1)),
            at DOUBLE PRECISION NOT NULL,
            guild_id BIGINT,
            PRIMARY KEY (question_id, member)
        )""",
        "CREATE INDEX votes_at ON votes (at)",
    ),
    # 2: quiz scores per server. A member is their salted hash, as in the history; the name is the
    # display name they last played under, for the leaderboard. quiz_rounds holds each scored question
    # once, so that writing a question's scores again (a retry after a timeout) never counts them twice.
    (
        """CREATE TABLE quiz_scores (
            guild_id BIGINT NOT NULL,
            member TEXT NOT NULL,
            name TEXT NOT NULL,
            points INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (guild_id, member)
        )""",
        "CREATE INDEX quiz_scores_rank ON quiz_scores (guild_id, points DESC, answered)",
        """CREATE TABLE quiz_rounds (
            quiz_id BIGINT NOT NULL,
            question INTEGER NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (quiz_id, question)
        )""",
        "CREATE INDEX quiz_rounds_at ON quiz_rounds (at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

CREATE_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
)
CURRENT_VERSION = "SELECT COALESCE(MAX(version), 0) FROM schema_version"
RECORD_VERSION = "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"

INSERT_QUESTION = """INSERT INTO questions
    (id, at, guild_id, channel_id, member, origin, question, kind, intent, confidence, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO NOTHING"""
PREVIOUS_VOTE = "SELECT vote FROM votes WHERE question_id = ? AND member = ?"
UPSERT_VOTE = """INSERT INTO votes (question_id, member, vote, at, guild_id) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (question_id, member) DO UPDATE SET vote = excluded.vote, at = excluded.at"""
PURGE_QUESTIONS = "DELETE FROM questions WHERE at < ?"
PURGE_VOTES = "DELETE FROM votes WHERE at < ?"

# The guild filter `(? = 0 OR guild_id = ?)` takes the guild id twice; 0 (ALL_GUILDS) means every guild and DMs.
STATS_KINDS = "SELECT kind, COUNT(*) FROM questions WHERE at >= ? AND (? = 0 OR guild_id = ?) GROUP BY kind"
STATS_MEMBERS = "SELECT COUNT(DISTINCT member) FROM questions WHERE at >= ? AND (? = 0 OR guild_id = ?)"
STATS_VOTES = "SELECT vote, COUNT(*) FROM votes WHERE at >= ? AND (? = 0 OR guild_id = ?) GROUP BY vote"
STATS_INTENTS = """SELECT intent, COUNT(*) AS answered FROM questions
    WHERE at >= ? AND (? = 0 OR guild_id = ?) AND kind = 'answer' AND intent IS NOT NULL
    GROUP BY intent ORDER BY answered DESC, intent LIMIT ?"""
MISSES = """SELECT q.question, q.kind, q.intent, q.at, COALESCE(d.down, 0), q.member
    FROM questions q
    LEFT JOIN (SELECT question_id, COUNT(*) AS down FROM votes WHERE vote < 0 GROUP BY question_id) d
        ON d.question_id = q.id
    WHERE q.at >= ? AND (? = 0 OR q.guild_id = ?) AND (q.kind IN ('decline', 'clarify') OR d.down > 0)
    ORDER BY q.at DESC LIMIT ?"""

# Quiz scores: a round (one question of one quiz) is scored once; then each member's points are added.
CLAIM_QUIZ_ROUND = "INSERT INTO quiz_rounds (quiz_id, question, at) VALUES (?, ?, ?) ON CONFLICT (quiz_id, question) DO NOTHING"
FORGET_QUIZ_ROUNDS = "DELETE FROM quiz_rounds WHERE at < ?"
ADD_QUIZ_SCORE = """INSERT INTO quiz_scores (guild_id, member, name, points, answered, at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (guild_id, member) DO UPDATE SET
        name = excluded.name,
        points = quiz_scores.points + excluded.points,
        answered = quiz_scores.answered + excluded.answered,
        at = excluded.at"""
QUIZ_LEADERBOARD = """SELECT member, name, points, answered FROM quiz_scores WHERE guild_id = ?
    ORDER BY points DESC, answered, member LIMIT ?"""
QUIZ_SCORE = "SELECT member, name, points, answered FROM quiz_scores WHERE guild_id = ? AND member = ?"
# A member's place: one more than those ahead of them (more points, or as many from fewer answers).
QUIZ_AHEAD = """SELECT COUNT(*) FROM quiz_scores
    WHERE guild_id = ? AND (points > ? OR (points = ? AND answered < ?))"""
