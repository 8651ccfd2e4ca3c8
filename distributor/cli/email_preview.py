"""``preview digest``: the day's email rendered into a folder for an editor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from distributor import progress
from distributor.cli.app import (
    DAY_OPTION,
    EXIT_FAILED,
    SOURCE_PATHS_OPTION,
    Failed,
    boundary,
    echo,
    emit_json,
    json_option,
    load_settings,
    preview,
    shared_option,
)
from distributor.models import source_path
from distributor.words import plural


@preview.command("digest")
@shared_option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for digest.html, digest.txt, digest.json, roundup.json/.xml.",
)
@DAY_OPTION
@SOURCE_PATHS_OPTION
@click.option("--screenshot", is_flag=True, help="Also write PNGs at 375 px and 800 px wide.")
@click.option("--open", "open_browser", is_flag=True, help="Open digest.html in the browser.")
@json_option(help="Print digest.json instead of a summary.")
@click.pass_context
@boundary
def preview_digest(
    ctx: click.Context,
    out_dir: Path,
    day: datetime | None,
    sources: tuple[Path, ...],
    screenshot: bool,
    open_browser: bool,
    as_json: bool,
) -> None:
    """Render the day's email digest into a directory for an editor to check.

    Builds the edition ``run`` would build now (today's before digest_at, tomorrow's
    after it, or --date's) and says which. Writes digest.html, digest.txt, digest.json
    (the edition's day and why, subject, preheader, stories, sizes and lint findings,
    as the files channel writes it), roundup.json and roundup.xml (RSS 2.0).

    \b
    Example:
      distributor preview digest --out out/preview --date 2026-11-28 \\
          --source examples/articles --screenshot
    """
    from distributor.compose import browser
    from distributor.compose.day_files import day_files, digest_summary
    from distributor.extract.article_lint import lint
    from distributor.pipeline import day as assemble_day

    cfg = load_settings(ctx)
    stories, problems = assemble_day.read(cfg, [str(s) for s in sources] or None)
    for problem in problems:
        echo(f"  ! {problem}", err=True)
    composed = assemble_day.assemble(
        cfg, stories, now=datetime.now(UTC), asked=day.date() if day else None, networks=()
    )
    digest, roundup, edition = composed.digest, composed.digest_roundup, composed.edition
    if digest is None or roundup is None or edition is None:
        raise Failed(f"no usable articles in {', '.join(map(str, sources)) or 'ingest.sources'}")
    # The files the files channel writes for an edition, as a reader without a name
    # sees them, into the folder asked for (not under the day).
    files = day_files(
        edition.day,
        digest=digest,
        threads={},
        roundup_posts={},
        roundup=roundup,
        publisher=cfg.publisher,
        subscribers=cfg.subscribers,
        email=cfg.email,
        why=edition.why,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        (out_dir / rel.split("/", 1)[1]).write_text(content, encoding="utf-8")
    summary = digest_summary(digest, max_html_bytes=cfg.email.max_html_bytes, why=edition.why)
    # What the command prints adds the articles' lint and the files to digest.json.
    report: dict[str, Any] = summary | {
        "featured": len(roundup.featured),
        "lint": {
            source: [f.as_dict() for f in findings]
            for source, findings in ((source_path(s.article), lint(s)) for s in stories)
            if findings
        },
        "files": {
            "html": str(out_dir / "digest.html"),
            "text": str(out_dir / "digest.txt"),
            "json": str(out_dir / "digest.json"),
            "roundup_json": str(out_dir / "roundup.json"),
            "roundup_rss": str(out_dir / "roundup.xml"),
        },
    }
    html_path = out_dir / "digest.html"
    if screenshot:
        try:
            taken = browser.screenshots(
                html_path,
                digest.html,
                (375, 800),
                step=lambda done, total: progress.advance("screenshots (Chromium)", done, total),
            )
        except browser.BrowserError as exc:
            raise Failed(f"screenshot: {exc}") from exc
        report["files"] |= {f"screenshot_{w}": str(png) for w, png in taken.items()}
    if as_json:
        emit_json(report)
    else:
        _print_summary(report, edition.why, digest.preheader, out_dir)
    if open_browser:
        click.launch(str(html_path))
    if problems:
        ctx.exit(EXIT_FAILED)


def _print_summary(report: dict[str, Any], why: str, preheader: str, out_dir: Path) -> None:
    echo(f"Edition:   {report['day']} ({why})")
    echo(f"Subject:   {report['subject']}")
    echo(f"Preheader: {preheader}")
    echo(f"Stories:   {len(report['stories'])} ({report['featured']} featured)")
    echo(f"HTML:      {plural(report['html_bytes'], 'byte')} (budget {report['max_html_bytes']})")
    for finding in report["findings"]:
        echo(f"  ! {finding['code']}: {finding['message']}")
    for source, items in report["lint"].items():
        for item in items:
            echo(f"  lint {source}: {item['code']}: {item['message']}")
    if not report["findings"]:
        echo("  no lint findings")
    echo(f"Wrote {out_dir}/")
