"""Cross-check against Stoplight Prism serving the official spec (from `make tools`)."""

from __future__ import annotations

import io
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sendgrid
from sqlalchemy import Engine

from distributor.channels.sendgrid import SendGridChannel, SendGridOptions
from distributor.errors import AuthError
from distributor.models import Delivery, DeliveryKind
from distributor.pipeline import email_fanout as fo
from distributor.settings import Settings
from distributor.store.subscribers import SubscriberStore
from tests.conftest import ROOT
from tests.email_delivery.conftest import make_digest
from tests.email_delivery.outbox_send import send_digests

PRISM = ROOT / ".tools" / "node_modules" / ".bin" / "prism"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    from tests.conftest import SPECS

    if SPECS is None:
        pytest.skip("the provider specs (../shared/specs) are not present")
    if not PRISM.exists():
        pytest.skip("Prism is not installed; run `make tools`")
    port = _free_port()
    log = Path(f"/tmp/prism-sendgrid-{port}.log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(PRISM),
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "--errors",
                str(SPECS / "sendgrid" / "tsg_mail_v3.yaml"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Prism is listening" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"Prism did not start: {log.read_text(errors='replace')[-500:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.unlink(missing_ok=True)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_batch_is_accepted_by_prism(
    prism_url: str, engine: Engine, secrets_env: None
) -> None:
    store = SubscriberStore(engine)
    rows = "\n".join(f"p{i}@example.org,Reader {i}" for i in range(1000))
    store.import_csv(io.StringIO(f"email,name\n{rows}\n"))
    channel = SendGridChannel(
        Settings(), SendGridOptions(api_host=prism_url, asm_group_id=1, timeout_seconds=30)
    )
    # The spec served is Mail Send's alone: no suppression lists to sync first.
    cfg = replace(Settings(), subscribers=replace(Settings().subscribers, sync_suppressions=False))
    report = send_digests(engine, channel, {"": make_digest()}, cfg)
    assert report.failed == [] and report.uncertain == [] and report.errors == {}
    assert len(report.sent) == 1  # one batch of 1,000, accepted


def test_prism_refuses_a_request_without_the_key(prism_url: str) -> None:
    client = sendgrid.SendGridAPIClient(api_key="", host=prism_url)
    client.client.request_headers.pop("Authorization", None)
    channel = SendGridChannel(Settings(), SendGridOptions(api_host=prism_url))
    channel._local.client = client  # this thread's client: the one without the key
    delivery = Delivery(
        channel="sendgrid",
        kind=DeliveryKind.DIGEST,
        idempotency_key="k",
        due_at=datetime.now(UTC),
        payload=fo.email_payload(
            make_digest(),
            [fo.recipient("a@example.org", "A", "tok", Settings(), b"k", make_digest().day)],
            batch="k",
            content=fo.prepare(make_digest(), Settings()),
        ),
    )
    with pytest.raises(AuthError):
        channel.deliver(delivery)
