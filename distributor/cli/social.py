"""``preview thread`` and ``preview roundup``: the day's social posts for an editor to check,
each with its counted length against the network's limit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from distributor.cli.app import (
    DAY_OPTION,
    EXIT_FAILED,
    JSON_OPTION,
    SOURCE_PATHS_OPTION,
    Failed,
    boundary,
    echo,
    emit_json,
    load_settings,
    preview,
)
from distributor.models import RoundupItem, Story, Thread, source_path
from distributor.settings import SOCIAL_NETWORKS, Settings
from distributor.words import plural

if TYPE_CHECKING:
    # The composing and counting code loads with the command, not with every start-up.
    from distributor.errors import SourceError
    from distributor.pipeline.phases import Composed

_NETWORK = click.option(
    "--network",
    type=click.Choice(sorted(SOCIAL_NETWORKS)),
    default=None,
    help="Whose length rules to count with (default: the first of [social] networks).",
)
_SOURCES = click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[FILE_OR_FOLDER]..."
)
_SOURCE_OPT = SOURCE_PATHS_OPTION
_DATE = DAY_OPTION
_JSON = JSON_OPTION


def _source(story: Story) -> str:
    return source_path(story.article)


def _assemble(
    cfg: Settings, paths: tuple[Path, ...], day: datetime | None, networks: tuple[str, ...]
) -> tuple[Composed, list[SourceError]]:
    """The day as ``run`` assembles it, for ``networks``; an unreadable file or feed is
    named and the rest go on."""
    from distributor.pipeline import day as assemble_day

    stories, problems = assemble_day.read(cfg, [str(p) for p in paths] or None)
    for problem in problems:
        echo(f"  ! {problem}", err=True)
    if not stories:
        where = ", ".join(map(str, paths)) or ", ".join(cfg.ingest.sources)
        raise Failed(f"no usable articles in {where}")
    composed = assemble_day.assemble(
        cfg,
        stories,
        now=datetime.now(UTC),
        asked=day.date() if day else None,
        networks=networks,
        rules=assemble_day.length_rules(cfg, networks=networks),
        digest=False,
    )
    return composed, problems


def _posts(thread: Thread) -> list[dict[str, Any]]:
    return [{"text": p.text, "length": p.length, "limit": p.limit} for p in thread.posts]


def _networks(cfg: Settings, network: str | None) -> tuple[str, ...]:
    """The network asked for, else every one of ``[social] networks``."""
    return (network,) if network else (cfg.social.networks or ("x",))


def _echo_posts(thread: Thread, unit: str) -> None:
    for i, post in enumerate(thread.posts, 1):
        flag = "" if post.length <= post.limit else "  OVER THE LIMIT"
        echo(f"  [{i}] {post.length}/{post.limit} {unit}{flag}")
        for line in post.text.split("\n"):
            echo(f"      {line}")


@preview.command("thread")
@_SOURCES
@_SOURCE_OPT
@_NETWORK
@_DATE
@_JSON
@click.pass_context
@boundary
def preview_thread(
    ctx: click.Context,
    paths: tuple[Path, ...],
    sources: tuple[Path, ...],
    network: str | None,
    day: datetime | None,
    as_json: bool,
) -> None:
    """Show each featured story's thread as it would be posted, post by post, with
    its counted length against the network's limit and where each figure and quote
    came from. Stories the posting budget cannot afford are named: they go to the
    roundup instead.

    \b
    Example:
      distributor preview thread examples/articles --network bluesky
      distributor preview thread --source today/ --network x --json
    """
    from distributor.compose.threads import thread_origins
    from distributor.extract.article_lint import lint

    cfg = load_settings(ctx)
    network = _networks(cfg, network)[0]
    composed, problems = _assemble(cfg, (*paths, *sources), day, (network,))
    plan, rule = composed.plans[network], composed.rules[network]
    by_id = {s.id: s for s in composed.stories}
    report = {
        "network": network,
        "unit": rule.unit,
        "threads": [
            {
                "source": _source(by_id[t.story_id]),
                "story_id": t.story_id,
                "posts": _posts(t),
                "origins": [o.as_dict() for o in thread_origins(by_id[t.story_id], cfg, rule)],
                "lint": [f.as_dict() for f in lint(by_id[t.story_id])],
            }
            for t in composed.threads[network]
        ],
        "to_roundup": [_source(s) for s in plan.to_roundup],
        "budget": {"used": plan.budget_used, "left": plan.budget_left},
        "problems": [str(p) for p in problems],
    }
    if as_json:
        emit_json(report)
        if problems:
            ctx.exit(EXIT_FAILED)
        return
    echo(f"Network: {network} (limit {rule.limit} {rule.unit})")
    for thread in composed.threads[network]:
        story = by_id[thread.story_id]
        echo(f"\n{_source(story)}: {plural(len(thread.posts), 'post')}")
        _echo_posts(thread, rule.unit)
        for origin in thread_origins(story, cfg, rule):
            echo(
                f"  from: {origin.kind} at body line {origin.line} "
                f"[{origin.start}:{origin.end}] confidence {origin.confidence:.2f}"
            )
        for finding in lint(story):
            echo(f"  lint: {finding}")
    if plan.to_roundup:
        names = ", ".join(_source(s) for s in plan.to_roundup)
        echo(f"\nOver the posting budget, listed in the roundup instead: {names}")
    if plan.budget_left is not None:
        echo(f"Budget: {plan.budget_used} used, {plan.budget_left} left")
    if problems:
        ctx.exit(EXIT_FAILED)


@preview.command("roundup")
@_SOURCES
@_SOURCE_OPT
@_NETWORK
@_DATE
@_JSON
@click.pass_context
@boundary
def preview_roundup(
    ctx: click.Context,
    paths: tuple[Path, ...],
    sources: tuple[Path, ...],
    network: str | None,
    day: datetime | None,
    as_json: bool,
) -> None:
    """Show the roundup post ("More of Today's Top Breaking Government News") of each
    network (or --network's): the day's other headlines with links, as one post or a
    short thread, each post with its counted length against the network's limit, and
    which headlines it carries and which it drops for want of room.

    \b
    Example:
      distributor preview roundup examples/articles
      distributor preview roundup examples/articles --network mastodon
      distributor preview roundup --source today/ --date 2026-11-28 --json
    """
    cfg = load_settings(ctx)
    networks = _networks(cfg, network)
    composed, problems = _assemble(cfg, (*paths, *sources), day, networks)
    each = {n: _roundup_report(composed, n) for n in networks}
    if as_json:
        # The first network's post stays at the top level, as before `networks`.
        first = each[networks[0]]
        emit_json(
            first
            | {
                "day": composed.roundup.day.isoformat(),
                "networks": each,
                "problems": [str(p) for p in problems],
            }
        )
    else:
        echo(f"Roundup for {composed.roundup.day.isoformat()}")
        for name in networks:
            _echo_roundup(composed, name)
    if problems:
        ctx.exit(EXIT_FAILED)


def _headlines(items: tuple[RoundupItem, ...]) -> list[dict[str, Any]]:
    return [{"story_id": i.story_id, "headline": i.headline, "url": i.url} for i in items]


def _roundup_report(composed: Composed, network: str) -> dict[str, Any]:
    """One network's roundup post, and the headlines it carries and drops."""
    rule, thread = composed.rules[network], composed.roundup_posts.get(network)
    carried, dropped = (thread.carried, thread.dropped) if thread else ((), ())
    return {
        "network": network,
        "unit": rule.unit,
        "limit": rule.limit,
        "threads": (
            [{"source": "roundup", "story_id": thread.story_id, "posts": _posts(thread)}]
            if thread
            else []
        ),
        "headlines": len(carried) + len(dropped),
        "carried": _headlines(carried),
        "dropped": _headlines(dropped),
    }


def _echo_roundup(composed: Composed, network: str) -> None:
    rule, thread = composed.rules[network], composed.roundup_posts.get(network)
    echo(f"\nNetwork: {network} (limit {rule.limit} {rule.unit})")
    if thread is None:
        echo("  no roundup post: every story has its own thread")
        return
    given = len(thread.carried) + len(thread.dropped)
    echo(f"  carries {len(thread.carried)} of {plural(given, 'headline')}")
    _echo_posts(thread, rule.unit)
    for title, items, mark in (("carried", thread.carried, "+"), ("dropped", thread.dropped, "-")):
        if items:
            echo(f"  {title}:")
            for item in items:
                echo(f"    {mark} {item.headline}")
