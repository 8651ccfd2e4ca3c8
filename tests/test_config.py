"""Configuration: every key documented, every mistake reported with file and key."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from distributor import settings
from distributor.channels import registry
from distributor.errors import ConfigError, MissingSecretError
from tests.conftest import ROOT

EXAMPLE = ROOT / "config" / "distributor.example.toml"


def _documented_keys(path: Path) -> dict[str, bool]:
    """Every dotted key in the file, and whether a comment stands right above it."""
    found: dict[str, bool] = {}
    table = ""
    previous = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            table = line.strip("[]").strip()
        elif "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip()
            found[f"{table}.{key}" if table else key] = previous.startswith("#")
        if line:
            previous = line
    return found


def _expected_keys() -> set[str]:
    keys = set(settings.section_keys(settings.Settings))
    for name, cls in registry.available().items():
        for f in dataclasses.fields(cls.Options):
            keys.add(f"channels.{name}.{f.name}")
    return keys


def test_every_setting_is_documented_in_the_example() -> None:
    documented = _documented_keys(EXAMPLE)
    missing = sorted(_expected_keys() - set(documented))
    assert not missing, f"undocumented keys, add them to {EXAMPLE.name}: {missing}"
    bare = sorted(k for k, has_comment in documented.items() if not has_comment)
    assert not bare, f"keys without a comment above them: {bare}"


def test_the_example_documents_no_key_that_does_not_exist() -> None:
    extra = sorted(set(_documented_keys(EXAMPLE)) - _expected_keys())
    assert not extra, f"the example names keys the program does not know: {extra}"


def test_example_and_default_config_load() -> None:
    for path in (EXAMPLE, ROOT / "config" / "distributor.toml"):
        loaded = settings.load(path)
        assert loaded.publisher.timezone == "Europe/London"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "distributor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_file_key_and_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path, "[publisher]\ntimezon = 'Europe/Paris'\n")
    with pytest.raises(ConfigError) as err:
        settings.load(path)
    message = str(err.value)
    assert str(path) in message
    assert "publisher.timezon" in message
    assert "did you mean 'timezone'" in message


def test_wrong_type_says_what_is_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, "[ingest]\ntimeout_seconds = 'soon'\n")
    with pytest.raises(ConfigError, match=r"ingest\.timeout_seconds: expected float"):
        settings.load(path)


def test_list_item_of_wrong_type_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, "[ingest]\nsources = ['a', 3]\n")
    with pytest.raises(ConfigError, match=r"ingest\.sources\[1\]"):
        settings.load(path)


def test_bad_time_zone(tmp_path: Path) -> None:
    path = _write(tmp_path, "[publisher]\ntimezone = 'Europe/Londn'\n")
    with pytest.raises(ConfigError, match="unknown time zone 'Europe/Londn'"):
        settings.load(path)


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[publisher]\nname = \n")
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 2"):
        settings.load(path)


def test_explicit_missing_file_is_an_error_but_default_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        settings.load(tmp_path / "nope.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(settings.CONFIG_ENV, raising=False)
    assert settings.load().database.url == "sqlite:///var/distributor.db"


def test_environment_variable_selects_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "[output]\ndir = 'elsewhere'\n")
    monkeypatch.setenv(settings.CONFIG_ENV, str(path))
    assert settings.load().output.dir == "elsewhere"


def test_channel_sections_are_validated_by_the_channel(tmp_path: Path) -> None:
    path = _write(tmp_path, "[channels.files]\ndirectory = 'x'\n")
    loaded = settings.load(path)
    files = registry.get("files")
    with pytest.raises(ConfigError, match=r"channels\.files\.directory: unknown key"):
        files(loaded)


def test_missing_secret_names_the_variable_not_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_TOKEN", raising=False)
    with pytest.raises(MissingSecretError, match="SOME_TOKEN is not set"):
        settings.secret("SOME_TOKEN", "the test token")
    monkeypatch.setenv("SOME_TOKEN", "s3cr3t-value")
    assert settings.secret("SOME_TOKEN", "the test token") == "s3cr3t-value"


def test_example_is_valid_toml() -> None:
    tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[ingest]\ntimeout_seconds = 0\n", "ingest.timeout_seconds"),
        ("[ingest]\ntimeout_seconds = -1\n", "ingest.timeout_seconds"),
        ("[ingest]\ntimeout_seconds = nan\n", "ingest.timeout_seconds"),
        ("[ingest]\ntimeout_seconds = inf\n", "ingest.timeout_seconds"),
        ("[schedule]\npoll_seconds = inf\n", "schedule.poll_seconds"),
        ("[ingest]\nmax_bytes = -5\n", "ingest.max_bytes"),
        ("[queue]\nurl = 'redis://:secret@host:notaport/0'\n", "queue.url"),
        ("[queue]\nurl = 'mysql://queue'\n", "queue.url"),
    ],
)
def test_values_that_would_fail_at_run_time_are_refused_at_load(
    tmp_path: Path, text: str, key: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        settings.load(path)
    message = str(err.value)
    assert str(path) in message and key in message
    assert len(message.splitlines()) == 1
    assert "secret" not in message  # a queue URL's password is never repeated


def test_check_config_names_the_key_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from distributor.cli import main

    path = _write(tmp_path, "[ingest]\ntimeout_seconds = -1\n")
    result = CliRunner().invoke(main, ["--config", str(path), "check-config"])
    assert result.exit_code == 2
    assert "timeout_seconds" in result.output and "Traceback" not in result.output


def test_every_secret_and_every_worker_log_line_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| variable | needed when | what it is |", 1)[1].split("\n\n", 1)[0]
    names = {
        f.default
        for cls in [
            settings.SubscribersSettings,
            *(c.Options for c in registry.available().values()),
        ]
        for f in dataclasses.fields(cls)
        if f.name.endswith("_env") and isinstance(f.default, str)
    }
    assert names, "no secret variables found"
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert not missing, f"secrets the README's table does not list: {missing}"
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "distributor").rglob("*.py"))
    # What the README quotes, and the message in the code it explains.
    for quoted, logged in (
        ("another worker (NAME) is planning", "another worker (%s) is planning"),
        ("lost its worker", "lost its worker: %s"),
        ("channel NAME cannot deliver: WHY", "channel %s cannot deliver: %s"),
        ("NAME: credentials refused", "%s: credentials refused"),
        ("database unavailable (ERROR); waiting N s", "database unavailable (%s); waiting"),
        ("planning failed; ", "planning failed; "),
        ("planned too late for today's window; dropped", "too late for today's window; dropped"),
    ):
        assert quoted in readme, quoted
        assert logged in code, f"the README explains a log line the code no longer writes: {logged}"


def test_a_renamed_key_says_what_to_write(tmp_path: Path) -> None:
    path = _write(tmp_path, "[schedule]\nbatch_size = 5\n")
    with pytest.raises(ConfigError) as err:
        settings.load(path)
    assert "schedule.batch_size" in str(err.value) and "schedule.claim_batch" in str(err.value)
    loaded = settings.load(_write(tmp_path, "[schedule]\nclaim_batch = 5\n"))
    assert loaded.schedule.claim_batch == 5


def test_the_archive_and_its_address_are_explained_in_the_readme() -> None:
    # An operator sets these up from the README's section on the web archive: each key
    # of [archive], and the publisher's archive_url its feed links to, is shown there.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The web archive", 1)[1].split("\n## ", 1)[0]
    archive = section.split("[archive]\n", 1)[1]
    missing = [
        f.name
        for f in dataclasses.fields(settings.ArchiveSettings)
        if f"{f.name} = " not in archive
    ]
    assert not missing, f"[archive] keys the README's section does not show: {missing}"
    assert "archive_url = " in section.split("[publisher]\n", 1)[1]


def test_a_channel_is_loaded_alone_and_an_unknown_one_named_with_the_rest() -> None:
    # A fresh interpreter: what getting one channel imports, and nothing else.
    code = (
        "import sys\n"
        "from distributor.channels import registry\n"
        "assert registry.get('sendgrid').name == 'sendgrid'\n"
        "print(sorted(m for m in sys.modules if m.startswith('distributor.channels.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = done.stdout.strip()
    assert "bluesky" not in loaded and "mastodon" not in loaded and ".x'" not in loaded
    with pytest.raises(ConfigError, match=r"no channel named 'pigeon'; available: .*sendgrid"):
        registry.get("pigeon")
