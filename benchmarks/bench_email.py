"""Time to render the digest (Jinja2 + MJML + plain text) against the npm `mjml` compiler.

Both compile the same MJML in the same run, sample by sample in turn (median of
ROUNDS after WARMUP), so load on the machine weighs on both sides alike. The npm
compiler comes from `make tools` (.tools/node_modules/mjml); without it (or without
node) its figures are left out.
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
# Samples per side after WARMUP rounds; our render and npm's compile alternate, so a
# busy machine slows both alike.
ROUNDS = 60
WARMUP = 10

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


def run() -> list[dict[str, Any]]:
    settings = Settings()
    figures: list[dict[str, Any]] = []
    sizes = (10, 50)
    node = shutil.which("node")
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[int, Path] = {}
        renders: dict[int, Any] = {}
        compiles: dict[int, Any] = {}
        html_bytes: dict[int, int] = {}
        for n in sizes:
            stories = _stories(n)
            roundup = build_roundup(stories, DAY)
            html_bytes[n] = len(render_digest(stories, roundup, settings, DAY).html.encode())
            renders[n] = lambda s=stories, r=roundup: render_digest(s, r, settings, DAY)
            source = digest_mjml(stories, roundup, settings, DAY)
            compiles[n] = lambda src=source: mjml.mjml2html(src)
            files[n] = Path(tmp) / f"digest-{n}.mjml"
            files[n].write_text(source, encoding="utf-8")
        npm: _NpmCompiler | None = None
        if node is not None and NPM_MJML.is_dir():
            script = Path(tmp) / "bench.js"
            script.write_text(_NODE, encoding="utf-8")
            npm = _NpmCompiler(node, script)
        ours: dict[int, list[float]] = {n: [] for n in sizes}
        compile_ms: dict[int, list[float]] = {n: [] for n in sizes}
        theirs: dict[int, list[float]] = {n: [] for n in sizes}
        npm_bytes: dict[int, int] = {}
        try:
            for round_no in range(WARMUP + ROUNDS):
                for n in sizes:
                    mine = _elapsed_ms(renders[n])
                    compiled = _elapsed_ms(compiles[n])
                    answer = npm.compile(files[n]) if npm is not None else None
                    if round_no < WARMUP:
                        continue
                    ours[n].append(mine)
                    compile_ms[n].append(compiled)
                    if answer is not None:
                        theirs[n].append(float(answer["ms"]))
                        npm_bytes[n] = int(answer["html_bytes"])
        finally:
            if npm is not None:
                npm.close()
        version = _npm_version()
        for n in sizes:
            mine = statistics.median(ours[n])
            compiled = statistics.median(compile_ms[n])
            figures.append(
                {
                    "name": f"render_digest_{n}_stories_median",
                    "value": round(mine, 2),
                    "unit": "ms",
                    **({"target": "< 20"} if n == 50 else {}),
                }
            )
            figures.append(
                {
                    "name": f"mrml_compile_{n}_stories_median",
                    "value": round(compiled, 2),
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
            if not theirs[n]:
                continue
            npm_ms = statistics.median(theirs[n])
            figures.append(
                {
                    "name": f"npm_mjml_{n}_stories_median",
                    "value": round(npm_ms, 2),
                    "unit": "ms",
                    "compare": f"npm mjml {version} mjml2html, warm node process, same MJML, "
                    f"median of {ROUNDS} interleaved with ours",
                }
            )
            figures.append(
                {
                    "name": f"speedup_vs_npm_mjml_{n}_stories",
                    "value": round(npm_ms / mine, 1),
                    "unit": "x",
                    "target": ">= 10",
                    "compare": "npm compile only vs our whole render (Jinja2 + MJML + text "
                    "+ minify)",
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
                        "value": round(cli / statistics.median(ours[n]), 1),
                        "unit": "x",
                        "compare": "npm mjml CLI per render vs our Jinja2 + MJML + text",
                    }
                )
    return figures
