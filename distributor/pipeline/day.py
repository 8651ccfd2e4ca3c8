"""The day, assembled one way: what ``run`` plans and what every preview shows.

``run`` and every preview (``preview``, ``preview digest``, ``preview thread``,
``preview roundup``, ``send-test``) build the day through :func:`assemble`, with one
"today" (the schedule's time zone), one rule for which digest edition comes next, the
live channels' length rules and the posting budget. A preview therefore shows what
``run`` would post at the same moment; only where the stories come from differs (``run``
reads them from the store, a preview from the sources, every one as new).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from distributor.channels import registry
from distributor.channels.base import Channel
from distributor.errors import DistributorError, SourceError
from distributor.models import Delivery, DeliveryKind, Story
from distributor.payloads import FilesPayload
from distributor.pipeline import phases
from distributor.schedule.times import day_times, local_day
from distributor.settings import Settings
from distributor.text import LengthRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Edition:
    """The digest edition a command builds, and why that one (printed for the editor)."""

    day: date
    why: str


def digest_edition(now: datetime, settings: Settings) -> date:
    """The day whose digest is still to go: today before ``digest_at``, else tomorrow."""
    return edition(now, settings).day


def edition(now: datetime, settings: Settings, asked: date | None = None) -> Edition:
    """The edition ``run`` would build at ``now`` (or the day asked for with ``--date``)."""
    if asked is not None:
        return Edition(asked, "the day asked for")
    today = local_day(now, settings)
    at = settings.schedule.digest_at
    if now < day_times(today, settings).digest_at:
        return Edition(today, f"today's edition, due at {at}")
    return Edition(today + timedelta(days=1), f"tomorrow's edition: today's was due at {at}")


def length_rules(
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
    networks: Collection[str] | None = None,
) -> dict[str, LengthRule]:
    """Each configured network's own length rule where its server says (Mastodon's
    instance limit); the defaults otherwise, so a server that is down delays nothing.
    Live ``channels`` are asked first, so a channel that already knows its rule is not
    asked over the network again. A network that is not a configured channel keeps its
    default rule (nothing to ask)."""
    rules: dict[str, LengthRule] = {}
    for network in settings.social.networks if networks is None else networks:
        if network not in settings.delivery.channels:
            continue
        try:
            channel = (channels or {}).get(network) or registry.get(network)(settings)
            rule = channel.length_rule()
            if rule is not None:
                rules[network] = rule
        except DistributorError as exc:
            log.warning("%s: using the default length rule: %s", network, exc)
    return rules


def read(
    settings: Settings, sources: Sequence[str] | None = None
) -> tuple[list[Story], list[SourceError]]:
    """The sources' stories for a preview, every article as new, nothing stored; an
    unreadable file, feed or article is reported by name and the rest go on."""
    ingested = phases.read_only(settings, sources)
    problems = list(ingested.problems)
    stories = phases.extract_all([r.article for r in ingested.recorded], problems)
    return stories, problems


def assemble(
    settings: Settings,
    stories: Sequence[Story],
    *,
    now: datetime,
    asked: date | None = None,
    networks: Sequence[str] | None = None,
    rules: Mapping[str, LengthRule] | None = None,
    posts_used: Mapping[str, tuple[int, int]] | None = None,
    threaded: Mapping[str, Collection[str]] | None = None,
    digest: bool = True,
) -> phases.Composed:
    """The day's roundup, threads and roundup posts per network, and (with ``digest``)
    the next edition's digest of the same stories.

    ``asked``: the day given with ``--date`` (both the social day and the edition);
    otherwise today in the schedule's zone and the edition :func:`edition` names.
    ``networks``: whose threads to compose (default ``[social] networks``).
    ``rules``, ``posts_used`` and ``threaded`` as for :func:`phases.compose_social`.
    ``run`` composes its editions' digests itself, from what each edition covers.
    """
    today = asked or local_day(now, settings)
    composed = phases.compose_social(
        stories,
        settings,
        today,
        networks=networks,
        rules=rules,
        posts_used=posts_used,
        threaded=threaded,
    )
    if digest:
        ed = edition(now, settings, asked)
        composed.edition = ed
        roundup = composed.roundup if ed.day == today else phases.rank(stories, settings, ed.day)
        composed.digest = phases.compose_digest(stories, roundup, settings, ed.day)
        composed.digest_roundup = roundup
    return composed


def write_preview(
    composed: phases.Composed, settings: Settings, target: Path, now: datetime
) -> list[Path]:
    """The day's files, as the files channel writes them for ``run``, into ``target``
    (``preview`` without a subcommand): the same writer, nothing stored."""
    from distributor.channels.files import FilesChannel, FilesOptions

    day = composed.day
    result = FilesChannel(settings, FilesOptions(dir=str(target))).deliver(
        Delivery(
            channel="files",
            kind=DeliveryKind.PREVIEW,
            idempotency_key=f"preview:{day.isoformat()}",
            due_at=now,
            payload=FilesPayload(
                files=phases.preview_files(composed, settings), day=day.isoformat()
            ),
            day=day,
        )
    )
    written = result.detail.get("written", [])
    return [Path(str(p)) for p in written] if isinstance(written, list) else []
