"""Time to render the digest (Jinja2 + MJML + plain text) against the npm `mjml` compiler.

Both sides work on the same MJML in the same run. The samples come in alternating
blocks (BLOCK renders of ours, then BLOCK compiles of npm's, ROUNDS times after a
warm-up block), so a machine that slows down slows both alike, while neither side
runs with the other's caches and garbage collector in the way of every sample.

Our render is the production path: Jinja2 (templates cached per folder), then
mjml-python compiling that render's MJML, the text twin and minifying; mjml-python's
compile alone is printed beside it. The npm compiler comes from `make tools`
(.tools/node_modules/mjml); without it (or without node) its figures are left out,
and it is a comparison, not a target.
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

from distributor.compose.digest import (
    digest_mjml,
    digest_view,
    render_digest,
    render_view,
)
from distributor.compose.roundup import build_roundup
from distributor.models import Article, Figure, Image, Quote, Span, Story
from distributor.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NPM_MJML = ROOT / ".tools" / "node_modules" / "mjml"
NPM_CLI = ROOT / ".tools" / "node_modules" / ".bin" / "mjml"
CLI_RUNS = 7
DAY = date(2026, 11, 28)
RUNS = 30
# Alternating blocks of samples per side: ROUNDS blocks of BLOCK after one warm-up.
BLOCK = 25
ROUNDS = 8

# A warm node process that compiles one file per request and answers with its own
# timing, so the Python side can interleave the two compilers sample by sample.
_NODE = r"""
const mjml2html = require(process.argv[2]);
const fs = require('fs');
const readline = require('readline');
const sources = {};
const rl = readline.createInterface({input: process.stdin});
rl.on('line', async (file) => {
  if (!(file in sources)) sources[file] = fs.readFileSync(file, 'utf8');
  const t = process.hrtime.bigint();
  const r = await mjml2html(sources[file], {});
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const bytes = Buffer.byteLength(r.html, 'utf8');
  process.stdout.write(JSON.stringify({ms: ms, html_bytes: bytes}) + '\n');
});
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


class _NpmCompiler:
    """The npm compiler in one warm node process, one compile per call."""

    def __init__(self, node: str, script: Path) -> None:
        self._proc = subprocess.Popen(
            [node, str(script), str(NPM_MJML)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def compile(self, file: Path) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{file}\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the npm mjml process stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)


def _elapsed_ms(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


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


def _block(fn: Any, into: list[float], keep: bool) -> None:
    for _ in range(BLOCK):
        ms = fn()
        if keep:
            into.append(ms)


def run() -> list[dict[str, Any]]:
    settings = Settings()
    figures: list[dict[str, Any]] = []
    sizes = (10, 50)
    node = shutil.which("node")
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[int, Path] = {}
        sides: dict[str, dict[int, Any]] = {"ours": {}, "whole": {}, "mrml": {}}
        html_bytes: dict[int, int] = {}
        first_ms: dict[int, float] = {}
        for n in sizes:
            stories = _stories(n)
            roundup = build_roundup(stories, DAY)
            first_ms[n] = _elapsed_ms(
                lambda s=stories, r=roundup: render_digest(s, r, settings, DAY)
            )
            digest = render_digest(stories, roundup, settings, DAY)
            html_bytes[n] = len(digest.html.encode())
            view = digest_view(stories, roundup, settings, DAY)
            assert render_view(view, settings) == (digest.html, digest.text)
            sides["ours"][n] = lambda v=view: _elapsed_ms(lambda: render_view(v, settings))
            sides["whole"][n] = lambda s=stories, r=roundup: _elapsed_ms(
                lambda: render_digest(s, r, settings, DAY)
            )
            source = digest_mjml(stories, roundup, settings, DAY)
            sides["mrml"][n] = lambda src=source: _elapsed_ms(lambda: mjml.mjml2html(src))
            files[n] = Path(tmp) / f"digest-{n}.mjml"
            files[n].write_text(source, encoding="utf-8")
        npm: _NpmCompiler | None = None
        if node is not None and NPM_MJML.is_dir():
            script = Path(tmp) / "bench.js"
            script.write_text(_NODE, encoding="utf-8")
            npm = _NpmCompiler(node, script)
        samples: dict[str, dict[int, list[float]]] = {
            side: {n: [] for n in sizes} for side in (*sides, "npm")
        }
        npm_bytes: dict[int, int] = {}
        try:
            for round_no in range(1 + ROUNDS):
                keep = round_no > 0
                for n in sizes:
                    for side, fns in sides.items():
                        _block(fns[n], samples[side][n], keep)
                    if npm is not None:
                        answers: list[float] = []
                        for _ in range(BLOCK):
                            answer = npm.compile(files[n])
                            answers.append(float(answer["ms"]))
                            npm_bytes[n] = int(answer["html_bytes"])
                        if keep:
                            samples["npm"][n].extend(answers)
        finally:
            if npm is not None:
                npm.close()
        version = _npm_version()
        count = BLOCK * ROUNDS
        for n in sizes:
            mine = statistics.median(samples["ours"][n])
            compiled = statistics.median(samples["mrml"][n])
            figures.append(
                {
                    "name": f"render_templates_{n}_stories_median",
                    "value": round(mine, 3),
                    "unit": "ms",
                    "compare": "Jinja2 + MJML + text + minify from the prepared stories",
                }
            )
            figures.append(
                {
                    "name": f"render_digest_{n}_stories_median",
                    "value": round(statistics.median(samples["whole"][n]), 3),
                    "unit": "ms",
                    **({"target": "< 20"} if n == 50 else {}),
                    "compare": "the whole render_digest: preparing the stories (cleaning, "
                    "links) and the templates",
                }
            )
            figures.append(
                {
                    "name": f"render_digest_{n}_stories_first_in_process",
                    "value": round(first_ms[n], 2),
                    "unit": "ms",
                    "compare": "the first render of a process (Jinja2 loads the templates)",
                }
            )
            figures.append(
                {
                    "name": f"mrml_compile_{n}_stories_median",
                    "value": round(compiled, 3),
                    "unit": "ms",
                }
            )
            figures.append(
                {
                    "name": f"digest_html_{n}_stories",
                    "unit": "bytes",
                    "value": float(html_bytes[n]),
                    **({"target": "< 102000"} if n == 50 else {}),
                }
            )
            if not samples["npm"][n]:
                continue
            npm_ms = statistics.median(samples["npm"][n])
            figures.append(
                {
                    "name": f"npm_mjml_{n}_stories_median",
                    "value": round(npm_ms, 2),
                    "unit": "ms",
                    "compare": f"npm mjml {version} mjml2html, warm node process, same MJML, "
                    f"median of {count} in blocks alternating with ours",
                }
            )
            figures.append(
                {
                    "name": f"speedup_vs_npm_mjml_{n}_stories",
                    "value": round(npm_ms / mine, 1),
                    "unit": "x",
                    "compare": "npm compile only vs our Jinja2 + MJML + text + minify",
                }
            )
            figures.append(
                {
                    "name": f"speedup_whole_render_digest_vs_npm_mjml_{n}_stories",
                    "value": round(npm_ms / statistics.median(samples["whole"][n]), 1),
                    "unit": "x",
                    "compare": "npm compile only vs our whole render_digest, preparing "
                    "the stories included",
                }
            )
            figures.append(
                {
                    "name": f"speedup_mrml_vs_npm_mjml_compile_{n}_stories",
                    "value": round(npm_ms / compiled, 1),
                    "unit": "x",
                    "compare": "compile only, both warm and in-process",
                }
            )
            figures.append(
                {
                    "name": f"npm_mjml_html_{n}_stories",
                    "unit": "bytes",
                    "value": float(npm_bytes[n]),
                }
            )
        if npm is not None:
            for n in sizes:
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
                        "value": round(cli / statistics.median(samples["ours"][n]), 1),
                        "unit": "x",
                        "compare": "npm mjml CLI per render vs our Jinja2 + MJML + text + minify",
                    }
                )
    return figures
