"""[schedule] mistakes are reported with the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from distributor import settings
from distributor.errors import ConfigError


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('digest_at = "7am"', "schedule.digest_at: must be a 24-hour time such as '07:00'"),
        ('threads_start = "20:00"\nthreads_end = "08:00"', "threads_end (08:00) must be later"),
        ('timezone = "Mars/Olympus"', "unknown time zone 'Mars/Olympus'"),
        ("max_attempts = 0", "schedule.max_attempts: must be at least 1"),
        ('stale_claim_policy = "resend"', "expected one of 'uncertain', 'release'"),
        ('channel_times = { sendgrid = "6.30" }', "channel_times.sendgrid must be a 24-hour time"),
        ("backoff_base_seconds = 60\nbackoff_cap_seconds = 10", "backoff_cap_seconds at least"),
    ],
)
def test_schedule_mistakes_say_what_is_expected(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "distributor.toml"
    path.write_text(f"[schedule]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        settings.load(path)
    assert str(path) in str(err.value) and "schedule" in str(err.value)
    assert expected in str(err.value)


def test_schedule_defaults() -> None:
    s = settings.Settings().schedule
    assert (s.digest_at, s.threads_start, s.threads_end, s.roundup_at) == (
        "07:00",
        "08:00",
        "20:00",
        "18:00",
    )
    assert s.stale_claim_policy == "uncertain" and s.require_approval == ()
