"""``preview thread`` and ``preview roundup``: the day's social posts for an editor to check,
each with its counted length against the network's limit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

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
    plural,
    preview,
)
from distributor.models import Roundup, RoundupItem, Story, Thread
from distributor.settings import SOCIAL_NETWORKS, Settings

if TYPE_CHECKING:
    # The composing and counting code loads with the command, not with every start-up.
    from distributor.compose.threads import ThreadPlan
    from distributor.errors import SourceError
    from distributor.text import LengthRule

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
    """Where the story came from, once: a file's guid already starts with its folder."""
    article = story.article
    if article.guid.startswith(f"{article.source_id}/"):
        return article.guid
    return f"{article.source_id}/{article.guid}"


def _load(
    cfg: Settings, paths: tuple[Path, ...], day: datetime | None
) -> tuple[list[Story], Roundup, list[SourceError]]:
    """The day's stories; an unreadable file or feed is named and the rest go on."""
    from distributor.compose.roundup import RoundupOptions, build_roundup
    from distributor.ingest.sources import read_sources
    from distributor.pipeline.phases import extract_all

    specs = [str(p) for p in paths] or [str(cfg.resolve(s)) for s in cfg.ingest.sources]
    ingested = read_sources(specs, cfg.ingest)
    problems = list(ingested.problems)
    stories = extract_all(ingested.articles, problems)
    for problem in problems:
        echo(f"  ! {problem}", err=True)
    if not stories:
        raise Failed(f"no usable articles in {', '.join(specs)}")
    the_day = day.date() if day else datetime.now(ZoneInfo(cfg.publisher.timezone)).date()
    roundup = build_roundup(stories, the_day, RoundupOptions.from_settings(cfg))
    return stories, roundup, problems


def _plan(cfg: Settings, stories: list[Story], roundup: Roundup, rule: LengthRule) -> ThreadPlan:
    from distributor.compose.threads import threads_within_budget

    by_id = {s.id: s for s in stories}
    featured = [by_id[item.story_id] for item in roundup.featured if item.story_id in by_id]
    return threads_within_budget(featured, rule, cfg)


def _posts(thread: Thread) -> list[dict[str, Any]]:
    return [{"text": p.text, "length": p.length, "limit": p.limit} for p in thread.posts]


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
    from distributor.text import rule_for

    cfg = load_settings(ctx)
    network = network or (cfg.social.networks or ("x",))[0]
    rule = rule_for(network)
    stories, roundup, problems = _load(cfg, (*paths, *sources), day)
    plan = _plan(cfg, stories, roundup, rule)
    by_id = {s.id: s for s in stories}
    report = {
        "network": network,
        "unit": rule.unit,
        "threads": [
            {
                "source": _source(by_id[t.story_id]),
                "story_id": t.story_id,
                "posts": _posts(t),
                "origins": [o.as_dict() for o in thread_origins(by_id[t.story_id], cfg)],
                "lint": [f.as_dict() for f in lint(by_id[t.story_id])],
            }
            for t in plan.threads
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
    for thread in plan.threads:
        story = by_id[thread.story_id]
        echo(f"\n{_source(story)}: {plural(len(thread.posts), 'post')}")
        _echo_posts(thread, rule.unit)
        for origin in thread_origins(story, cfg):
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
    """Show the roundup post ("More of Today's Top Breaking Government News"): the
    day's other headlines with links, as one post or a short thread, each post with
    its counted length against the network's limit.

    \b
    Example:
      distributor preview roundup examples/articles --network mastodon
      distributor preview roundup --source today/ --date 2026-11-28 --json
    """
    from distributor.compose.threads import compose_roundup_post
    from distributor.text import rule_for

    cfg = load_settings(ctx)
    network = network or (cfg.social.networks or ("x",))[0]
    rule = rule_for(network)
    stories, roundup, problems = _load(cfg, (*paths, *sources), day)
    plan = _plan(cfg, stories, roundup, rule)
    extra = [
        RoundupItem(s.id, s.headline or s.article.title, s.article.url) for s in plan.to_roundup
    ]
    thread = compose_roundup_post(roundup, rule, cfg, extra)
    listed = len(extra) + len(roundup.more)
    report = {
        "network": network,
        "unit": rule.unit,
        "day": roundup.day.isoformat(),
        "threads": [{"source": "roundup", "story_id": thread.story_id, "posts": _posts(thread)}],
        "headlines": listed,
        "problems": [str(p) for p in problems],
    }
    if as_json:
        emit_json(report)
    else:
        echo(f"Network: {network} (limit {rule.limit} {rule.unit})")
        echo(f"Roundup for {roundup.day.isoformat()}: {plural(listed, 'headline')}")
        _echo_posts(thread, rule.unit)
    if problems:
        ctx.exit(EXIT_FAILED)
