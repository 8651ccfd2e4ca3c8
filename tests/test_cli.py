"""The command line's contract: help with examples, exit codes, --json, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from distributor.cli import main


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        found.append((*prefix, name))
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, (*prefix, name)))
    return found


def test_help_lists_the_foundation_commands() -> None:
    code, out, _ = _run("--help")
    assert code == 0
    for name in ("ingest", "preview", "run", "check-config"):
        assert name in out


@pytest.mark.parametrize("path", _commands(main))
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    code, out, _ = _run(*path, "--help")
    assert code == 0
    assert "Example" in out, f"'distributor {' '.join(path)} --help' shows no example"


@pytest.mark.parametrize("path", _commands(main))
def test_every_command_takes_config_after_its_name(path: tuple[str, ...], tmp_path: Path) -> None:
    # `--help` answers only once every option before it has parsed: a command that
    # refuses --config after its name exits 2 ("No such option") instead.
    code, out, err = _run(*path, "--config", str(tmp_path / "c.toml"), "--help")
    assert code == 0, f"'distributor {' '.join(path)} --config FILE' is refused: {err}"
    assert "--config" in out


def _config(tmp_path: Path, sources: Path) -> Path:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[ingest]\nsources = ["{sources}"]\n[database]\nurl = "sqlite:///{tmp_path}/d.db"\n'
        f'[output]\ndir = "{tmp_path}/out"\n',
        encoding="utf-8",
    )
    return cfg


def test_config_and_json_mean_the_same_before_and_after_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config/distributor.toml here: only --config finds the news
    news = tmp_path / "news"
    news.mkdir()
    (news / "ferries.txt").write_text(
        "Island ferries get two new boats\nTwo hybrid ferries will join the routes.\n",
        encoding="utf-8",
    )
    cfg = str(_config(tmp_path, news))
    forms = [
        ("--config", cfg, "--json", "preview", "thread"),
        ("preview", "thread", "--config", cfg, "--json"),
        ("preview", "--json", "thread", "--config", cfg),
        ("--json", "preview", "--config", cfg, "thread"),
    ]
    reports = []
    for args in forms:
        code, out, err = _run(*args)
        assert code == 0, (args, err)
        reports.append(json.loads(out))
    assert reports[0]["threads"][0]["source"].endswith("ferries.txt")
    assert all(r == reports[0] for r in reports)

    before = _run("--json", "--config", cfg, "check-config")
    after = _run("check-config", "--json", "--config", cfg)
    assert before == after and json.loads(after[1])["config"] == cfg


def test_the_config_given_after_the_command_is_the_one_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[output]\ndirr = 'x'\n", encoding="utf-8")
    for args in (("--config", str(bad), "check-config"), ("check-config", "--config", str(bad))):
        code, _, err = _run(*args)
        assert code == 2 and f"{bad}: output.dirr: unknown key" in err, args


def test_a_group_option_its_command_cannot_use_is_refused_not_ignored() -> None:
    code, _, err = _run("--json", "subscribers", "serve-unsubscribe")
    assert code == 2 and "serve-unsubscribe does not take --json" in err
    code, _, err = _run("preview", "--out", "somewhere", "thread")
    assert code == 2 and "thread does not take --out" in err


# A count with a plural noun after it, for a count of one: "1 stories", "(1 figures)".
ONE_WITH_A_PLURAL = re.compile(
    r"\b1 (?:stories|figures|posts|headlines|files|sources|rows|subscribers|rounds|minutes)\b"
)


def test_a_count_of_one_reads_in_the_singular(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "ferries.txt").write_text(
        "Island ferries get two new boats\n"
        "Two hybrid ferries costing £48m will join the island routes in 2027.\n",
        encoding="utf-8",
    )
    cfg = str(_config(tmp_path, news))
    outputs = []
    for args in (
        ("preview",),
        ("preview", "thread"),
        ("preview", "digest", "--out", str(tmp_path / "p")),
        ("run",),
        ("ingest", "--source", str(news), "--source", str(tmp_path / "gone")),
    ):
        result = CliRunner().invoke(main, ["--config", cfg, *args])
        outputs.append(result.output)
    text = "\n".join(outputs)
    assert not ONE_WITH_A_PLURAL.findall(text), text
    preview, thread, _, run, ingest = outputs
    assert "Preview for" in preview and ": 1 story" in preview and "(1 figure" in preview
    assert ": 1 post" in thread or ": 2 posts" in thread
    assert "(1 story):" in run and "1 story today" in run
    assert "1 source failed" in ingest


def test_a_source_path_is_printed_once_as_the_editor_can_open_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guid of a file already starts with its folder's name; joining the folder to it
    # again printed "seed/seed/ferries.txt", and a file in the working directory was
    # shown under a folder that does not exist ("files/ferries.txt").
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "ferries.txt").write_text(
        "Island ferries get two new boats\nTwo hybrid ferries will join the routes.\n",
        encoding="utf-8",
    )

    def sources(*args: str) -> list[str]:
        code, out, err = _run(*args, "--json")
        assert code == 0, err
        report = json.loads(out)
        if isinstance(report, list):  # extract
            return [story["source"] for story in report]
        return [thread["source"] for thread in report["threads"]]

    monkeypatch.chdir(tmp_path)
    for args in (
        ("extract", "seed"),
        ("extract", "seed/ferries.txt"),
        ("extract", str(seed)),  # below the working directory: shown relative to it
        ("preview", "thread", "seed"),
        ("preview", "thread", "--source", "seed"),
        ("preview", "--source", "seed", "thread"),
    ):
        assert sources(*args) == ["seed/ferries.txt"], args
        assert Path(sources(*args)[0]).is_file()
    code, out, _ = _run("preview", "thread", "seed")
    assert code == 0
    assert "seed/ferries.txt: " in out and "seed/seed" not in out

    monkeypatch.chdir(seed)
    assert sources("extract", "ferries.txt") == ["ferries.txt"]
    assert sources("preview", "thread", ".") == ["ferries.txt"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert sources("extract", "../seed") == ["../seed/ferries.txt"]


def test_check_config_reports_a_valid_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("check-config", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["problems"] == []
    assert report["channels"] == {"files": "ok"}


def test_bad_config_exits_2_with_file_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[output]\ndirr = 'x'\n", encoding="utf-8")
    code, _, err = _run("--config", str(cfg), "check-config")
    assert code == 2
    assert f"{cfg}: output.dirr: unknown key; did you mean 'dir'?" in err


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    code, _, err = _run("--config", str(tmp_path / "none.toml"), "check-config")
    assert code == 2
    assert "configuration file not found" in err


def test_unknown_channel_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f"[delivery]\nchannels = ['files', 'pigeon']\n[database]\nurl = 'sqlite:///{tmp_path}/d.db'\n",
        encoding="utf-8",
    )
    code, _, err = _run("--config", str(cfg), "check-config")
    assert code == 2
    assert "no channel named 'pigeon'" in err


def test_an_unreachable_database_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    cfg = tmp_path / "pg.toml"
    cfg.write_text('[database]\nurl = "postgresql://nobody@127.0.0.1:9/none"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(cfg), "status"])
    assert result.exit_code == 1
    assert "database error" in result.stderr and "database.url" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    # `distributor --help` and every command's start-up pay only for what they use: the
    # database, the provider clients, MJML and twitter-text load with the commands that
    # need them (start-up went from 1.2 s to 0.12 s this way).
    import subprocess
    import sys

    heavy = (
        "sqlalchemy",
        "twitter_text",
        "mjml",
        "tweepy",
        "atproto",
        "sendgrid",
        "mastodon",
        "matplotlib",
    )
    code = f"import sys, distributor.cli\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
