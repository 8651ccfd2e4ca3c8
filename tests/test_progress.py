"""Progress of long steps: on a terminal's stderr, in place; nowhere else.

The command runs as a real process with its stderr on a pseudo-terminal, as an operator
at a terminal has it; stdout is a pipe, as `distributor ... --json | jq` has it.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def _distributor(
    cwd: Path, *args: str, env: dict[str, str] | None = None, terminal: bool = True
) -> tuple[int, str, str]:
    """Exit code, stdout and what reached stderr."""
    command = [sys.executable, "-m", "distributor", *args]
    environment = {**os.environ, **(env or {})}
    environment.pop("DISTRIBUTOR_CONFIG", None)
    if not terminal:
        done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr
    controller, terminal_end = pty.openpty()
    proc = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=terminal_end
    )
    os.close(terminal_end)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process has gone and closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    return proc.wait(), out, seen.decode()


def _folder(tmp_path: Path, count: int) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    for i in range(count):
        (news / f"story-{i:02}.txt").write_text(
            f"Harbour {i} gets a new pier\nThe pier at harbour {i} will cost £{i + 2}m.\n",
            encoding="utf-8",
        )
    return news


def test_reading_and_extracting_a_folder_show_progress_on_a_terminal(tmp_path: Path) -> None:
    _folder(tmp_path, 30)
    code, out, err = _distributor(tmp_path, "extract", "news", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 30  # stdout stays clean JSON
    assert "reading news 1/30…" in err and "extracting 1/30…" in err
    # Rewritten in place, and cleared once done: nothing of it stays on the screen.
    assert "\n" not in err and err.endswith("\r\x1b[K")


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    _folder(tmp_path, 30)
    code, out, err = _distributor(tmp_path, "extract", "news", "--json", terminal=False)
    assert code == 0 and len(json.loads(out)) == 30
    assert err == ""  # a cron mail or a log file gets no progress lines


def test_screenshots_show_progress(tmp_path: Path) -> None:
    # A stand-in for Chromium that answers the layout probe and writes the PNG it is
    # asked for (taking the time a real one takes to be worth showing), so the step
    # runs where no browser is installed.
    fake = tmp_path / "chromium"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, time\n"
        "for arg in sys.argv[1:]:\n"
        "    if arg.startswith('--screenshot='):\n"
        "        time.sleep(0.2)\n"
        "        open(arg.split('=', 1)[1], 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n')\n"
        "if '--dump-dom' in sys.argv:\n"
        "    print('<pre id=\"dx-probe\">{&quot;contentHeight&quot;: 900}</pre>')\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    _folder(tmp_path, 3)
    code, out, err = _distributor(
        tmp_path,
        "preview",
        "digest",
        "--source",
        "news",
        "--out",
        "p",
        "--screenshot",
        "--json",
        env={"DISTRIBUTOR_CHROMIUM": str(fake)},
    )
    assert code == 0, err
    assert {"screenshot_375", "screenshot_800"} <= json.loads(out)["files"].keys()
    assert "screenshots (Chromium) 0/2…" in err and "screenshots (Chromium) 1/2…" in err
    assert err.endswith("\r\x1b[K")
