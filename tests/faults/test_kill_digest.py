"""SIGKILL the worker at each step of the digest fan-out, with the real SendGrid client
posting to the local spec-checking server: after a restart no subscriber has the digest
twice, nobody is lost, and the one batch in doubt is ``uncertain``, not resent."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from distributor import settings as config
from distributor.models import DeliveryState
from distributor.pipeline.run import channels_for, deliver_due, plan
from distributor.store.outbox import Outbox
from tests.email_delivery.day import AT_SEVEN, BEFORE, EVERYONE, received, site, subscribe
from tests.email_delivery.sendgrid_server import SendGridServer
from tests.faults.child import STEPS
from tests.faults.procs import kill_at_step

pytestmark = pytest.mark.slow

RESTART = AT_SEVEN + timedelta(minutes=30)  # past the claim timeout, within staleness


@pytest.mark.parametrize("step", STEPS)
def test_a_digest_fan_out_killed_at_each_step_reaches_everyone_once(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
    step: str,
) -> None:
    mapping = site(tmp_path, sendgrid_server, db_url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)

    # The second of three batches (two for everyone, one for the health audience).
    kill_at_step(mapping, tmp_path, AT_SEVEN.isoformat(), "sendgrid", step=step, nth=2)
    sent_by_the_dead_worker = len(sendgrid_server.sends)
    assert sent_by_the_dead_worker == (1 if step == "before" else 2)

    box = Outbox(engine, cfg.schedule)
    doubtful = box.recover_stale_claims(RESTART)
    assert len(doubtful) == (0 if step == "recorded" else 1)
    channels = channels_for(cfg)
    again = deliver_due(cfg, engine, {"sendgrid": channels["sendgrid"]}, now=RESTART)
    assert again.failed == []

    got = received(sendgrid_server)
    assert max(got.values()) == 1  # no subscriber has the digest twice
    batches = [r for r in box.records() if r.delivery.channel == "sendgrid"]
    states = Counter(str(r.delivery.state) for r in batches)
    if step == "recorded":
        assert set(got) == EVERYONE and "uncertain" not in states
        return
    # The batch whose request may or may not have gone is left for the operator.
    assert states["uncertain"] == 1
    uncertain = next(r for r in batches if r.delivery.state == DeliveryState.UNCERTAIN)
    assert "never reported back" in (uncertain.delivery.last_error or "")
    if step == "after":
        assert set(got) == EVERYONE  # it had gone: everyone has it once
        return
    missing = EVERYONE - set(got)
    assert missing and len(sendgrid_server.sends) == 2  # in doubt, so not resent
    # The operator checks the provider's log, finds it never arrived, and retries it.
    box.retry(uncertain.delivery.id or 0, now=RESTART)
    deliver_due(cfg, engine, {"sendgrid": channels["sendgrid"]}, now=RESTART)
    got = received(sendgrid_server)
    assert set(got) == EVERYONE and max(got.values()) == 1


def test_a_fan_out_killed_while_the_provider_holds_its_answer_is_uncertain_not_resent(
    tmp_path: Path,
    engine: Engine,
    db_url: str,
    sendgrid_server: SendGridServer,
    secrets_env: None,
) -> None:
    mapping = site(tmp_path, sendgrid_server, db_url)
    cfg = config.from_mapping(mapping, base_dir=tmp_path)
    subscribe(engine)
    plan(cfg, engine, now=BEFORE)
    sendgrid_server.slow_seconds = 30  # the second batch is taken, its answer held back
    sendgrid_server.inject("202", "slow")
    kill_at_step(
        mapping,
        tmp_path,
        AT_SEVEN.isoformat(),
        "sendgrid",
        step="mid-request",
        nth=2,
        until=lambda: len(sendgrid_server.sends) >= 2,
    )
    box = Outbox(engine, cfg.schedule)
    assert len(box.recover_stale_claims(RESTART)) == 1
    deliver_due(cfg, engine, {"sendgrid": channels_for(cfg)["sendgrid"]}, now=RESTART)
    got = received(sendgrid_server)
    assert set(got) == EVERYONE and max(got.values()) == 1
    assert len(sendgrid_server.sends) == 3  # the held one was not sent again
    states = Counter(
        str(r.delivery.state) for r in box.records() if r.delivery.channel == "sendgrid"
    )
    assert states["uncertain"] == 1
