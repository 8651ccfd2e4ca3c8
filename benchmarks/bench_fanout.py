"""Fan-out of one digest to 100,000 and 1,000,000 subscribers in SQLite (and in
PostgreSQL, when the server the tests use is reachable), the way production sends it.

The digest is planned by `run`'s own planning (``pipeline.run.plan``: the example
articles read, extracted, ranked and rendered once per audience) and brought forward to
fall due a few seconds ahead, as ``distributor send digest`` brings an edition forward.
One or two ``distributor worker`` processes, started before it is due as an operator
starts them (``--engine loop --no-plan``, the configured poll of 30 s), sit idle until
then; when it falls due they expand it into batch rows of 1,000 and send them through the
real SendGrid client to a local server that accepts and discards.

Wall time runs from the moment the digest is due to the last request the server
accepted (what a publisher waits for), with the first request's time beside it; the
workers' start-up is measured apart (a ``distributor worker --once`` with nothing due,
from exec to exit). CPU is the workers' own from due to the end; peak memory is each
worker process's VmHWM. The per-subscriber baseline (one request per recipient, the
naive way) is measured in the same run on a sample and compared per recipient.

Targets: 1,000,000 in at most 10 s with two workers, 100,000 in at most
1.5 s, at most 300 MB per process; at least 50x faster than one request per subscriber.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests import scratch_pg

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "examples" / "articles"
SIZES = (100_000, 1_000_000)
BASELINE_SAMPLE = 2_000
WORKERS = (1, 2)
STARTUPS = 3
TARGETS = {(100_000, 1): 1.5, (100_000, 2): 1.5, (1_000_000, 2): 10.0}
RSS_TARGET_MB = 300.0
TICK = os.sysconf("SC_CLK_TCK")


# --- the discarding server (its own process) -------------------------------------------


def _serve(port_out: Any, counters: Any, times: Any) -> None:
    """Accept every Mail Send request (202) and discard it; count requests and bytes and
    note when the first and the last one were accepted (epoch seconds)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            remaining = length
            while remaining:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            with counters.get_lock():
                counters[0] += 1
                counters[1] += length
                times[1] = time.time()
                times[0] = times[0] or times[1]
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.send_header("X-Message-Id", f"m{counters[0]}")
            self.end_headers()

        def do_GET(self) -> None:
            # The suppression lists the send syncs first: empty.
            body = b"[]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port_out.value = httpd.server_address[1]
    httpd.serve_forever()


# --- the database and its configuration --------------------------------------------------


def _populate(url: str, n: int) -> None:
    """``n`` active subscribers without topics, written in bulk (COPY on PostgreSQL)."""
    from distributor.store import db

    engine = db.open_database(url)
    columns = "email, name, status, topics, source, token, created_at, updated_at"
    pg = engine.dialect.name == "postgresql"
    now: Any = datetime.now(UTC) if pg else datetime.now(UTC).isoformat(sep=" ")
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()
        step = 50_000
        for start in range(0, n, step):
            rows = [
                (
                    f"reader{i:07d}@example.org",
                    f"Reader {i}",
                    "active",
                    "",
                    "bench",
                    secrets.token_urlsafe(18),
                    now,
                    now,
                )
                for i in range(start, min(n, start + step))
            ]
            if pg:
                with cur.copy(f"COPY subscribers ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(
                    f"INSERT INTO subscribers ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


@contextmanager
def _database(backend: str, tmp: Path, n: int) -> Iterator[str]:
    """A database URL holding ``n`` subscribers: a SQLite file, or a throwaway database
    on the PostgreSQL server the tests use (dropped afterwards)."""
    if backend == "sqlite":
        path = tmp / f"fanout-{n}.db"
        url = f"sqlite:///{path}"
        _populate(url, n)
        try:
            yield url
        finally:
            path.unlink()
        return
    with scratch_pg.throwaway("distributor_bench") as url:
        _populate(url, n)
        yield url


def _config(url: str, tmp: Path, name: str) -> Path:
    """The configuration every process of one run reads: the operator's defaults (the
    30 s poll among them), the example articles as the source, SendGrid alone."""
    config = tmp / f"{name}.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n'
        f'[queue]\nurl = "sqlite:///{tmp / name}.queue.db"\n'
        f'[ingest]\nsources = ["{ARTICLES}"]\n'
        # What a worker writes besides sending (the web archive) stays in the scratch folder.
        f'[output]\ndir = "{tmp}"\n'
        '[delivery]\nchannels = ["sendgrid"]\n',
        encoding="utf-8",
    )
    return config


def plan(config: Path, due: datetime | None = None) -> str:
    """The next digest edition planned as `run` plans it into an empty outbox, and with
    ``due``, brought forward to fall due then (as ``distributor send digest`` brings an
    edition forward); its key."""
    from distributor import settings
    from distributor.models import DeliveryKind
    from distributor.pipeline.run import plan as plan_day
    from distributor.store import db
    from distributor.store.outbox import Outbox

    cfg = settings.load(config)
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    with engine.begin() as conn:
        # The articles are read again as new, so they make the next edition.
        conn.exec_driver_sql("DELETE FROM deliveries")
        conn.exec_driver_sql("DELETE FROM articles")
    plan_day(cfg, engine)
    box = Outbox(engine, cfg.schedule)
    (record,) = box.records(kind=str(DeliveryKind.DIGEST))
    key = record.delivery.idempotency_key
    if due is not None and not box.bring_forward(key, due):
        raise RuntimeError(f"the digest {key} is due before {due}: it cannot be brought forward")
    engine.dispose()
    return key


# --- the naive baseline (its own process) ------------------------------------------------


def child(config: str, key: str, limit: int) -> None:
    """The naive baseline, one request per subscriber for ``limit`` subscribers of the
    planned digest, in a fresh process; prints its figures as JSON."""
    import resource

    from distributor import settings
    from distributor.channels.sendgrid import SendGridChannel
    from distributor.compose.links import link_secret
    from distributor.models import Delivery, DeliveryKind
    from distributor.pipeline import email_fanout as fo
    from distributor.store import db
    from distributor.store.outbox import Outbox
    from distributor.store.subscribers import SubscriberStore

    cfg = settings.load(config)
    engine = db.connect(cfg.database.url)
    row = Outbox(engine).get_by_key(key)
    assert row is not None
    digest = fo.digest_of(row)
    store = SubscriberStore(engine)
    channel = SendGridChannel(cfg)
    link_key = link_secret(cfg)
    start = time.perf_counter()
    cpu_start = time.process_time()
    # The naive way: one Mail Send request per subscriber.
    content = fo.prepare(digest, cfg)
    recipients = 0
    for page in store.iterate(batch=1000):
        for s in page[: limit - recipients]:
            payload = fo.email_payload(
                digest,
                [fo.recipient(s.email, s.name, s.token, cfg, link_key, digest.day)],
                batch=f"single-{s.id}",
                content=content,
            )
            channel.deliver(
                Delivery(
                    channel="sendgrid",
                    kind=DeliveryKind.DIGEST,
                    idempotency_key=f"single-{s.id}",
                    due_at=datetime.now(UTC),
                    payload=payload,
                )
            )
            recipients += 1
        if recipients >= limit:
            break
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": time.process_time() - cpu_start,
                "recipients": recipients,
                "rss_mb": usage.ru_maxrss / 1024,
            }
        )
    )


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SENDGRID_API_KEY": "SG.bench-not-a-key",
        "SENDGRID_API_HOST": url,
        "DISTRIBUTOR_LINK_SECRET": "bench-link-secret-of-at-least-32-characters",
        "PYTHONPATH": str(ROOT),
    }


def _baseline(config: Path, key: str, url: str, limit: int) -> dict[str, Any]:
    """The one-request-per-subscriber baseline in its own process."""
    code = f"from benchmarks.bench_fanout import child; child({str(config)!r}, {key!r}, {limit})"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_env(url), stdout=subprocess.PIPE, text=True, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"the baseline failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --- the workers ---------------------------------------------------------------------


def _worker(config: Path, url: str, name: str, *extra: str) -> subprocess.Popen[str]:
    """``distributor worker`` as an operator runs it beside a cron'd `run`; its log goes
    to ``<config>.<name>.log``."""
    with config.with_suffix(f".{name}.log").open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributor",
                "--config",
                str(config),
                "worker",
                "--engine",
                "loop",
                "--no-plan",
                "--json",
                "--worker-id",
                name,
                *extra,
            ],
            env=_env(url),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )


def _startup(config: Path, url: str) -> float:
    """A worker's start-up: ``distributor worker --once`` with nothing due, exec to exit
    (imports, configuration, the database opened, one empty round); the median of a
    few."""
    times = []
    for k in range(STARTUPS):
        start = time.perf_counter()
        proc = _worker(config, url, f"startup-{k}", "--once")
        proc.communicate(timeout=60)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cpu(pid: int) -> float:
    """A running process's CPU seconds (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _peak_rss_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sleep_until(when: float) -> None:
    time.sleep(max(when - time.time(), 0.0))


def _run_workers(
    config: Path, url: str, workers: int, lead: float, counters: Any, times: Any
) -> dict[str, Any]:
    """Plan the digest due ``lead`` seconds ahead, start ``workers`` workers, let them go
    idle, and time from due to the last accepted request; then SIGTERM them."""
    from distributor import settings
    from distributor.payloads import parse_digest_batch
    from distributor.store import db
    from distributor.store.outbox import Outbox

    due = datetime.now(UTC) + timedelta(seconds=lead)
    plan(config, due)
    counters[0] = counters[1] = 0
    times[0] = times[1] = 0.0
    procs = [_worker(config, url, f"bench-{k}") for k in range(workers)]
    cfg = settings.load(config)
    box = Outbox(db.connect(cfg.database.url))
    try:
        # Idle before it is due: their start-up must not be inside the measurement.
        _sleep_until(due.timestamp() - 0.3)
        before = [_cpu(p.pid) for p in procs]
        _sleep_until(due.timestamp() - 0.02)
        if [_cpu(p.pid) for p in procs] != before:
            raise RuntimeError(f"the workers were still starting {lead:.1f} s after launch")
        cpu_at_due = [_cpu(p.pid) for p in procs]
        while True:
            left = box.counts().get("sendgrid", {})
            if left.get("sent", 0) > 1 and not left.get("planned") and not left.get("sending"):
                break
            if any(p.poll() is not None for p in procs):
                logs = config.parent.glob(f"{config.stem}.bench-*.log")
                tail = "".join(log.read_text(errors="replace")[-800:] for log in logs)
                raise RuntimeError(f"a worker stopped before the digest was sent: {tail}")
            time.sleep(0.05)
        cpu = sum(_cpu(p.pid) - c for p, c in zip(procs, cpu_at_due, strict=True))
        rss = [_peak_rss_mb(p.pid) for p in procs]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        outs = [p.communicate(timeout=60)[0] for p in procs]
    summaries = [json.loads(o) for o in outs]
    sent = [i for sm in summaries for i in sm["sent"]]
    recipients = sum(parse_digest_batch(r.delivery)["planned"] for i in sent if (r := box.get(i)))
    box.engine.dispose()
    return {
        "wall": times[1] - due.timestamp(),
        "first": times[0] - due.timestamp(),
        "cpu": cpu,
        "recipients": recipients,
        "requests": counters[0],
        "payload_mb": counters[1] / 1e6,
        "rss_mb": rss,
    }


def _figures(label: str, r: dict[str, Any], n: int, workers: int) -> list[dict[str, Any]]:
    wall: dict[str, Any] = {"name": f"{label}_wall", "value": round(r["wall"], 2), "unit": "s"}
    if (n, workers) in TARGETS:
        wall["target"] = f"<= {TARGETS[(n, workers)]:g}"
    return [
        wall,
        # What comes before the first batch: waking, the suppression sync, the expansion.
        {"name": f"{label}_first_request", "value": round(r["first"], 2), "unit": "s"},
        # CPU seconds of the workers from due to the end: steadier than wall time when
        # other work shares the machine.
        {"name": f"{label}_cpu", "value": round(r["cpu"], 2), "unit": "s"},
        {"name": f"{label}_requests", "value": r["requests"], "unit": "requests"},
        {"name": f"{label}_payload", "value": round(r["payload_mb"], 1), "unit": "MB"},
        {
            "name": f"{label}_peak_rss",
            "value": round(max(r["rss_mb"]), 1),
            "unit": "MB per process",
            "target": f"<= {RSS_TARGET_MB:g}",
        },
        {"name": f"{label}_rate", "value": round(n / r["wall"]), "unit": "recipients/s"},
    ]


def _baseline_figures(config: Path, url: str, batched_per_recipient: float) -> list[dict[str, Any]]:
    b = _baseline(config, plan(config), url, BASELINE_SAMPLE)
    single = b["wall"] / b["recipients"]
    return [
        {
            "name": "one_request_per_subscriber_rate",
            "value": round(1 / single),
            "unit": "recipients/s",
        },
        {
            "name": "one_request_per_subscriber_1M_estimate",
            "value": round(single * 1_000_000, 1),
            "unit": "s",
        },
        {
            "name": "batched_speedup_vs_one_request_per_subscriber",
            "value": round(single / batched_per_recipient, 1),
            "unit": "x",
            "target": ">= 50",
            "compare": f"{BASELINE_SAMPLE} single requests in the same run, one worker each",
        },
    ]


def run() -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    ctx = mp.get_context("fork")
    port = ctx.Value("i", 0)
    counters = ctx.Array("q", 2)
    times = ctx.Array("d", 2)
    server = ctx.Process(target=_serve, args=(port, counters, times), daemon=True)
    server.start()
    backends = ["sqlite", *(["postgresql"] if scratch_pg.reachable() else [])]
    try:
        while not port.value:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port.value}"
        with tempfile.TemporaryDirectory() as tmp:
            startup: float | None = None
            for backend in backends:
                for n in SIZES:
                    size = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
                    label = f"fanout_{size}" if backend == "sqlite" else f"fanout_pg_{size}"
                    with _database(backend, Path(tmp), n) as db_url:
                        config = _config(db_url, Path(tmp), label)
                        if startup is None:
                            startup = _startup(config, url)
                            figures.append(
                                {
                                    "name": "worker_startup",
                                    "value": round(startup, 2),
                                    "unit": "s",
                                    "compare": "distributor worker --once with nothing due, "
                                    "exec to exit; not inside the fan-out figures",
                                }
                            )
                        lead = max(3.0, 3 * startup)
                        for workers in WORKERS:
                            r = _run_workers(config, url, workers, lead, counters, times)
                            assert r["recipients"] == n, r
                            name = label if workers == 1 else f"{label}_{workers}workers"
                            figures += _figures(name, r, n, workers)
                            if workers == 1:
                                batched = r["wall"] / n
                        if backend == "sqlite" and n == SIZES[-1]:
                            figures += _baseline_figures(config, url, batched)
    finally:
        server.terminate()
        server.join(5)
    return figures


if __name__ == "__main__":
    for figure in run():
        print(json.dumps(figure))
