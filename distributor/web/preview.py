"""The editors' preview page: the day as ``run`` would send it, served on 127.0.0.1.

``distributor preview --serve`` serves :func:`make_app` with :func:`serve`. The page is
drawn from one :func:`distributor.pipeline.day.assemble`, the assembly ``run`` and every
other preview use, and shows:

- the next edition's email in a phone (375 px) and a desktop (1280 px) frame, light or
  dark, with its subject, preheader, size and email lint, and its plain-text twin;
- each network's threads, post by post, with each post's counted length against the
  network's limit and the time the thread is planned for;
- each network's roundup post, with the headlines it carries and those it drops;
- every story with its article lint beside it;
- the deliveries held for approval in the outbox, each with an approve button bound to
  the content hash shown (:meth:`Outbox.approve` with ``seen``, the same approval as
  ``distributor approve``): content that changed since the page was drawn is refused.

The page polls ``/version``, a fingerprint of the modification times of the sources and
the templates, and reloads when it changes; the day is drawn again at that request.

Article text is untrusted. Every value goes through Jinja2's autoescape; the page's
Content-Security-Policy allows only its own script and style; the email is served to a
sandboxed frame with no script, and with every image and font refused, so nothing named
in an article is fetched (as with ``preview digest --screenshot``). The server binds
127.0.0.1 and answers only requests addressed to 127.0.0.1 or localhost (a page on
another site that rebinds its name to this machine gets nothing); every POST needs the
session cookie's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from distributor.compose.day_files import as_a_reader_sees_it, digest_summary
from distributor.compose.digest import bundled_templates, reload_templates, template_dir
from distributor.compose.facts import signature
from distributor.errors import ConfigError, DistributorError, PayloadError
from distributor.extract.article_lint import Finding, lint
from distributor.models import DeliveryKind, DeliveryState, RoundupItem, Story, source_path
from distributor.payloads import parse_digest, parse_files, parse_post
from distributor.pipeline import day as assemble_day
from distributor.pipeline import phases
from distributor.schedule.planner import day_deliveries
from distributor.schedule.times import local_day, schedule_zone
from distributor.settings import Settings
from distributor.store.outbox import Outbox, OutboxError, Record
from distributor.text import LengthRule
from distributor.web.page import StartResponse
from distributor.web.server import Limits, make_server, run
from distributor.web.unsubscribe import WSGIApp, read_form
from distributor.words import plural

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8030
POLL_MS = 1000
"""How often the page asks ``/version`` whether a source or template changed."""
SCHEMES = ("light", "dark")
FRAMES = (("phone", 375, 740), ("desktop", 1280, 800))
"""The email's frames: name, width and height in CSS pixels."""

_LOCAL_NAMES = frozenset({"127.0.0.1", "localhost"})
_COOKIE = "distributor_preview"
_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# The email: its own inline styles, nothing fetched, no script even when opened on its own.
_EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
_STATIC = {
    "preview.css": "text/css; charset=utf-8",
    "preview.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
_DARK_QUERY = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.IGNORECASE | re.DOTALL)
_HELD_EMAIL = re.compile(r"^/held/(\d{1,18})/email\.html$")
_SEEN = re.compile(r"^(\d{1,18}):([0-9a-f]{64})$")


def _now() -> datetime:
    return datetime.now(UTC)


# --- the email as a mail client in light or dark mode shows it ---------------------


def in_scheme(html: str, scheme: str) -> str:
    """The email as a mail client in ``scheme`` shows it, whatever the editor's own
    system is set to: in dark, the email's own ``prefers-color-scheme: dark`` styles
    apply (as in Apple Mail or Outlook.com); in light, they do not."""
    dark = scheme == "dark"
    media = "@media all" if dark else "@media not all"
    # In the email's style sheets only: article text is never a style sheet.
    out = _STYLE.sub(lambda m: _DARK_QUERY.sub(media, m.group(0)), html)
    forced = f"<style>:root{{color-scheme:only {'dark' if dark else 'light'}}}</style>"
    return out.replace("</head>", forced + "</head>", 1) if "</head>" in out else forced + out


# --- what the page watches: sources and templates ----------------------------------


def watched_paths(settings: Settings, sources: Sequence[str] | None) -> list[Path]:
    """The local sources (files and folders; a feed URL has no file to watch), the email
    templates and the page's own templates."""
    roots = [Path(s) for s in phases.source_specs(settings, sources) if "://" not in s]
    try:
        roots.append(template_dir(settings))
    except ConfigError:
        roots.append(settings.resolve(settings.email.templates))  # watched until it is fixed
    roots.append(bundled_templates("preview"))
    return roots


def _entries(root: Path) -> Iterator[tuple[str, os.stat_result | None]]:
    try:
        top = root.stat()
    except OSError:
        yield str(root), None
        return
    yield str(root), top
    if not stat.S_ISDIR(top.st_mode):
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in [*sorted(dirs), *sorted(files)]:
            path = os.path.join(folder, name)
            try:
                yield path, os.stat(path)
            except OSError:
                yield path, None


def version(paths: Iterable[Path], moment: str = "") -> str:
    """A fingerprint of every file and folder below ``paths``: name, modification time
    and size. It changes when a file is edited, added, removed or renamed, and when
    ``moment`` does."""
    h = hashlib.sha256(moment.encode())
    for root in paths:
        for path, st in _entries(root):
            h.update(os.fsencode(path) + b"\0")
            h.update(f"{st.st_mtime_ns}:{st.st_size}\n".encode() if st else b"missing\n")
    return h.hexdigest()[:16]


# --- what the page shows ------------------------------------------------------------


@dataclass(frozen=True)
class PostView:
    number: int
    text: str
    length: int
    limit: int

    @property
    def over(self) -> bool:
        return self.length > self.limit


@dataclass(frozen=True)
class ThreadView:
    story_id: str
    headline: str
    at: str
    """When it is planned to go, on the schedule's clock."""
    held: bool
    """Planned held: ``[schedule] require_approval`` names its kind or channel."""
    posts: tuple[PostView, ...]
    key: str | None = None
    """The outbox key of its first post, as ``run`` plans it."""


@dataclass(frozen=True)
class NetworkView:
    name: str
    unit: str
    limit: int
    delivers: bool
    """A configured delivery channel (else shown as it would be posted, and not posted)."""
    threads: tuple[ThreadView, ...]
    roundup: ThreadView | None
    carried: tuple[RoundupItem, ...]
    dropped: tuple[RoundupItem, ...]
    over_budget: tuple[str, ...]
    """Headlines the posting budget sent to the roundup post instead of a thread."""
    budget_used: int
    budget_left: int | None


@dataclass(frozen=True)
class StoryView:
    id: str
    headline: str
    source: str
    summary: str
    featured: bool
    figures: tuple[str, ...]
    quote: str | None
    speaker: str | None
    lint: tuple[Finding, ...]


@dataclass(frozen=True)
class EmailView:
    edition: date
    why: str
    subject: str
    preheader: str
    html_bytes: int
    max_html_bytes: int
    findings: tuple[Mapping[str, Any], ...]
    text: str


@dataclass(frozen=True)
class Drawn:
    """One drawing of the day, for the files at ``version``."""

    version: str
    day: date | None = None
    email: EmailView | None = None
    email_html: str | None = None
    networks: tuple[NetworkView, ...] = ()
    stories: tuple[StoryView, ...] = ()
    problems: tuple[str, ...] = ()
    error: str | None = None


def _clock(at: datetime, day: date | None, settings: Settings) -> str:
    """``at`` on the schedule's clock: the time alone when it falls on ``day``."""
    local = at.astimezone(schedule_zone(settings))
    return local.strftime("%H:%M") if local.date() == day else local.strftime("%a %d %b %H:%M")


def _story_view(story: Story, featured: bool) -> StoryView:
    q = story.quote
    return StoryView(
        id=story.id,
        headline=story.headline,
        source=source_path(story.article),
        summary=story.summary,
        featured=featured,
        figures=tuple(f.text for f in story.key_figures),
        quote=q.text if q else None,
        # Signed as the thread and the card sign it.
        speaker=signature(q.speaker, q.role) if q and q.speaker else None,
        lint=tuple(lint(story)),
    )


def draw(
    composed: phases.Composed, settings: Settings, version_: str, problems: Sequence[str] = ()
) -> Drawn:
    """The page's view of one assembled day (``problems``: sources that could not be read)."""
    day = composed.day
    by_id = {s.id: s for s in composed.stories}
    networks = list(composed.threads)
    kinds = frozenset({DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP})
    # The times and holds the planner gives these threads (as ``run`` plans them).
    rows = day_deliveries(
        day,
        digest=None,
        threads=[t for n in networks for t in composed.threads[n]],
        roundup_posts=list(composed.roundup_posts.values()),
        channels=networks,
        settings=settings,
        kinds={n: kinds for n in networks},
    )
    heads = {(r.channel, r.subject_id): r for r in rows if r.parent_key is None}

    def thread_view(network: str, subject: str, headline: str, posts: Sequence[Any]) -> ThreadView:
        head = heads.get((network, subject))
        return ThreadView(
            story_id=subject,
            headline=headline,
            at=_clock(head.due_at, day, settings) if head else "not planned",
            held=head is not None and head.state == DeliveryState.HELD,
            posts=tuple(
                PostView(i, p.text, p.length, p.limit) for i, p in enumerate(posts, start=1)
            ),
            key=head.idempotency_key if head else None,
        )

    views: list[NetworkView] = []
    for name in networks:
        rule: LengthRule = composed.rules[name]
        plan = composed.plans[name]
        roundup = composed.roundup_posts.get(name)
        views.append(
            NetworkView(
                name=name,
                unit=rule.unit,
                limit=rule.limit,
                delivers=name in settings.delivery.channels,
                threads=tuple(
                    thread_view(name, t.story_id, by_id[t.story_id].headline, t.posts)
                    for t in composed.threads[name]
                ),
                roundup=(
                    thread_view(name, "roundup", composed.roundup.title, roundup.posts)
                    if roundup
                    else None
                ),
                carried=roundup.carried if roundup else (),
                dropped=roundup.dropped if roundup else (),
                over_budget=tuple(s.headline for s in plan.to_roundup),
                budget_used=plan.budget_used,
                budget_left=plan.budget_left,
            )
        )
    featured = {i.story_id for i in composed.roundup.featured}
    ranked = [*composed.roundup.featured, *composed.roundup.more]
    stories = [by_id[i.story_id] for i in ranked if i.story_id in by_id]
    email = None
    html = None
    digest, edition = composed.digest, composed.edition
    if digest is not None and edition is not None:
        summary = digest_summary(digest, max_html_bytes=settings.email.max_html_bytes)
        html = as_a_reader_sees_it(digest.html, settings.subscribers)
        email = EmailView(
            edition=edition.day,
            why=edition.why,
            subject=digest.subject,
            preheader=digest.preheader,
            html_bytes=summary["html_bytes"],
            max_html_bytes=summary["max_html_bytes"],
            findings=tuple(summary["findings"]),
            text=as_a_reader_sees_it(digest.text, settings.subscribers),
        )
    return Drawn(
        version=version_,
        day=day,
        email=email,
        email_html=html,
        networks=tuple(views),
        stories=tuple(_story_view(s, s.id in featured) for s in stories),
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class InOutbox:
    """Where ``run`` has already planned a thread: its state and time in the outbox."""

    state: str
    at: str


def in_outbox(outbox: Outbox, drawn: Drawn, settings: Settings) -> dict[str, InOutbox]:
    """The outbox's rows for the threads and roundup posts the page shows, by key (a
    thread planned after its slot went by goes later than the schedule's slot)."""
    if drawn.day is None:
        return {}
    shown = {
        t.key
        for n in drawn.networks
        for t in (*n.threads, *((n.roundup,) if n.roundup else ()))
        if t.key
    }
    out: dict[str, InOutbox] = {}
    for r in outbox.records(day=drawn.day):
        d = r.delivery
        if d.idempotency_key in shown:
            state = f"{d.state} ({r.hold_reason})" if r.hold_reason else str(d.state)
            out[d.idempotency_key] = InOutbox(state, _clock(d.due_at, drawn.day, settings))
    return out


# --- what waits for approval -------------------------------------------------------


@dataclass(frozen=True)
class HeldView:
    """The deliveries of one thing held for approval (a digest, a thread's posts), with
    the content hash of each as the page shows it."""

    title: str
    subject: str
    """The outbox's subject: the story's id, the digest's readers, ``roundup``."""
    channel: str
    kind: str
    day: str
    at: str
    seen: tuple[tuple[int, str], ...]
    lines: tuple[str, ...]
    email_id: int | None = None
    """A held digest: its own email can be opened (``/held/ID/email.html``)."""

    @property
    def anchor(self) -> str:
        return f"held-{self.seen[0][0]}"


def _held_lines(record: Record) -> tuple[str, ...]:
    d = record.delivery
    try:
        if d.kind == DeliveryKind.DIGEST:
            payload = parse_digest(d)
            count = plural(len(payload["story_ids"]), "story", "stories")
            return (f"Subject: {payload['subject']}", payload["preheader"], count)
        if d.kind in (DeliveryKind.THREAD_POST, DeliveryKind.ROUNDUP):
            return (parse_post(d)["text"],)
        if d.kind == DeliveryKind.PREVIEW:
            return (f"{len(parse_files(d)['files'])} files",)
    except PayloadError as exc:
        return (f"this delivery cannot be read: {exc}",)
    return ()


def held_for_approval(outbox: Outbox, settings: Settings) -> list[HeldView]:
    """Every delivery, of any day, held until an editor approves its content."""
    groups: dict[tuple[str, str, str, str], list[Record]] = {}
    for r in outbox.records(states=[DeliveryState.HELD]):
        if r.needs_approval and not r.approved and r.delivery.expanded_from is None:
            d = r.delivery
            key = (d.channel, str(d.kind), d.subject_id, r.day.isoformat() if r.day else "")
            groups.setdefault(key, []).append(r)
    out: list[HeldView] = []
    for (channel, kind, subject, day), records in groups.items():
        records.sort(key=lambda r: (r.delivery.due_at, r.delivery.id or 0))
        first = records[0]
        lines = tuple(line for r in records for line in _held_lines(r))
        out.append(
            HeldView(
                title=_held_title(kind, subject, day, lines),
                subject=subject,
                channel=channel,
                kind=kind,
                day=day,
                at=_clock(first.delivery.due_at, first.day, settings),
                seen=tuple((r.delivery.id or 0, r.delivery.content_hash) for r in records),
                lines=lines,
                email_id=first.delivery.id if kind == str(DeliveryKind.DIGEST) else None,
            )
        )
    return out


def _held_title(kind: str, subject: str, day: str, lines: Sequence[str]) -> str:
    if kind == str(DeliveryKind.DIGEST):
        readers = "" if subject in ("", "all") else f", for readers of {subject}"
        return f"Digest of {day}{readers}"
    if kind == str(DeliveryKind.THREAD_POST):
        # The first post opens with the headline.
        return f"Thread: {lines[0].splitlines()[0]}" if lines and lines[0] else "Thread"
    if kind == str(DeliveryKind.ROUNDUP):
        return f"Roundup post of {day}"
    if kind == str(DeliveryKind.PREVIEW):
        return f"Files of {day}"
    return f"{kind} of {day}"


# --- the app --------------------------------------------------------------------


class Preview:
    """The day for the page, drawn again when a source or template changes."""

    def __init__(
        self,
        settings: Settings,
        sources: Sequence[str] | None = None,
        outbox: Outbox | None = None,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.settings = settings
        self.sources = list(sources) if sources else None
        self.outbox = outbox
        self.clock = clock
        self.watched = watched_paths(settings, self.sources)
        self._lock = threading.Lock()
        self._drawn: Drawn | None = None
        self._rules: dict[str, LengthRule] | None = None

    def version(self) -> str:
        """The sources' and templates' fingerprint, and the day and the digest edition
        now: the page is drawn again at midnight and once the day's digest time passes."""
        now = self.clock()
        moment = f"{local_day(now, self.settings)} {assemble_day.edition(now, self.settings).day}"
        return version(self.watched, moment)

    def day(self) -> Drawn:
        """The day as drawn for the files as they are now (drawn again if they changed)."""
        current = self.version()
        with self._lock:
            if self._drawn is None or self._drawn.version != current:
                self._drawn = self._draw(current)
            return self._drawn

    def _draw(self, current: str) -> Drawn:
        if self._drawn is not None:
            reload_templates()
        try:
            if self._rules is None:
                # A Mastodon instance's own limit, asked once, not at every redraw.
                self._rules = assemble_day.length_rules(self.settings)
            stories, problems = assemble_day.read(self.settings, self.sources)
            composed = assemble_day.assemble(
                self.settings, stories, now=self.clock(), rules=self._rules
            )
            return draw(composed, self.settings, current, problems=[str(p) for p in problems])
        except DistributorError as exc:
            return Drawn(version=current, error=str(exc))
        except Exception as exc:
            log.exception("the preview could not be drawn")
            return Drawn(version=current, error=f"the preview could not be drawn: {exc!r}")


@dataclass
class _Sessions:
    """Per-browser sessions: a random id in a cookie, and the CSRF token derived from it
    with a key that lives as long as the server."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    notes: dict[str, tuple[bool, str]] = field(default_factory=dict)
    """What the last approval did, shown once on the next page (ok, message)."""

    def token(self, session: str) -> str:
        return hmac.new(self.key, session.encode(), hashlib.sha256).hexdigest()

    def note(self, session: str, ok: bool, message: str) -> None:
        if len(self.notes) > 256:
            self.notes.clear()
        self.notes[session] = (ok, message)


def _session(environ: Mapping[str, Any]) -> str | None:
    try:
        morsel = SimpleCookie(environ.get("HTTP_COOKIE", "")).get(_COOKIE)
    except CookieError:
        return None
    value = morsel.value if morsel else ""
    return value if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", value) else None


def _addressed_here(environ: Mapping[str, Any]) -> bool:
    """The request names this machine: a page on another site that rebinds its own name
    to 127.0.0.1 still sends that name, and is refused."""
    host = str(environ.get("HTTP_HOST", ""))
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.lower() in _LOCAL_NAMES


def page_environment() -> Environment:
    """The page's templates (``templates/preview``), every value escaped."""
    return Environment(
        loader=FileSystemLoader(str(bundled_templates("preview"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Reply:
    """Answers to one request, with the headers every answer carries."""

    def __init__(self, start_response: StartResponse, env: Environment) -> None:
        self.start_response = start_response
        self.env = env

    def __call__(
        self,
        status: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        csp: str = _PAGE_CSP,
        headers: Sequence[tuple[str, str]] = (),
    ) -> list[bytes]:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.start_response(
            status,
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(data))),
                ("Content-Security-Policy", csp),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                *headers,
            ],
        )
        return [data]

    def message(self, status: str, title: str, text: str) -> list[bytes]:
        page = self.env.get_template("message.html.j2").render(title=title, text=text)
        return self(status, page)


def make_app(preview: Preview) -> WSGIApp:
    """The preview page's WSGI app (see the module's notes)."""
    env = page_environment()
    sessions = _Sessions()
    static_dir = bundled_templates("preview")

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        reply = _Reply(start_response, env)
        if not _addressed_here(environ):
            return reply.message(
                "403 Forbidden",
                "Not for this address",
                "The preview answers only at http://127.0.0.1 (or localhost) on this machine.",
            )
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        scheme = (query.get("scheme") or ["light"])[0]
        scheme = scheme if scheme in SCHEMES else "light"
        if path == "/approve":
            if method != "POST":
                return reply.message("405 Method Not Allowed", "Use the approve button", "")
            return approve(environ, reply)
        if method != "GET":
            return reply.message("405 Method Not Allowed", "Not here", "Only approving posts.")
        if path == "/version":
            return reply("200 OK", preview.version(), "text/plain; charset=utf-8")
        if path == "/":
            return page(environ, reply, scheme)
        if path == "/email.html":
            html = preview.day().email_html
            if html is None:
                return reply.message("404 Not Found", "No email", "There is no digest to show.")
            return reply("200 OK", in_scheme(html, scheme), csp=_EMAIL_CSP)
        if held := _HELD_EMAIL.match(path):
            return held_email(int(held.group(1)), reply, scheme)
        name = path.removeprefix("/static/")
        if path.startswith("/static/") and name in _STATIC:
            return reply("200 OK", (static_dir / name).read_bytes(), _STATIC[name])
        return reply.message("404 Not Found", "Not found", "There is no page here.")

    def page(environ: Mapping[str, Any], reply: _Reply, scheme: str) -> list[bytes]:
        session = _session(environ)
        headers: list[tuple[str, str]] = []
        if session is None:
            session = secrets.token_urlsafe(32)
            headers.append(
                ("Set-Cookie", f"{_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict")
            )
        drawn = preview.day()
        held: list[HeldView] = []
        planned: dict[str, InOutbox] = {}
        held_error = None
        if preview.outbox is not None:
            try:
                held = held_for_approval(preview.outbox, preview.settings)
                planned = in_outbox(preview.outbox, drawn, preview.settings)
            except Exception as exc:
                log.exception("the outbox could not be read")
                held_error = f"the outbox could not be read: {exc}"
        body = env.get_template("page.html.j2").render(
            drawn=drawn,
            held=held,
            held_error=held_error,
            outbox=preview.outbox is not None,
            planned=planned,
            note=sessions.notes.pop(session, None),
            csrf=sessions.token(session),
            scheme=scheme,
            schemes=SCHEMES,
            frames=FRAMES,
            poll_ms=POLL_MS,
        )
        return reply("200 OK", body, headers=headers)

    def held_email(delivery_id: int, reply: _Reply, scheme: str) -> list[bytes]:
        record = preview.outbox.get(delivery_id) if preview.outbox else None
        if record is None or record.delivery.kind != DeliveryKind.DIGEST:
            return reply.message("404 Not Found", "No such digest", "There is no digest here.")
        try:
            html = parse_digest(record.delivery)["html"]
        except PayloadError as exc:
            return reply.message("404 Not Found", "This digest cannot be read", str(exc))
        shown = as_a_reader_sees_it(html, preview.settings.subscribers)
        return reply("200 OK", in_scheme(shown, scheme), csp=_EMAIL_CSP)

    def approve(environ: dict[str, Any], reply: _Reply) -> list[bytes]:
        form = read_form(environ)
        session = _session(environ)
        token = (form.get("csrf") or [""])[0]
        if session is None or not hmac.compare_digest(token, sessions.token(session)):
            return reply.message(
                "403 Forbidden",
                "Not approved",
                "This request did not come from the preview page (its form token is missing "
                "or wrong). Nothing was approved: reload the preview and approve there.",
            )
        seen: dict[int, str] = {}
        for value in form.get("delivery", []):
            if m := _SEEN.match(value):
                seen[int(m.group(1))] = m.group(2)
        by = " ".join((form.get("by") or [""])[0].split())[:200]
        if preview.outbox is None or not seen:
            sessions.note(session, False, "Nothing was approved: no delivery was named.")
        else:
            try:
                done = preview.outbox.approve(seen=seen, by=by)
                states = sorted({str(r.delivery.state) for r in done})
                ids = ", ".join(str(r.delivery.id) for r in done)
                sessions.note(session, True, f"Approved {ids}: now {' and '.join(states)}.")
            except OutboxError as exc:
                sessions.note(session, False, f"Not approved: {exc}.")
        return reply("303 See Other", b"", "text/plain", headers=[("Location", "/#held")])

    return app


def bind(
    settings: Settings,
    sources: Sequence[str] | None,
    outbox: Outbox | None,
    *,
    port: int = DEFAULT_PORT,
) -> Any:
    """The preview's server, bound to 127.0.0.1:``port`` (0: a free one) and to nothing
    else; :func:`distributor.web.server.run` serves it."""
    return make_server(make_app(Preview(settings, sources, outbox)), HOST, port, Limits())


def serve(
    settings: Settings,
    sources: Sequence[str] | None,
    outbox: Outbox | None,
    *,
    port: int = DEFAULT_PORT,
    ready: Callable[[str], None],
) -> None:
    """Serve the preview on 127.0.0.1:``port`` until interrupted; ``ready`` gets the
    page's URL once the port is bound."""
    run(bind(settings, sources, outbox, port=port), lambda base: ready(base + "/"))
