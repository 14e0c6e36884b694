import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot import __version__, state
from bot.cli import main
from bot.settings import Settings
from tests.conftest import replace_in

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["run", "chat", "ask", "check", "timeline", "eval", "label", "bench", "invite", "sync", "health", "misses", "stats"]


def test_ask_prints_the_answer_with_quoted_citations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "when did amazon leave china?"]) == 0
    out = capsys.readouterr().out
    assert "April 2019" in out
    assert "(paragraph 1)" in out and "“" in out


def test_ask_json_reads_stdin_and_writes_one_object_per_line_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("pdd revenue?\nwhat is the capital of france\nhi\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["question"] for line in lines] == ["pdd revenue?", "what is the capital of france", "hi"]
    assert [line["kind"] for line in lines] == ["answer", "decline", "chat"]
    assert lines[0]["citations"][0]["paragraph"] == 4


def test_check_validates_the_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_check_fails_on_broken_data_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data_copy / "intents.yaml").write_text("version: 1\nintents: [\n", encoding="utf-8")
    monkeypatch.setattr("bot.engine.default_data_dir", lambda: data_copy)
    assert main(["check"]) == 1
    assert "intents.yaml: line" in capsys.readouterr().err


def test_check_names_a_hand_written_quiz_question_whose_distractor_is_the_answer(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiz = data_copy / "quiz.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace('"Robin Li"', '"COLIN HUANG"'), encoding="utf-8")
    monkeypatch.setattr("bot.engine.default_data_dir", lambda: data_copy)
    assert main(["check"]) == 1
    assert "data error: quiz.yaml: questions[0].distractors[2]: 'COLIN HUANG' is the answer" in capsys.readouterr().err


def test_check_counts_the_quiz_questions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert re.search(r", \d+ quiz questions \(6 written by hand\)$", capsys.readouterr().out.strip())


def test_check_fails_when_the_timeline_picture_cannot_fit_its_labels(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("bot.picture.WIDTH", 600)
    assert main(["check"]) == 1
    assert "knowledge.yaml: timeline picture: the dated events do not fit: labels" in capsys.readouterr().err


def test_eval_reports_figures_per_intent_and_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "pdd revenue?", "expect": [["1.1"]]}\n{"q": "who founded jd", "expect": "decline"}\n{"q": "gmv growth", "expect": [["999"]]}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(questions)]) == 0
    out = capsys.readouterr().out
    assert "in-scope answered correctly: 1/2" in out
    assert "declined when they should:   1/1" in out
    assert "WRONG" in out and "gmv growth" in out
    assert "q3_revenue" in out
    assert "recall" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frobnicate"], "invalid choice"),
        (["eval", "/no/such/file.jsonl"], "cannot read"),
        (["sync", "--clear-guild", "general"], "expected a Discord server id"),
        (["health", "--max-age", "²"], "expected a number of seconds"),
    ],
)
def test_bad_invocations_get_one_line_and_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_bad_json_line_in_a_question_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "hi", "expect": "decline"}\nnot json\n', encoding="utf-8")
    assert main(["eval", str(questions)]) == 2
    assert f"{questions}:2: not a question line" in capsys.readouterr().err


def test_ask_imports_neither_discord_nor_pillow_and_check_not_discord() -> None:
    code = (
        "import sys; from bot.cli import main; main(['ask', 'hi']); print('discord' in sys.modules or 'PIL' in sys.modules); "
        "main(['check']); print('discord' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    lines = out.strip().splitlines()
    assert lines[-1] == "False" and lines[-2].startswith("ok: ") and lines[-3] == "False"


def test_python_dash_m_bot_runs_from_another_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "pdd founder?"], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "Colin Huang" in result.stdout


def test_bench_prints_latency_throughput_startup_and_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"q": "pdd revenue?", "expect": [["1.1"]]}\n{"q": "hi", "expect": "decline"}\n', encoding="utf-8")
    assert main(["bench", str(questions), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for figure in ("p50:", "p99:", "answers per second", "start-up", "peak RSS", "million Python additions"):
        assert figure in out


def test_bare_python_m_bot_lists_every_command_with_one_line_each_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    listed = [line.split()[0] for line in err.splitlines() if line.startswith("    ") and len(line.split()) > 1]
    assert listed == COMMANDS


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"python -m bot {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_that_says_what_it_does(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m bot {command}")
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 6, description


def test_ask_json_into_a_pipe_closed_early_ends_without_a_traceback(tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("when did amazon leave china?\nhi\n" * 2000, encoding="utf-8")
    with questions.open("rb") as stdin:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "--json", "-"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()  # like `| head -1`: read a line, then close the pipe
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=60)
    assert json.loads(first)["question"] == "when did amazon leave china?"
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 141


def test_a_question_file_that_is_not_utf8_gets_one_line_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_bytes(b'{"q": "hi", "expect": "decline"}\n{"q": "caf\xe9"}\n')
    assert main(["eval", str(questions)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {questions}:2: not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_ask_from_stdin_that_is_not_utf8_gets_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "-"], input=b"hi\n\xff\xfe\n", capture_output=True, cwd=ROOT, check=False
    )
    err = result.stderr.decode()
    assert result.returncode == 2
    assert err.strip() == "error: stdin line 2 is not UTF-8 text (byte 0xff); save it as UTF-8"


def test_check_names_every_problem_of_every_file_in_one_run(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replace_in(data_copy / "intents.yaml", "    requires:", "    requries:")
    replace_in(data_copy / "knowledge.yaml", 'date: "2015"', 'date: "2004-13-45"')
    replace_in(data_copy / "smalltalk.yaml", "    reply:", "    replly:")
    monkeypatch.setattr("bot.engine.default_data_dir", lambda: data_copy)
    assert main(["check"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} problems in the data files"
    text = "\n".join(lines)
    assert ".requries: unknown key (did you mean 'requires'?)" in text
    assert "knowledge.yaml: fact " in text and ".event.date: not a date: '2004-13-45'" in text
    assert "smalltalk.yaml: smalltalk." in text and ".replly: unknown key" in text


def test_health_is_ok_while_the_heartbeat_is_fresh_and_fails_when_it_is_stale_or_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith(("DISCORD_", "BOT_", "SHARD_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2Nzg5MDEyMzQ1Njc4.x.y")
    assert main(["health"]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err
    heartbeat = state.heartbeat_path(Settings.from_env(os.environ))
    state.touch(heartbeat)
    assert main(["health"]) == 0
    assert capsys.readouterr().out.startswith("ok: the gateway was alive")
    old = heartbeat.stat().st_mtime - 600
    os.utime(heartbeat, (old, old))
    assert main(["health"]) == 1
    assert "last seen alive 600 s ago (limit 90 s)" in capsys.readouterr().err
    assert main(["health", "--max-age", "900"]) == 0


def test_timeline_png_writes_the_picture_and_prints_the_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "timeline.png"
    assert main(["timeline", "--png", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Timeline, from the article:") and "2004" in out
    assert f"wrote {target}: 1200x" in err
    with Image.open(target) as image:
        assert image.format == "PNG" and image.width == 1200


def test_timeline_year_highlights_that_year_and_a_year_without_events_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.engine import Engine
    from bot.picture import render

    target = tmp_path / "2015.png"
    assert main(["timeline", "--year", "2015", "--png", str(target)]) == 0
    assert "2015" in capsys.readouterr().out
    assert target.read_bytes() == render(Engine.load().knowledge, 2015).png
    empty = tmp_path / "2010.png"
    assert main(["timeline", "--year", "2010", "--png", str(empty)]) == 1
    assert "no events in 2010" in capsys.readouterr().out
    assert not empty.exists()


def test_timeline_png_into_a_missing_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--png", str(tmp_path / "no" / "such" / "dir.png")]) == 2
    assert "cannot write" in capsys.readouterr().err


def _history(state: Path, database_url: str | None = None) -> None:
    """Questions and votes in the store `misses` and `stats` read."""
    import asyncio
    import time

    from bot.store import QuestionRecord, VoteRecord, open_store

    now = time.time()

    def question(number: int, text: str, kind: str, intent: str | None = None, guild: int = 1, age: float = 60) -> QuestionRecord:
        return QuestionRecord(number, now - age, guild, 2, f"member{number % 3}", "channel", text, kind, intent, 50, "")

    async def fill() -> None:
        store = open_store(database_url, state)
        await store.add_questions(
            [
                question(1, "when did amazon enter japan?", "decline"),
                question(2, "When did Amazon enter Japan??", "decline"),
                question(3, "when did amazon enter china?", "answer", "amazon_entry"),
                question(4, "how old is pdd", "answer", "pdd_age", guild=9),
                question(5, "amazon store", "clarify"),
                question(6, "an old miss", "decline", age=40 * 86400),
            ]
        )
        await store.set_vote(VoteRecord(3, "someone", -1, now, 1))
        await store.set_vote(VoteRecord(4, "someone", 1, now, 9))
        await store.close()

    asyncio.run(fill())


@pytest.fixture
def history_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "BOT_HISTORY", "BOT_DATA_DIR", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path / "state"))
    _history(tmp_path / "state")
    return tmp_path / "state"


def test_misses_json_lists_declined_clarified_and_voted_down_questions_grouped(
    history_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["misses", "--json"]) == 0
    groups = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_question = {g["question"]: g for g in groups}
    assert len(groups) == 3
    assert {"when did amazon enter china?", "amazon store"} < set(by_question)
    japan = next(g for g in groups if "japan" in g["question"].lower())
    assert japan["count"] == 2
    assert japan["kinds"] == {"decline": 2}
    assert japan["nearest_intent"]
    china = by_question["when did amazon enter china?"]
    assert china["down_votes"] == 1
    assert china["nearest_intent"] == "amazon_entry"
    assert "an old miss" not in by_question  # older than --days 30


def test_misses_days_and_guild_narrow_the_report(history_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["misses", "--days", "60", "--guild", "9"]) == 0
    out = capsys.readouterr().out
    assert "Misses in the last 60 days (server 9): 0 groups" in out
    assert main(["misses", "--days", "60"]) == 0
    out = capsys.readouterr().out
    assert "an old miss" in out
    assert "2×  " in out
    assert main(["misses", "--days", "0"]) == 2
    assert main(["misses", "--guild", "x"]) == 2


def test_misses_export_writes_a_question_set_that_eval_refuses_until_expect_is_filled_in(
    history_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "misses.jsonl"
    assert main(["misses", "--export", str(exported)]) == 0
    rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3
    assert all(row["expect"] is None and row["q"] for row in rows)
    assert "fill in each `expect`" in capsys.readouterr().err
    assert main(["eval", str(exported)]) == 2
    assert "fill in `expect` first" in capsys.readouterr().err


def test_stats_give_totals_shares_votes_and_top_intents(history_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 5
    assert (report["answered"], report["declined"], report["clarified"]) == (2, 2, 1)
    assert report["shares"]["answered"] == 40.0
    assert (report["votes_up"], report["votes_down"]) == (1, 1)
    assert {i["intent"] for i in report["top_intents"]} == {"amazon_entry", "pdd_age"}
    assert main(["stats", "--guild", "9"]) == 0
    assert "(server 9): 1 from 1 members" in capsys.readouterr().out


def test_stats_read_postgresql_when_database_url_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.store.postgres_server import fresh_schema

    with fresh_schema() as url:
        _history(tmp_path, url)
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path / "elsewhere"))
        assert main(["stats", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["questions"] == 5
        assert not (tmp_path / "elsewhere").exists()  # nothing went to SQLite


def test_eval_saves_a_run_and_a_later_run_lists_what_changed_against_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "set.jsonl"
    questions.write_text(
        '{"q": "when did amazon leave china?", "expect": [["2019"]]}\n{"q": "who founded jd?", "expect": "decline"}\n',
        encoding="utf-8",
    )
    run = tmp_path / "run.json"
    assert main(["eval", str(questions), "--save", str(run)]) == 0
    assert json.loads(run.read_text(encoding="utf-8")) == {"when did amazon leave china?": "right", "who founded jd?": "right"}
    run.write_text(json.dumps({"when did amazon leave china?": "declined", "who founded jd?": "right"}), encoding="utf-8")
    capsys.readouterr()
    assert main(["eval", str(questions), "--baseline", str(run)]) == 0
    out = capsys.readouterr().out
    assert "1 questions changed" in out
    assert "declined  -> right     'when did amazon leave china?'" in out
