"""Time to render the digest (Jinja2 + MJML + plain text) against the npm `mjml` compiler.

Both compile the same MJML in the same run. The npm compiler comes from `make tools`
(.tools/node_modules/mjml); without it (or without node) its figures are left out.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import mjml

from distributor.compose.digest import digest_mjml, render_digest
from distributor.compose.roundup import build_roundup
from distributor.models import Article, Figure, Image, Quote, Span, Story
from distributor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NPM_MJML = ROOT / ".tools" / "node_modules" / "mjml"
NPM_CLI = ROOT / ".tools" / "node_modules" / ".bin" / "mjml"
CLI_RUNS = 7
DAY = date(2026, 11, 28)
RUNS = 30
NODE_RUNS = 15

_NODE = r"""
const mjml2html = require(process.argv[2]);
const fs = require('fs');
const runs = parseInt(process.argv[3], 10);
(async () => {
  const out = {};
  for (const file of process.argv.slice(4)) {
    const src = fs.readFileSync(file, 'utf8');
    for (let i = 0; i < 3; i++) await mjml2html(src, {});
    const times = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      const r = await mjml2html(src, {});
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      bytes = Buffer.byteLength(r.html, 'utf8');
    }
    times.sort((a, b) => a - b);
    out[file] = {median_ms: times[Math.floor(times.length / 2)], html_bytes: bytes};
  }
  console.log(JSON.stringify(out));
})();
"""


def _stories(n: int) -> list[Story]:
    stories = []
    for i in range(n):
        summary = (
            "Residents can comment on the proposals until the end of next month, "
            "after which the department will publish its response."
        )
        figure = f"£{i + 2}m set aside for the first year of the scheme"
        quote = "This is about giving every town a fair share of the money"
        article = Article(
            source_id="gov",
            guid=f"bench-{i}",
            title=f"Consultation {i} opens on local transport",
            body=f"{summary}\n- {figure}",
            url=f"https://news.example.org/bench/{i}",
            published_at=datetime(2026, 11, 28, i % 24, i % 60, tzinfo=UTC),
            image=Image(f"https://news.example.org/img/{i}.jpg", "A bus stop", 1200, 675),
        )
        stories.append(
            Story(
                article=article,
                headline=article.title,
                summary=summary,
                key_figures=(Figure(figure, f"£{i + 2}m", 0, len(figure)),),
                quote=Quote(
                    quote, "Sam Ortiz", "Transport Secretary", (Span(quote, 0, len(quote)),)
                ),
            )
        )
    return stories


def _median_ms(fn: Any, runs: int = RUNS) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _npm(files: list[Path]) -> dict[str, Any] | None:
    node = shutil.which("node")
    if node is None or not NPM_MJML.is_dir():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.js"
        script.write_text(_NODE, encoding="utf-8")
        result = subprocess.run(
            [node, str(script), str(NPM_MJML), str(NODE_RUNS), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _npm_cli_ms(file: Path) -> float:
    """One `mjml -s` process per render: what a Python program calling npm mjml pays."""

    def once() -> None:
        subprocess.run(
            [str(NPM_CLI), "-s", str(file)], capture_output=True, timeout=120, check=True
        )

    return _median_ms(once, CLI_RUNS)


def _npm_version() -> str:
    try:
        pkg = json.loads((NPM_MJML / "package.json").read_text(encoding="utf-8"))
        return str(pkg.get("version", "?"))
    except OSError:
        return "?"


def run() -> list[dict[str, Any]]:
    settings = Settings()
    figures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[int, Path] = {}
        ours: dict[int, float] = {}
        compile_ms: dict[int, float] = {}
        for n in (10, 50):
            stories = _stories(n)
            roundup = build_roundup(stories, DAY)
            digest = render_digest(stories, roundup, settings, DAY)
            ours[n] = _median_ms(lambda s=stories, r=roundup: render_digest(s, r, settings, DAY))
            source = digest_mjml(stories, roundup, settings, DAY)
            compile_only = compile_ms[n] = _median_ms(lambda src=source: mjml.mjml2html(src))
            files[n] = Path(tmp) / f"digest-{n}.mjml"
            files[n].write_text(source, encoding="utf-8")
            figures.append(
                {
                    "name": f"render_digest_{n}_stories_median",
                    "value": round(ours[n], 2),
                    "unit": "ms",
                    **({"target": "< 20"} if n == 50 else {}),
                }
            )
            figures.append(
                {
                    "name": f"mrml_compile_{n}_stories_median",
                    "value": round(compile_only, 2),
                    "unit": "ms",
                }
            )
            figures.append(
                {
                    "name": f"digest_html_{n}_stories",
                    "unit": "bytes",
                    "value": float(len(digest.html.encode("utf-8"))),
                    **({"target": "< 102000"} if n == 50 else {}),
                }
            )
        npm = _npm([files[10], files[50]])
        if npm is not None:
            version = _npm_version()
            for n in (10, 50):
                theirs = float(npm[str(files[n])]["median_ms"])
                figures.append(
                    {
                        "name": f"npm_mjml_{n}_stories_median",
                        "value": round(theirs, 2),
                        "unit": "ms",
                        "compare": f"npm mjml {version}, same MJML",
                    }
                )
                figures.append(
                    {
                        "name": f"speedup_vs_npm_mjml_{n}_stories",
                        "value": round(theirs / ours[n], 1),
                        "unit": "x",
                        "compare": "npm mjml2html in a warm node process (compile "
                        "only) vs our Jinja2 + MJML + text",
                    }
                )
                figures.append(
                    {
                        "name": f"speedup_mrml_vs_npm_mjml_compile_{n}_stories",
                        "value": round(theirs / compile_ms[n], 1),
                        "unit": "x",
                        "compare": "compile only, both warm and in-process",
                    }
                )
                cli = _npm_cli_ms(files[n])
                figures.append(
                    {
                        "name": f"npm_mjml_cli_{n}_stories_median",
                        "value": round(cli, 1),
                        "unit": "ms",
                        "compare": f"`mjml -s` {version}, one process per render, same MJML",
                    }
                )
                figures.append(
                    {
                        "name": f"speedup_vs_npm_mjml_cli_{n}_stories",
                        "value": round(cli / ours[n], 1),
                        "unit": "x",
                        **({"target": ">= 10"} if n == 50 else {}),
                        "compare": "npm mjml CLI per render vs our Jinja2 + MJML + text",
                    }
                )
                figures.append(
                    {
                        "name": f"npm_mjml_html_{n}_stories",
                        "unit": "bytes",
                        "value": float(npm[str(files[n])]["html_bytes"]),
                    }
                )
    return figures
