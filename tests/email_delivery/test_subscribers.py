"""The subscriber store on SQLite and PostgreSQL: import, re-import, status, streaming."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from distributor.models import EVERYONE, Audience
from distributor.store.subscribers import (
    Status,
    SubscriberStore,
    _normalise_any,
    normalise_email,
    normalise_topics,
)


def _csv(*rows: str) -> io.StringIO:
    return io.StringIO("\n".join(rows) + "\n")


def test_import_reports_bad_rows_by_line_and_imports_the_rest(engine: Engine) -> None:
    store = SubscriberStore(engine)
    report = store.import_csv(
        _csv(
            "email,name,topics",
            "Ada@Example.ORG ,Ada Lovelace,Health; defence",
            "not-an-address,Bad,",
            "grace@example.org,Grace,immigration",
            "x@y,Short domain,",
            "ADA@example.org,Ada again,",
        )
    )
    assert report.added == 2
    assert [(p.line, "exactly one @" in p.message) for p in report.problems[:1]] == [(3, True)]
    assert [p.line for p in report.problems] == [3, 5, 6]
    ada = store.get("ada@example.org")
    assert ada is not None
    assert ada.email == "ada@example.org"
    assert ada.topics == ("defence", "health")
    assert ada.status is Status.ACTIVE
    assert store.counts()["active"] == 2


def test_reimport_updates_never_duplicates_never_resubscribes(engine: Engine) -> None:
    store = SubscriberStore(engine)
    store.import_csv(_csv("email,name", "a@example.org,A", "b@example.org,B"))
    assert store.unsubscribe("B@example.org")
    report = store.import_csv(_csv("email,name", "a@example.org,Alice", "b@example.org,B"))
    assert report.added == 0
    assert report.updated == 1
    assert report.kept_unsubscribed == 1
    assert store.counts() == {
        "active": 1,
        "unsubscribed": 1,
        "bounced": 0,
        "complained": 0,
        "paused": 0,
        "pending": 0,
    }
    a = store.get("a@example.org")
    b = store.get("b@example.org")
    assert a is not None and a.name == "Alice"
    assert b is not None and b.status is Status.UNSUBSCRIBED
    # Only an explicit resubscribe brings someone back.
    store.add("b@example.org", resubscribe=True)
    b = store.get("b@example.org")
    assert b is not None and b.status is Status.ACTIVE


def test_header_without_email_column_is_one_clear_problem(engine: Engine) -> None:
    report = SubscriberStore(engine).import_csv(_csv("address,name", "a@example.org,A"))
    assert report.added == 0
    assert report.problems[0].line == 1
    assert "'email' column" in report.problems[0].message


def test_export_round_trips_through_import(engine: Engine, tmp_path: object) -> None:
    store = SubscriberStore(engine)
    store.import_csv(
        _csv("email,name,topics", 'c@example.org,"Doe, Jane",health', "d@example.org,,")
    )
    store.set_status("d@example.org", Status.BOUNCED, reason="hard bounce")
    out = io.StringIO()
    assert store.export_csv(out) == 2
    text = out.getvalue()
    assert text.splitlines()[0] == "email,name,status,topics,source,created_at,updated_at"
    assert '"Doe, Jane"' in text
    report = store.import_csv(io.StringIO(text))
    assert report.added == 0 and report.updated == 0 and not report.problems
    d = store.get("d@example.org")
    assert d is not None and d.status is Status.BOUNCED


def test_iteration_is_paged_in_id_order(engine: Engine) -> None:
    store = SubscriberStore(engine)
    rows = ["email"] + [f"user{i:04d}@example.org" for i in range(2500)]
    store.import_csv(_csv(*rows))
    store.unsubscribe("user0005@example.org")
    pages = list(store.iterate(status=Status.ACTIVE, batch=1000))
    assert [len(p) for p in pages] == [1000, 1000, 499]
    emails = [s.email for p in pages for s in p]
    assert len(set(emails)) == 2499
    assert "user0005@example.org" not in emails
    ids = [s.id for p in pages for s in p]
    assert ids == sorted(ids)


def test_batch_ranges_cover_the_audience_once(engine: Engine) -> None:
    store = SubscriberStore(engine)
    store.import_csv(_csv("email,topics", *[f"u{i}@example.org," for i in range(2500)]))
    store.import_csv(_csv("email,topics", *[f"h{i}@example.org,health" for i in range(30)]))
    assert store.variants() == {EVERYONE: 2500, Audience(("health",)): 30}
    ranges = list(store.batch_ranges(EVERYONE, 1000))
    assert [(r.number, r.count) for r in ranges] == [(1, 1000), (2, 1000), (3, 500)]
    # An audience that fills its last range exactly has no empty range after it.
    health = list(store.batch_ranges(Audience(("health",)), 10))
    assert [(r.number, r.count) for r in health] == [(1, 10), (2, 10), (3, 10)]
    assert [r.after_id for r in health[1:]] == [r.last_id for r in health[:-1]]
    members = [s.email for r in ranges for s in store.in_range(EVERYONE, r.after_id, r.last_id)]
    assert len(members) == len(set(members)) == 2500
    assert all(m.startswith("u") for m in members)
    # The send path's lean reader agrees with the full one.
    lean = [
        m.email for r in ranges for m in store.recipients_in_range(EVERYONE, r.after_id, r.last_id)
    ]
    assert lean == members
    # Someone unsubscribing after planning is left out of their batch at send time.
    first = store.in_range(EVERYONE, ranges[0].after_id, ranges[0].last_id)[0]
    store.unsubscribe(first.email)
    assert first.email not in {
        s.email for s in store.in_range(EVERYONE, ranges[0].after_id, ranges[0].last_id)
    }


def test_suppressions_mark_known_addresses_only(engine: Engine) -> None:
    store = SubscriberStore(engine)
    store.import_csv(_csv("email", "a@example.org", "b@example.org"))
    changed = store.set_status_many(
        ["A@example.org", "stranger@example.org", "garbage"], Status.COMPLAINED, reason="spam"
    )
    assert changed == 1
    assert store.counts()["complained"] == 1
    store.save_synced_until("bounces", 1700000000)
    store.save_synced_until("bounces", 1700000100)
    assert store.synced_until("bounces") == 1700000100
    assert store.synced_until("spam_reports") == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ada@EXAMPLE.org ", "ada@example.org"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("user@bücher.example", "user@xn--bcher-kva.example"),
    ],
)
def test_addresses_are_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "a@b",
        "a b@example.org",
        "a@@example.org",
        ".a@example.org",
        "a@-x.org",
        "a@example.org\r\nBcc: x@example.org",
    ],
)
def test_bad_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_email(raw)


@given(st.text(max_size=40))
def test_normalised_addresses_never_carry_header_breaking_characters(raw: str) -> None:
    try:
        address = normalise_email(raw)
    except ValueError:
        return
    assert not any(c in address for c in '\r\n<>,; \t"')
    assert normalise_email(address) == address


def test_topics_are_slugs() -> None:
    assert normalise_topics("Health; Defence,health") == ("defence", "health")
    with pytest.raises(ValueError, match="topic"):
        normalise_topics("<b>")


def test_a_status_change_only_moves_a_reader_up_the_order(engine: Engine) -> None:
    # paused < bounced < unsubscribed < complained; nothing but a resubscribe reactivates.
    store = SubscriberStore(engine)
    store.import_csv(_csv("email", "p@example.org", "u@example.org", "c@example.org"))
    store.set_status_many(["p@example.org"], Status.PAUSED)
    store.unsubscribe("u@example.org")
    store.set_status_many(["c@example.org"], Status.COMPLAINED)

    # A bounce reported late does not hide that the reader unsubscribed.
    assert store.set_status_many(["u@example.org", "p@example.org"], Status.BOUNCED) == 1
    # A complaint is never softened to an unsubscribe, nor anything back to active.
    assert not store.unsubscribe("c@example.org")
    assert store.set_status_many(["c@example.org", "u@example.org"], Status.ACTIVE) == 0
    assert store.set_status_many(["u@example.org"], Status.PAUSED) == 0

    statuses = {s.email: s.status for page in store.iterate() for s in page}
    assert statuses == {
        "p@example.org": Status.BOUNCED,
        "u@example.org": Status.UNSUBSCRIBED,
        "c@example.org": Status.COMPLAINED,
    }
    store.add("p@example.org", resubscribe=True)
    reader = store.get("p@example.org")
    assert reader is not None and reader.status is Status.ACTIVE


@given(
    st.from_regex(r"[ A-Za-z0-9.@_+'\-]{1,40}", fullmatch=True)
    | st.from_regex(r"[a-zA-Z0-9.\-]{1,12}@[a-zA-Z0-9.\-]{1,12}", fullmatch=True)
)
def test_the_quick_path_for_plain_addresses_agrees_with_the_full_checks(raw: str) -> None:
    try:
        expected: str | None = _normalise_any(raw.strip())
    except ValueError:
        expected = None
    try:
        quick: str | None = normalise_email(raw)
    except ValueError:
        quick = None
    assert quick == expected
