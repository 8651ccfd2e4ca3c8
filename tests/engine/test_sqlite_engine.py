"""The embedded engine: SqliteHuey in a file, the planner and the deliveries as its tasks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from distributor.cli import main
from distributor.errors import ConfigError
from distributor.models import DeliveryState
from distributor.pipeline import run as pipeline
from distributor.schedule.engine import EngineTasks, install, make_huey
from distributor.schedule.planning import PLAN, PlanGate
from distributor.settings import Settings, load
from distributor.store import db
from distributor.store.leases import Leases
from distributor.store.outbox import Outbox
from distributor.store.tables import leases as lease_table


def _config(tmp_path: Path, queue: str) -> Path:
    from tests.conftest import EXAMPLES

    path = tmp_path / "distributor.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n'
        f'[queue]\nurl = "{queue}"\n'
        f'[ingest]\nsources = ["{EXAMPLES}"]\n'
        f'[output]\ndir = "{tmp_path / "out"}"\n'
        '[delivery]\nchannels = ["files"]\n',
        encoding="utf-8",
    )
    return path


def _drain(tasks: EngineTasks) -> int:
    """Run every task waiting in the queue, as a consumer thread would; returns how many."""
    ran = 0
    while (task := tasks.huey.dequeue()) is not None:
        tasks.huey.execute(task)
        ran += 1
    return ran


class Engine:
    def __init__(self, tmp_path: Path) -> None:
        self.settings: Settings = load(_config(tmp_path, f"sqlite:///{tmp_path / 'q.db'}"))
        self.db = db.open_database(self.settings.database.url)
        self.channels = pipeline.channels_for(self.settings)
        self.sent: list[int] = []
        self.plannings = 0

    def deliver(self, now: datetime) -> int:
        report = pipeline.deliver_due(self.settings, self.db, self.channels, now=now)
        self.sent += report.sent
        return report.handled

    def plan_body(self, now: datetime) -> None:
        self.plannings += 1
        pipeline.plan(self.settings, self.db, now=now)

    def tasks(self, plan_minutes: float = 15.0, holder: str = "w1") -> EngineTasks:
        huey = make_huey(self.settings.queue.url)
        gate = PlanGate(Leases(self.db), holder, timedelta(minutes=plan_minutes))

        def plan(now: datetime) -> bool:
            return gate.run(now, self.plan_body)

        return install(huey, deliver=self.deliver, plan=plan, poll_seconds=3600)


@pytest.fixture
def eng(tmp_path: Path) -> Engine:
    return Engine(tmp_path)


def _files(tmp_path: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*") if p.is_file()}


def test_plan_and_deliver_tasks_write_the_preview_once(eng: Engine, tmp_path: Path) -> None:
    tasks = eng.tasks(plan_minutes=0)
    assert (tmp_path / "q.db").exists()  # the queue is a file, nothing else to start
    tasks.kick()
    assert _drain(tasks) >= 2
    assert eng.plannings == 1 and len(eng.sent) == 1
    written = _files(tmp_path)
    assert any(p.suffix == ".txt" for p in written)

    tasks.kick()  # the same day planned and delivered again
    _drain(tasks)
    assert eng.plannings == 2 and len(eng.sent) == 1
    assert _files(tmp_path) == written  # not one file written twice
    states = [r.delivery.state for r in Outbox(eng.db).records()]
    assert states == [DeliveryState.SENT]


def test_the_delivery_chain_keeps_one_next_run_however_often_it_is_kicked(
    eng: Engine,
) -> None:
    tasks = eng.tasks()
    for _ in range(3):  # three workers starting, or one restarted three times
        tasks.deliver(None)
    _drain(tasks)
    assert tasks.huey.scheduled_count() == 1
    # The periodic watchdog finds the chain alive and adds nothing.
    tasks.watchdog()
    _drain(tasks)
    assert tasks.huey.scheduled_count() == 1


def test_a_run_is_scheduled_for_the_next_due_row_between_slots(eng: Engine) -> None:
    huey = make_huey(eng.settings.queue.url)
    due = datetime.now(UTC) + timedelta(seconds=5)  # a row due in 5 s, as wake() reports it
    tasks = install(
        huey, deliver=eng.deliver, poll_seconds=3600, wake=lambda now: (due - now).total_seconds()
    )
    for _ in range(2):  # two workers starting: one wake-up, not two
        tasks.deliver(None)
        _drain(tasks)
    etas = sorted(t.eta for t in huey.scheduled())
    assert len(etas) == 2  # the chain's next slot, and the wake-up before it
    # At the row's due moment, however long the rounds took on a busy machine.
    soon = etas[0].replace(tzinfo=UTC)
    assert abs(soon - due) <= timedelta(seconds=0.1)
    (wake,) = [t for t in huey.scheduled() if t.kwargs.get("wake_at")]
    huey.execute(wake)  # its own run asks for the next wake-up, and starts no second chain
    chain = [t for t in huey.scheduled() if not t.kwargs.get("wake_at")]
    assert len(chain) == 1 and len(huey.scheduled()) == 3


def test_the_periodic_planner_waits_for_plan_minutes_and_for_the_lease(eng: Engine) -> None:
    tasks = eng.tasks(plan_minutes=15)
    tasks.plan()
    _drain(tasks)
    assert eng.plannings == 1
    tasks.plan_periodic()  # a minute later: not yet 15 minutes since the last planning
    tasks.plan()  # nor for a worker starting
    _drain(tasks)
    assert eng.plannings == 1

    leases = Leases(eng.db)
    with eng.db.begin() as conn:  # the last planning was long ago ...
        conn.execute(update(lease_table).values(last_done=datetime(2020, 1, 1)))
    now = datetime.now(UTC)
    # ... but another worker is planning right now
    assert leases.acquire(PLAN, "w2", now=now, ttl=timedelta(minutes=15))
    tasks.plan_periodic()
    _drain(tasks)
    assert eng.plannings == 1
    leases.release(PLAN, "w2")
    tasks.plan_periodic()
    _drain(tasks)
    assert eng.plannings == 2


def test_a_failing_delivery_round_does_not_break_the_chain(eng: Engine) -> None:
    def broken(_now: datetime) -> int:
        raise RuntimeError("database went away")

    tasks = install(make_huey(eng.settings.queue.url), deliver=broken, poll_seconds=3600)
    tasks.kick()
    _drain(tasks)
    assert tasks.huey.scheduled_count() == 1


@pytest.mark.parametrize(
    "url",
    ["postgresql://user:s3cret@db/queue", "sqlite:///", "memory://", "redis://:s3cret@/0"],
)
def test_a_bad_queue_url_is_a_config_error_naming_the_key(url: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_huey(url)
    message = str(err.value)
    assert "queue.url" in message and "redis://" in message and "sqlite:///" in message
    assert "s3cret" not in message


def test_the_worker_command_refuses_a_bad_queue_url(tmp_path: Path) -> None:
    config = _config(tmp_path, "amqp://broker/")
    result = CliRunner().invoke(main, ["--config", str(config), "worker", "--engine", "huey"])
    assert result.exit_code == 2
    assert "queue.url" in result.output


def test_worker_once_still_runs_one_loop_round(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'q.db'}")
    result = CliRunner().invoke(main, ["--config", str(config), "worker", "--once", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["engine"] == "loop" and len(report["sent"]) == 1
