"""``preview`` without a subcommand: the whole day, composed from the sources, stored nowhere;
written as files, or served as a page with ``--serve``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from distributor.cli.app import EXIT_FAILED, Failed, echo, emit_json, load_settings
from distributor.extract.article_lint import lint
from distributor.pipeline import day as assemble_day
from distributor.words import plural


def preview_day(
    ctx: click.Context, sources: tuple[str, ...], out_dir: Path | None, as_json: bool
) -> None:
    cfg = load_settings(ctx)
    now = datetime.now(UTC)
    stories, problems = assemble_day.read(cfg, sources or None)
    composed = assemble_day.assemble(cfg, stories, now=now, rules=assemble_day.length_rules(cfg))
    day = composed.day
    edition = composed.edition
    target = out_dir or cfg.resolve(cfg.output.dir) / "preview"
    written = [str(p) for p in assemble_day.write_preview(composed, cfg, target, now)]
    report: dict[str, Any] = {
        "day": day.isoformat(),
        "edition": edition.day.isoformat() if edition else None,
        "edition_why": edition.why if edition else None,
        "subject": composed.digest.subject if composed.digest else None,
        "stories": [
            {
                "id": s.id,
                "headline": s.headline,
                "summary": s.summary,
                "key_figures": [f.text for f in s.key_figures],
                "quote": (
                    {"text": s.quote.text, "speaker": s.quote.speaker, "role": s.quote.role}
                    if s.quote
                    else None
                ),
                "lint": [f.as_dict() for f in lint(s)],
            }
            for s in composed.stories
        ],
        "featured": [i.story_id for i in composed.roundup.featured],
        "written": written,
        "problems": [str(p) for p in problems],
    }
    if as_json:
        emit_json(report)
    else:
        echo(f"Preview for {report['day']}: {plural(len(stories), 'story', 'stories')}")
        if report["subject"]:
            echo(f"Digest: the {report['edition']} edition ({report['edition_why']})")
            echo(f"Subject: {report['subject']}")
        for story in composed.stories:
            quote = f"; quote: {story.quote.speaker}" if story.quote else ""
            figures = plural(len(story.key_figures), "figure")
            echo(f"  - {story.headline} ({figures}{quote})")
            for finding in lint(story):
                echo(f"      lint: {finding}")
        echo(f"Wrote {plural(len(written), 'file')} under {target}/")
        for problem in problems:
            echo(f"  ! {problem}", err=True)
    if problems:
        ctx.exit(EXIT_FAILED)


def serve_day(
    ctx: click.Context, sources: tuple[str, ...], port: int | None, as_json: bool
) -> None:
    """``preview --serve``: the day as a page on 127.0.0.1 until Ctrl-C."""
    from distributor.store import db
    from distributor.store.outbox import Outbox
    from distributor.web import preview

    cfg = load_settings(ctx)
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    chosen = preview.DEFAULT_PORT if port is None else port

    def ready(url: str) -> None:
        if as_json:
            emit_json({"url": url})
        else:
            echo(f"Preview of the day at {url} (Ctrl-C to stop)")

    try:
        preview.serve(cfg, sources or None, Outbox(engine, cfg.schedule), port=chosen, ready=ready)
    except OSError as exc:
        raise Failed(
            f"cannot serve on 127.0.0.1:{chosen}: {exc.strerror or exc}. "
            "Pick another port with --port, or --port 0 for a free one"
        ) from exc
    finally:
        engine.dispose()
