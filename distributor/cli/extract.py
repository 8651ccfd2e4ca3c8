"""The ``extract`` command: what extraction finds in article files, for editors and tools."""

from __future__ import annotations

from typing import Any

import click

from distributor.cli.app import (
    EXIT_FAILED,
    boundary,
    emit_json,
    json_option,
    load_settings,
    main,
    printable,
)
from distributor.models import Figure, Quote, Span, Story, source_path


def _span(span: Span) -> dict[str, Any]:
    return {"text": span.text, "start": span.start, "end": span.end}


def _quote(quote: Quote | None) -> dict[str, Any] | None:
    if quote is None:
        return None
    return {
        "text": quote.text,
        "speaker": quote.speaker,
        "role": quote.role,
        "confidence": quote.confidence,
        "segments": [_span(s) for s in quote.segments],
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "text": figure.text,
        "value": figure.value,
        "start": figure.start,
        "end": figure.end,
        "confidence": figure.confidence,
    }


def story_json(source: str, story: Story) -> dict[str, Any]:
    from distributor.extract.article_lint import lint

    return {
        "source": source,
        "headline": story.headline,
        "summary": story.summary,
        "key_figures": [_figure(f) for f in story.key_figures],
        "quote": _quote(story.quote),
        "other_quotes": [_quote(q) for q in story.other_quotes],
        "voice": None
        if story.voice is None
        else {"speaker": story.voice.speaker, "role": story.voice.role},
        "lint": [f.as_dict() for f in lint(story)],
    }


def highlighted(story: Story) -> str:
    """The body with figures marked [[…]] (bold) and quote segments «…» (coloured)."""
    body = story.article.body
    marks: list[tuple[int, int, str]] = [(f.start, f.end, "figure") for f in story.key_figures]
    if story.quote is not None:
        marks += [(s.start, s.end, "quote") for s in story.quote.segments]
    for q in story.other_quotes:
        marks += [(s.start, s.end, "other") for s in q.segments]
    events: list[tuple[int, int, str]] = []
    for start, end, kind in marks:
        opener, closer = {
            "figure": ("[[", "]]"),
            "quote": ("«", "»"),
            "other": ("‹", "›"),
        }[kind]
        events.append((start, 1, opener))
        events.append((end, 0, closer))
    out: list[str] = []
    pos = 0
    for at, _, token in sorted(events):
        out.append(printable(body[pos:at]))
        style = {"[[": "yellow", "«": "cyan", "‹": "blue"}.get(token)
        out.append(
            click.style(token, fg=style, bold=True) if style else click.style(token, bold=True)
        )
        pos = at
    out.append(printable(body[pos:]))
    return "".join(out)


def _render(source: str, story: Story) -> str:
    from distributor.extract.article_lint import lint

    p = printable
    lines = [
        click.style(p(story.headline), bold=True),
        f"  source:  {p(source)}",
        f"  summary: {p(story.summary)}",
    ]
    for f in story.key_figures:
        lines.append(f"  figure:  {p(f.value)}  ({f.confidence:.2f})  {p(f.text)}")
    q = story.quote
    if q is None:
        lines.append("  quote:   none")
    else:
        who = ", ".join(x for x in (q.speaker, q.role) if x) or "unknown speaker"
        lines.append(f"  quote:   “{p(q.text)}” — {p(who)}  ({q.confidence:.2f})")
    for o in story.other_quotes:
        who = ", ".join(x for x in (o.speaker, o.role) if x) or "unknown speaker"
        lines.append(f"  also:    “{p(o.text)}” — {p(who)}")
    if story.voice is not None:
        v = story.voice
        who = ", ".join(x for x in (v.speaker, v.role) if x) or "no one to sign with"
        lines.append(f"  voice:   {p(who)} (the body is their words)")
    lines += [f"  lint:    {p(str(finding))}" for finding in lint(story)]
    lines += ["", highlighted(story), ""]
    return "\n".join(lines)


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="FILE_OR_FOLDER...")
@json_option(help="Print a JSON array, one object per article.")
@click.pass_context
@boundary
def extract_command(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Show the headline, summary, key figures and quotes found in article files.

    Without --json the body is printed with figures marked [[like this]] and the main
    quote «like this» (other quotes ‹like this›), for checking by eye.

    \b
    Example:
      distributor extract examples/articles
      distributor extract story.txt --json
    """
    from distributor.ingest.sources import read_sources
    from distributor.pipeline.phases import extract_each

    cfg = load_settings(ctx)
    report = read_sources(list(paths), cfg.ingest)
    results, failed = extract_each(report.articles)
    report.problems.extend(failed)
    if as_json:
        emit_json([story_json(source_path(a), s) for a, s in results])
    else:
        for a, s in results:
            click.echo(_render(source_path(a), s))
    for problem in report.problems:
        click.echo(f"  ! {printable(str(problem))}", err=True)
    if report.problems:
        ctx.exit(EXIT_FAILED)
