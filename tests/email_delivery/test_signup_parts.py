"""The sign-up's parts on their own: confirmation links, the rate limit, what is kept
of an IP address, the pending status's place in the order, and the settings' docs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from distributor.compose import links
from distributor.models import Status
from distributor.pipeline.signup import blocked, checked_address, kept_ip
from distributor.settings import Settings, SignupSettings, section_keys
from distributor.web.rate_limit import RateLimit

KEY = b"signup-parts-test-key-of-32-chars!!"
OLD_KEY = b"the-key-that-signed-before-it-32-c"
REF = "A" * 32
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_confirmation_link_names_its_key_and_lives_confirm_days() -> None:
    value = links.confirm_value(KEY, REF, NOW)
    assert value.split(".")[1] == links.key_id(KEY)
    assert links.check_confirm([KEY], value, now=NOW, days=7).token == REF
    late = NOW + timedelta(days=7, seconds=1)
    assert links.check_confirm([KEY], value, now=late, days=7) == links.Checked(None, True)
    assert links.check_confirm([KEY], value, now=late, days=8).token == REF
    # Signed in the future: never sent by us.
    early = NOW - timedelta(hours=1)
    assert links.check_confirm([KEY], value, now=early, days=7) == links.Checked(None, False)
    # A rotated key still verifies the links it signed; an unknown one does not.
    assert links.check_confirm([OLD_KEY, KEY], value, now=NOW, days=7).token == REF
    assert links.check_confirm([OLD_KEY], value, now=NOW, days=7).token is None


def test_confirmation_links_and_reader_links_cannot_stand_for_each_other() -> None:
    reader = links.link_value(KEY, REF, NOW.date())
    confirm = links.confirm_value(KEY, REF, NOW)
    assert links.check_confirm([KEY], reader, now=NOW, days=7).token is None
    assert links.check([KEY], confirm, today=NOW.date(), days=90).token is None
    # The same shape signed for the other purpose: the signature does not carry over.
    forged = ".".join([*confirm.split(".")[:3], reader.split(".")[3]])
    assert links.check_confirm([KEY], forged, now=NOW, days=7).token is None
    assert REF not in links.redact(confirm)


def test_the_rate_limit_slides_and_forgets() -> None:
    clock = [0.0]
    limit = RateLimit(2, 60, clock=lambda: clock[0], max_keys=3)
    assert limit.allow("a") and limit.allow("a")
    assert not limit.allow("a")
    assert limit.retry_after("a") == 60
    clock[0] = 30
    assert not limit.allow("a")  # refused uses are not counted
    assert limit.retry_after("a") == 30
    clock[0] = 60
    assert limit.allow("a")
    for key in ("b", "c", "d", "e"):
        assert limit.allow(key)
    assert len(limit._uses) <= 3
    assert RateLimit(0, 60).allow("x")


def test_what_a_consent_keeps_of_an_ip_address() -> None:
    assert kept_ip("203.0.113.77", "network") == "203.0.113.0/24"
    assert kept_ip("2001:db8:1234:5678::1", "network") == "2001:db8:1234::/48"
    assert kept_ip("203.0.113.77", "full") == "203.0.113.77"
    assert kept_ip("203.0.113.77", "none") is None
    assert kept_ip("not an address", "full") is None
    assert kept_ip(None, "network") is None


def test_addresses_are_checked_and_stored_in_one_form() -> None:
    settings = Settings()
    assert checked_address("  Sam@Example.ORG ", settings) == "sam@example.org"
    assert checked_address("sam@bücher.de", settings) == "sam@xn--bcher-kva.de"
    for bad in ("sam", "sam@localhost", "a..b@example.org", '"a b"@example.org', ""):
        with pytest.raises(ValueError):
            checked_address(bad, settings)
    assert blocked("x@mailinator.com", ["mailinator.com"])
    assert blocked("x@eu.mailinator.com", ["mailinator.com"])
    assert not blocked("x@notmailinator.com", ["mailinator.com"])


def test_pending_is_below_everything_and_never_a_target() -> None:
    for status in Status:
        if status in (Status.PENDING, Status.ACTIVE):
            assert status.replaces() == ()
        else:
            assert Status.PENDING in status.replaces()


def test_every_signup_setting_is_in_the_readmes_sign_up_section() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"\n## Sign-up\n(.*?)\n## ", text, re.S)
    assert section is not None, "README has no '## Sign-up' section"
    missing = [
        key
        for key in section_keys(SignupSettings)
        if not re.search(rf"\b{re.escape(key)}\b", section.group(1))
    ]
    assert not missing, f"settings not described in the README's Sign-up section: {missing}"
    assert "trusted_proxy" in section.group(1)
