"""Fan-out of one digest to 100,000 and 1,000,000 SQLite subscribers, the way production
sends it: the digest row planned into the outbox as `run` plans it, then one or two
`distributor worker` processes (as an operator starts them) expand it into batch rows of
1,000 and send them through the real SendGrid client to a local server that accepts and
discards. Wall time runs from the workers' start (their start-up included) to the last
batch recorded as sent; peak memory is each worker process's own (VmHWM).
The per-subscriber baseline (one request per recipient, the naive way) is measured in
the same run on a sample and compared per recipient.
Targets (issue): 1,000,000 in under 20 s wall, peak RSS under 300 MB, at least 50x
faster than one request per subscriber.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 11, 28)
SEND_AT = datetime(2026, 11, 28, 7, 1, tzinfo=UTC)  # just after digest_at (07:00 London)
SIZES = (100_000, 1_000_000)
BASELINE_SAMPLE = 2_000
WORKERS = (1, 2)


# --- the discarding server (its own process) -------------------------------------------


def _serve(port_out: Any, counters: Any) -> None:
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


# --- the database --------------------------------------------------------------------


def _populate(path: Path, n: int) -> None:
    from distributor.store import db

    engine = db.connect(f"sqlite:///{path}")
    db.migrate(engine)
    now = datetime.now(UTC).isoformat(sep=" ")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
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
            cur.executemany(
                "INSERT INTO subscribers (email, name, status, topics, source, token, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


# --- one measured fan-out (its own process) ------------------------------------------------


def _digest() -> Any:
    from distributor.compose.digest import render_digest
    from distributor.compose.roundup import build_roundup
    from distributor.models import Article, Story
    from distributor.settings import Settings

    stories = []
    for n in range(1, 13):
        body = (
            f"The department set out plan {n} to keep rural bus routes running on weekdays.\n"
            f"Councils will report each quarter on how many routes still run."
        )
        article = Article(
            source_id="gov",
            guid=f"bench-{n}",
            title=f"Plan {n} keeps rural bus routes running",
            body=body,
            url=f"https://news.example.org/stories/{n}",
            published_at=datetime(2026, 11, 28, 8, n, tzinfo=UTC),
        )
        stories.append(Story(article=article, headline=article.title, summary=body.split("\n")[0]))
    cfg = Settings()
    return render_digest(stories, build_roundup(stories, DAY, _roundup_options(cfg)), cfg, DAY)


def _roundup_options(cfg: Any) -> Any:
    from distributor.compose.roundup import RoundupOptions

    return RoundupOptions.from_settings(cfg)


def plan(db_path: Path) -> None:
    """The day's digest row in the outbox, as the planner writes it."""
    from distributor.schedule.planner import day_deliveries
    from distributor.settings import Settings
    from distributor.store import db
    from distributor.store.outbox import Outbox

    engine = db.connect(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM deliveries")
    cfg = Settings()
    rows = day_deliveries(
        DAY, digest=_digest(), threads=[], roundup_posts=[], channels=["sendgrid"], settings=cfg
    )
    Outbox(engine, cfg.schedule).plan(rows, now=SEND_AT)
    engine.dispose()


def child(db_path: str, limit: int) -> None:
    """The naive baseline, one request per subscriber for ``limit`` subscribers, in a
    fresh process; prints its figures as JSON."""
    import resource

    from distributor.channels.sendgrid import SendGridChannel
    from distributor.compose.links import link_secret
    from distributor.models import Delivery, DeliveryKind
    from distributor.pipeline import email_fanout as fo
    from distributor.settings import Settings
    from distributor.store import db
    from distributor.store.subscribers import SubscriberStore

    cfg = Settings()
    engine = db.connect(f"sqlite:///{db_path}")
    store = SubscriberStore(engine)
    digest = _digest()
    channel = SendGridChannel(cfg)
    key = link_secret(cfg)
    start = time.perf_counter()
    cpu_start = time.process_time()
    # The naive way: one Mail Send request per subscriber.
    content = fo.prepare(digest, cfg)
    recipients = requests = 0
    for page in store.iterate(batch=1000):
        for s in page[: limit - recipients]:
            payload = fo.email_payload(
                digest,
                [fo.recipient(s.email, s.name, s.token, cfg, key, digest.day)],
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
            requests += 1
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
                "requests": requests,
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


def _baseline(db_path: Path, url: str, limit: int) -> dict[str, Any]:
    """The one-request-per-subscriber baseline in its own process."""
    code = f"from benchmarks.bench_fanout import child; child({str(db_path)!r}, {limit})"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_env(url), stdout=subprocess.PIPE, text=True, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"the baseline failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _peak_rss_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _run_workers(db_path: Path, url: str, workers: int) -> dict[str, Any]:
    """``distributor worker`` processes, as an operator runs them, on one outbox: from
    their start until every batch is sent (then SIGTERM); wall, CPU and peak memory."""
    import signal

    from distributor.payloads import parse_digest_batch
    from distributor.store import db
    from distributor.store.outbox import Outbox

    config = db_path.with_suffix(".toml")
    config.write_text(
        f'[database]\nurl = "sqlite:///{db_path}"\n'
        # What the worker writes besides sending (the web archive) stays in the scratch
        # folder.
        f'[output]\ndir = "{db_path.parent}"\n'
        '[delivery]\nchannels = ["sendgrid"]\n'
        # The edition is dated in the past: sent as it is, not held as stale.
        "[schedule]\nstale_after_minutes = 0\npoll_seconds = 0.1\n",
        encoding="utf-8",
    )
    box = Outbox(db.connect(f"sqlite:///{db_path}"))
    args = ["--engine", "loop", "--no-plan", "--poll-seconds", "0.1", "--json"]
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115
    before = os.times()
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributor",
                "--config",
                str(config),
                "worker",
                *args,
                "--worker-id",
                f"bench-{k}",
            ],
            env=_env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for k in range(workers)
    ]
    rss: list[float] = []
    try:
        while True:
            left = box.counts().get("sendgrid", {})
            if left.get("sent") and not left.get("planned") and not left.get("sending"):
                break
            if any(p.poll() is not None for p in procs):
                tail = Path(log.name).read_text(errors="replace")[-800:]
                raise RuntimeError(f"a worker stopped before the digest was sent: {tail}")
            time.sleep(0.02)
        wall = time.perf_counter() - start
        rss = [_peak_rss_mb(p.pid) for p in procs]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        outs = [p.communicate(timeout=60)[0] for p in procs]
        log.close()
        Path(log.name).unlink()
    summaries = [json.loads(o) for o in outs]
    sent = [i for sm in summaries for i in sm["sent"]]
    recipients = sum(parse_digest_batch(r.delivery)["planned"] for i in sent if (r := box.get(i)))
    after = os.times()
    return {
        "wall": wall,
        # The workers' CPU from start to exit (start-up and shutdown included).
        "cpu": (after.children_user + after.children_system)
        - (before.children_user + before.children_system),
        "recipients": recipients,
        "requests": len(sent),
        "rss_mb": sum(rss),
    }


def _figures(label: str, r: dict[str, Any], counters: Any, n: int) -> list[dict[str, Any]]:
    big = n >= 1_000_000
    wall: dict[str, Any] = {"name": f"{label}_wall", "value": round(r["wall"], 2), "unit": "s"}
    rss: dict[str, Any] = {
        "name": f"{label}_peak_rss",
        "value": round(r["rss_mb"], 1),
        "unit": "MB",
    }
    if big:
        wall["target"] = "< 20"
        rss["target"] = "< 300"
    return [
        wall,
        # CPU seconds of the fan-out processes: steadier than wall time when other work
        # shares the machine.
        {"name": f"{label}_cpu", "value": round(r["cpu"], 2), "unit": "s"},
        {"name": f"{label}_requests", "value": counters[0], "unit": "requests"},
        {"name": f"{label}_payload", "value": round(counters[1] / 1e6, 1), "unit": "MB"},
        rss,
        {"name": f"{label}_rate", "value": round(n / r["wall"]), "unit": "recipients/s"},
    ]


def run() -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    ctx = mp.get_context("fork")
    port = ctx.Value("i", 0)
    counters = ctx.Array("q", 2)
    server = ctx.Process(target=_serve, args=(port, counters), daemon=True)
    server.start()
    try:
        while not port.value:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port.value}"
        with tempfile.TemporaryDirectory() as tmp:
            for n in SIZES:
                path = Path(tmp) / f"fanout-{n}.db"
                _populate(path, n)
                label = f"fanout_{n // 1000}k" if n < 1_000_000 else f"fanout_{n // 1_000_000}M"
                for workers in WORKERS:
                    counters[0] = counters[1] = 0
                    plan(path)
                    r = _run_workers(path, url, workers)
                    assert r["recipients"] == n, r
                    name = label if workers == 1 else f"{label}_{workers}workers"
                    figures += _figures(name, r, counters, n)
                    if workers == 1:
                        batched_per_recipient = r["wall"] / n
                if n == SIZES[-1]:
                    counters[0] = counters[1] = 0
                    b = _baseline(path, url, BASELINE_SAMPLE)
                    single = b["wall"] / b["recipients"]
                    figures += [
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
                            "compare": f"{BASELINE_SAMPLE} single requests in the same run, "
                            "one worker each",
                        },
                    ]
                path.unlink()
    finally:
        server.terminate()
        server.join(5)
    return figures


if __name__ == "__main__":
    for figure in run():
        print(json.dumps(figure))
