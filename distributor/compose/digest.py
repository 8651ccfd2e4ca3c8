"""The daily email digest: Jinja2 + MJML to HTML, plus its plain-text twin.

Stories come in already ranked by the roundup manifest: its featured stories become
full cards, the rest one line each in the roundup section. Every article value is
escaped on its way into the templates (see :mod:`distributor.compose.safe`), links
are http(s) only, and the per-recipient links are left as :data:`PLACEHOLDERS` for
the email channel to fill.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from distributor.compose.facts import (
    as_posted,
    figures_signed_by,
    fresh_figures,
    in_marks,
    in_own_voice,
    signature,
    summary_quoted,
    surest,
)
from distributor.compose.mjml import MjmlError, compile_mjml, minify_html
from distributor.compose.safe import (
    Clean,
    clean_inline,
    html_str,
    plain_text,
    safe_url,
    shorten,
    utm_query,
    with_utm_query,
)
from distributor.errors import ConfigError
from distributor.models import Digest, Roundup, RoundupItem, Story
from distributor.settings import Settings
from distributor.words import plural

log = logging.getLogger(__name__)

PLACEHOLDERS = ("{{unsubscribe_url}}", "{{preferences_url}}", "{{name}}")

# The placeholders as template values, written as they are (they hold no article text).
_PLACEHOLDER_VALUES = MappingProxyType(
    {name.strip("{}"): Markup(name) for name in PLACEHOLDERS}  # noqa: S704
)
# On a web page there is no reader: every per-recipient value is empty, even in
# templates that do not look at ``archive``.
_NO_READER = MappingProxyType({name.strip("{}"): Markup() for name in PLACEHOLDERS})

HTML_TEMPLATE = "digest.mjml.j2"
TEXT_TEMPLATE = "digest.txt.j2"
CONTENT_WIDTH = 552  # the 600 px body less 24 px padding each side
MAX_FIGURES = 4
SUBJECT_LIMIT = 150
# The default subject stays within what phones show whole: the headline gives way.
SUBJECT_TARGET = 70
PREHEADER_LIMIT = 140
_FIELD = re.compile(r"\{(headline|count|more|date|brand)\}")


class CardImage(NamedTuple):
    src: str
    alt: str
    width: int
    height: int | None


class CardQuote(NamedTuple):
    text: str
    speaker: str
    role: str

    @property
    def signature(self) -> str:
        return signature(self.speaker, self.role)


class Card(NamedTuple):
    story_id: str
    headline: str
    url: str | None
    summary: str
    image: CardImage | None
    figures: tuple[str, ...]
    quote: CardQuote | None
    figures_by: str = ""
    """Whose words the figures are (a statement's issuer): shown in quote marks under it."""
    summary_by: str = ""
    """Whose words a first-person summary is: shown in quote marks, signed, never bare."""


class Line(NamedTuple):
    story_id: str
    headline: str
    url: str | None


class Group(NamedTuple):
    """Roundup lines under one heading (``title`` empty: the list needs no heading)."""

    title: str
    lines: tuple[Line, ...]


# The heading of the roundup's stories that have no source name or topic of their own.
OTHER_GROUP = "Other news"


# --- templates ---------------------------------------------------------------


def template_dir(settings: Settings) -> Path:
    """Where the email templates are: the configured directory, else the packaged
    copy (wheel installs), else the repository's ``templates/email``."""
    if settings.email.templates:
        path = settings.resolve(settings.email.templates)
        if not (path / HTML_TEMPLATE).is_file() or not (path / TEXT_TEMPLATE).is_file():
            raise ConfigError(
                f"{path} must hold {HTML_TEMPLATE} and {TEXT_TEMPLATE}; copy templates/email "
                "from the distributor repository and edit it",
                path=settings.path,
                key="email.templates",
            )
        return path
    return bundled_templates("email")


@lru_cache(maxsize=4)
def bundled_templates(folder: str) -> Path:
    """A folder of the templates shipped with distributor (``email``, ``preview``): the
    packaged copy (wheel installs), else the repository's ``templates/<folder>``."""
    packaged = Path(__file__).resolve().parent.parent / "templates" / folder
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates" / folder


def reload_templates() -> None:
    """Read the email templates from disk again at the next render (they are cached per
    folder): for the editors' preview, which redraws the day when a template changes."""
    environments.cache_clear()


class _Wrapped(str):
    """Lines the ``wrap`` filter made: written as they are, not cleaned into one line."""

    __slots__ = ()


def _wrap(value: object, width: int = 72, indent: str = "", subsequent: str = "") -> str:
    text = plain_text(value)
    if len(indent) + len(text) <= width:
        return _Wrapped(indent + text if text else "")
    return _Wrapped("\n".join(_wrap_lines(text, width, indent, subsequent)))


def _wrap_lines(text: str, width: int, indent: str, subsequent: str) -> list[str]:
    """``textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=subsequent,
    break_long_words=False, break_on_hyphens=False)`` for clean text (words separated by
    single spaces, as :func:`plain_text` gives), a line at a time rather than a word.
    """
    lines: list[str] = []
    prefix = indent
    while text:
        room = width - len(prefix)
        if len(text) <= room:
            lines.append(prefix + text)
            break
        cut = text.rfind(" ", 0, room + 1)
        if cut <= 0:
            # A word longer than the line goes on a line of its own, unbroken.
            cut = text.find(" ")
            if cut < 0:
                lines.append(prefix + text)
                break
        lines.append(prefix + text[:cut])
        text = text[cut + 1 :]
        prefix = subsequent
    return lines


def _text_value(value: object) -> str:
    if type(value) is _Wrapped:
        return value
    return str(value) if isinstance(value, Markup) else plain_text(value)


@lru_cache(maxsize=8)
def environments(path: Path) -> tuple[Environment, Environment]:
    """The MJML environment (everything escaped) and the plain-text one, per directory."""
    common: dict[str, Any] = {
        "loader": FileSystemLoader(str(path)),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        # Templates do not change during a run; skip the per-include stat() call.
        "auto_reload": False,
    }
    # Every {{ value }} is escaped by html_str, so even a template that forgets a
    # filter cannot let article markup through. That makes autoescape redundant, and
    # off it spares a second escape() and Markup per value (a third of the render).
    html_env = Environment(autoescape=False, finalize=html_str, **common)  # noqa: S701
    text_env = Environment(autoescape=False, finalize=_text_value, **common)  # noqa: S701
    text_env.filters["wrap"] = _wrap
    return html_env, text_env


# --- subject and preheader ----------------------------------------------------


@lru_cache(maxsize=32)
def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _fill(template: str, fields: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: fields[m.group(1)], template)


def digest_subject(headlines: Sequence[str], day: date, brand: str, template: str = "") -> str:
    """Top headline, number of stories and the date; one line, no control characters."""
    count = len(headlines)
    fields = {
        "headline": shorten(clean_inline(headlines[0]), 90) if headlines else "",
        "count": str(count),
        "more": str(max(0, count - 1)),
        "date": long_date(day),
        "brand": clean_inline(brand),
    }
    if not template:
        if count == 0:
            template = "{brand}: no new stories, {date}"
        elif count == 1:
            template = "{headline} – {date}"
        else:
            template = "{headline} + {more} more – {date}"
        if count and len(clean_inline(_fill(template, fields))) > SUBJECT_TARGET:
            # Too long for a phone: the date goes first (the inbox shows it anyway),
            # then the headline is cut at a word.
            template = template.removesuffix(" – {date}")
            rest = len(clean_inline(_fill(template, {**fields, "headline": ""})))
            fields["headline"] = shorten(fields["headline"], max(24, SUBJECT_TARGET - rest))
    return shorten(clean_inline(_fill(template, fields)), SUBJECT_LIMIT)


def digest_preheader(
    headlines: Sequence[str], summary: str, day: date, brand: str, template: str = ""
) -> str:
    count = len(headlines)
    fields = {
        "headline": clean_inline(headlines[0]) if headlines else "",
        "count": str(count),
        "more": str(max(0, count - 1)),
        "date": long_date(day),
        "brand": clean_inline(brand),
    }
    if template:
        text = _fill(template, fields)
    elif count == 0:
        text = f"Nothing new from {fields['brand']} today."
    elif count == 1:
        text = summary or fields["headline"]
    else:
        text = _also([clean_inline(h) for h in headlines[1:]], PREHEADER_LIMIT)
    return shorten(clean_inline(text), PREHEADER_LIMIT)


def _also(others: Sequence[str], limit: int) -> str:
    """ "Also today: A; B; and 9 more stories." with as many whole headlines as fit."""

    def sentence(shown: Sequence[str], rest: int) -> str:
        more = f"and {plural(rest, 'more story', 'more stories')}" if rest else ""
        body = "; ".join([*shown, *([more] if more else [])])
        return f"Also today: {body}" + ("" if body.endswith((".", "?", "!", "…")) else ".")

    shown: list[str] = []
    for headline in others:
        if len(sentence([*shown, headline], len(others) - len(shown) - 1)) > limit and shown:
            break
        shown.append(headline)
    return sentence(shown, len(others) - len(shown))


# --- view model ---------------------------------------------------------------


def _linker(
    settings: Settings, day: date, *, track: bool = True
) -> Callable[[str | None], str | None]:
    """The function that turns an article's URL into the digest's link: http(s) only,
    with the day's UTM parameters when they are on (and ``track``)."""
    e = settings.email
    tracked = e.utm_enabled and track
    query = utm_query(e.utm_source, e.utm_medium, day.isoformat()) if tracked else ""

    def link(url: str | None) -> str | None:
        safe = safe_url(url)
        if not safe:
            return None
        if query:
            safe = with_utm_query(safe, query)
        # Cleaned once here rather than at each of the places the link is written; a
        # safe URL has no whitespace or control character, so ASCII is already clean.
        return Clean(safe) if safe.isascii() else clean_inline(safe)

    return link


def _fit(width: int | None, height: int | None) -> tuple[int, int | None]:
    """A picture's size in the email: its own width up to the content width (the full
    width when unknown), and the height in proportion (None when unknown)."""
    shown = CONTENT_WIDTH if not width or width > CONTENT_WIDTH else width
    return shown, (round(height * shown / width) if width and height else None)


def _card(story: Story, link: Callable[[str | None], str | None]) -> Card:
    headline = shorten(clean_inline(story.headline or story.article.title), 200)
    image = None
    img = story.article.image
    src = safe_url(img.url) if img else None
    if img and src:
        width, height = _fit(img.width, img.height)
        alt = clean_inline(img.alt) or headline
        image = CardImage(src, shorten(alt, 200), width, height)
    quote = None
    q = story.quote
    # A quote is only shown signed: extraction leaves unsigned ones out, and so does the card.
    if q is not None and q.speaker and (quote_text := as_posted(clean_inline(q.text))):
        quote = CardQuote(
            shorten(quote_text, 500), clean_inline(q.speaker or ""), clean_inline(q.role or "")
        )
    figures = tuple(
        shorten(text, 200)
        for f in surest(fresh_figures(story), MAX_FIGURES)
        if (text := clean_inline(f.text))
    )
    by = figures_signed_by(story)
    # The quote's own words are shown once, signed, never again as the summary.
    summary = "" if summary_quoted(story) else shorten(clean_inline(story.summary), 600)
    summary_by = ""
    if by is not None:
        figures = tuple(in_marks(text) for text in figures)
        if summary and not in_own_voice(summary):
            # "Today, I join the nation …": the issuer's words, so signed as theirs.
            summary, summary_by = in_marks(summary), by
            if quote is not None and _words(quote.text) in _words(summary):
                quote = None  # the issuer's quote is the summary's own sentence: once
    return Card(
        story.id,
        headline,
        link(story.article.url),
        summary,
        image,
        figures,
        quote,
        clean_inline(by or ""),
        clean_inline(summary_by),
    )


def _words(text: str) -> str:
    """Text compared by its words alone, not its marks or an ellipsis."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _line(item: RoundupItem, story: Story | None, link: Callable[[str | None], str | None]) -> Line:
    headline = item.headline or (story.headline if story else "") or item.story_id
    url = story.article.url if story is not None else item.url
    return Line(item.story_id, shorten(clean_inline(headline), 200), link(url))


def _heading(text: str) -> str:
    """A source name or topic as a heading: one clean line, capitalised when it is
    written all in lower case ("local government" → "Local government", "NHS" stays)."""
    text = shorten(clean_inline(text), 80)
    return text[:1].upper() + text[1:] if text.islower() else text


def _source_heading(source_id: str, names: Mapping[str, str]) -> str:
    """The configured name of a source, else the feed's host or the folder's name."""
    if named := clean_inline(names.get(source_id, "")):
        return _heading(named)
    if host := _host(source_id):
        return host
    return _heading(Path(source_id.rstrip("/\\")).stem or source_id)


def _host(url: str | None) -> str:
    """The host of an http(s) URL without "www." ("" for anything else)."""
    safe = safe_url(url)
    host = (urlsplit(safe).hostname or "") if safe else ""
    return host.removeprefix("www.")


def _group_titles(stories: Sequence[Story], settings: Settings) -> Mapping[str, str]:
    """Each story's roundup heading under ``email.roundup_group``, by story id; stories
    without a topic (or without a story) have none. Headings that differ only in case
    are one group, spelt as the highest-ranked story spells it (``stories`` in rank order)."""
    how, names = settings.email.roundup_group, settings.email.source_names
    if how == "none":
        return {}
    spelling: dict[str, str] = {}
    titles: dict[str, str] = {}
    for story in stories:
        article = story.article
        if how == "source":
            title = _source_heading(article.source_id, names)
        else:
            title = next((h for t in article.tags if (h := _heading(t))), "")
        if title:
            titles[story.id] = spelling.setdefault(title.casefold(), title)
    return titles


def roundup_groups(lines: Sequence[Line], titles: Mapping[str, str]) -> tuple[Group, ...]:
    """The roundup lines under their headings: groups in the order of their
    highest-ranked story, lines in rank order within each, the stories without a heading
    last under :data:`OTHER_GROUP`. A list that would have one heading has none."""
    grouped: dict[str, list[Line]] = {}
    for line in lines:
        grouped.setdefault(titles.get(line.story_id, ""), []).append(line)
    if len(grouped) <= 1:
        return (Group("", tuple(lines)),) if lines else ()
    rest = grouped.pop("", [])
    groups = [Group(title, tuple(members)) for title, members in grouped.items()]
    if rest:
        groups.append(Group(OTHER_GROUP, tuple(rest)))
    return tuple(groups)


def _brand(settings: Settings) -> dict[str, Any]:
    e, p = settings.email, settings.publisher
    name = clean_inline(e.brand_name or p.name)
    logo_src = safe_url(e.logo_url)
    logo = None
    if logo_src:
        width, height = _fit(e.logo_width, e.logo_height)
        logo = {
            "src": logo_src,
            "alt": clean_inline(e.logo_alt) or name,
            "width": width,
            "height": height,
        }
    url = safe_url(p.url)
    archive = safe_url(p.archive_url) or url
    return {
        "name": name,
        "publisher_name": clean_inline(p.name),
        "address": p.postal_address,
        "url": url,
        "archive_url": archive,
        "site": _host(archive),
        "lang": p.language,
        "logo": logo,
        "font_family": e.font_family,
        "text_color": e.text_color,
        "muted_color": e.muted_color,
        "accent_color": e.accent_color,
        "background_color": e.background_color,
        "card_color": e.card_color,
        "dark_text_color": e.dark_text_color,
        "dark_accent_color": e.dark_accent_color,
        "dark_background_color": e.dark_background_color,
        "dark_card_color": e.dark_card_color,
    }


@dataclass(frozen=True)
class DigestView:
    """What the templates receive: the cards, the roundup lines (with each story's
    group heading, and how many stories the list leaves out) and the rest of the
    context, with every article value already cleaned."""

    cards: tuple[Card, ...]
    lines: tuple[Line, ...]
    context: dict[str, Any]
    brand_key: tuple[tuple[str, Any], ...]
    titles: Mapping[str, str] = field(default_factory=dict)
    left_out: int = 0


def digest_view(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
    subject: str | None = None,
    preheader: str | None = None,
    *,
    web: bool = False,
) -> DigestView:
    """Prepare the day's stories for the templates (see :func:`render_digest`).

    ``web``: the edition as a web page for everyone (the archive): no per-reader
    placeholders (the templates get ``archive`` true and empty ``ph`` values), no
    tracking parameters on links, and the roundup list whole."""
    by_id = {s.id: s for s in stories}
    featured, more = list(roundup.featured), list(roundup.more)
    link = _linker(settings, day, track=not web)
    cards = tuple(_card(by_id[i.story_id], link) for i in featured if i.story_id in by_id)
    lines = tuple(
        _line(i, by_id.get(i.story_id), link) for i in featured if i.story_id not in by_id
    )
    lines += tuple(_line(i, by_id.get(i.story_id), link) for i in more)
    brand, brand_key = _brand_of(settings)
    headlines = [c.headline for c in cards] + [ln.headline for ln in lines]
    e = settings.email
    # The list stops at its configured length; the rest are counted, and linked to the
    # publisher's site (the subject, preheader and greeting still count every story).
    left_out = 0
    if e.roundup_max_stories and len(lines) > e.roundup_max_stories and not web:
        left_out = len(lines) - e.roundup_max_stories
        lines = lines[: e.roundup_max_stories]
    ranked = [by_id[i.story_id] for i in (*featured, *more) if i.story_id in by_id]
    subj = (
        clean_inline(subject)
        if subject
        else digest_subject(headlines, day, brand["name"], e.subject)
    )
    pre = (
        clean_inline(preheader)
        if preheader
        else digest_preheader(
            headlines, cards[0].summary if cards else "", day, brand["name"], e.preheader
        )
    )
    url = brand["url"] or ""
    reason = e.reason or (
        f"You are receiving this email because you subscribed to the daily digest from "
        f"{brand['name']}{' at ' + url if url else ''}."
    )
    context = {
        "brand": brand,
        # SendGrid fills substitution tags in the subject too: article text in it must
        # not be able to form one (plain_text breaks "{%" and "{{").
        "subject": plain_text(shorten(subj, SUBJECT_LIMIT)),
        "preheader": shorten(pre, PREHEADER_LIMIT),
        "date_long": long_date(day),
        "count": len(headlines),
        "roundup_title": clean_inline(roundup.title),
        "reason": reason,
        "ph": _NO_READER if web else _PLACEHOLDER_VALUES,
        "archive": web,
    }
    return DigestView(
        cards=cards,
        lines=lines,
        context=context,
        brand_key=brand_key,
        titles=_group_titles(ranked, settings),
        left_out=left_out,
    )


# --- rendering ----------------------------------------------------------------


def _more(view: DigestView) -> dict[str, Any] | None:
    """The line that ends a roundup list cut short: "…and 12 more stories", and where
    to find them (the publisher's archive, else its site), or None when nothing is cut."""
    if not view.left_out:
        return None
    brand = view.context["brand"]
    return {
        "count": view.left_out,
        "text": f"…and {plural(view.left_out, 'more story', 'more stories')}",
        "url": brand["archive_url"],
        "site": brand["site"],
    }


def _render_templates(plan: DigestView, settings: Settings) -> tuple[str, str]:
    html_env, text_env = environments(template_dir(settings))
    context = {
        **plan.context,
        "cards": plan.cards,
        "lines": plan.lines,
        "groups": roundup_groups(plan.lines, plan.titles),
        "more": _more(plan),
    }
    try:
        mjml_source = html_env.get_template(HTML_TEMPLATE).render(context)
        text = text_env.get_template(TEXT_TEMPLATE).render(context)
    except TemplateError as exc:
        raise ConfigError(f"email template error: {exc}", path=str(template_dir(settings))) from exc
    return mjml_source, text


def render_view(view: DigestView, settings: Settings) -> tuple[str, str]:
    """The digest's HTML (minified when ``email.minify`` is on) and its text twin:
    Jinja2 (templates cached per folder), then MJML compiled for this render."""
    path = template_dir(settings)
    mjml_source, text = _render_templates(view, settings)
    try:
        html = compile_mjml(mjml_source)
    except MjmlError as exc:
        raise ConfigError(str(exc), path=str(path)) from exc
    return (minify_html(html) if settings.email.minify else html), text


_BRANDS: dict[tuple[int, int], tuple[object, object, dict[str, Any], tuple[Any, ...]]] = {}


def brand_values(settings: Settings) -> dict[str, Any]:
    """The brand the templates get as ``brand`` (name, links, colours), cleaned; for
    other pages in the publisher's colours (the archive's index)."""
    return dict(_brand_of(settings)[0])


def _brand_of(settings: Settings) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """The brand for the templates and a hashable copy of it, built once per
    configuration (its sections are frozen, so the same objects mean the same brand)."""
    key = (id(settings.email), id(settings.publisher))
    known = _BRANDS.get(key)
    if known is not None and known[0] is settings.email and known[1] is settings.publisher:
        return known[2], known[3]
    brand = _brand(settings)
    frozen = tuple(
        (k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in brand.items()
    )
    if len(_BRANDS) >= 32:
        _BRANDS.clear()
    # The sections are kept with the entry, so their ids cannot be reused while it lives.
    _BRANDS[key] = (settings.email, settings.publisher, brand, frozen)
    return brand, frozen


def digest_mjml(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
) -> str:
    """The MJML source of the digest (before compiling); for comparisons and debugging."""
    return _render_templates(digest_view(stories, roundup, settings, day), settings)[0]


def _cut_lines(view: DigestView, keep: int) -> DigestView:
    """``view`` with its first ``keep`` roundup lines, counting the rest as left out."""
    return replace(view, lines=view.lines[:keep], left_out=view.left_out + len(view.lines) - keep)


def render_digest(
    stories: Sequence[Story],
    roundup: Roundup,
    settings: Settings,
    day: date,
    *,
    subject: str | None = None,
    preheader: str | None = None,
) -> Digest:
    """Render the day's digest: the cards and lines of ``roundup``, in its order (an
    audience's own ranking is made before, in the roundup it is given).

    When the HTML would exceed ``email.max_html_bytes`` (Gmail clips it and hides
    the unsubscribe link), the lowest cards become one-liners until it fits.
    """
    plan = digest_view(stories, roundup, settings, day, subject, preheader)
    budget = settings.email.max_html_bytes

    def size_of(view: DigestView) -> tuple[int, str, str]:
        html, text = render_view(view, settings)
        return (len(html) if html.isascii() else len(html.encode("utf-8"))), html, text

    while True:
        size, html, text = size_of(plan)
        if size <= budget or not plan.cards:
            break
        last = plan.cards[-1]
        log.warning(
            "digest is %d bytes, over the %d byte budget: listing %r as one line",
            size,
            budget,
            last.headline,
        )
        plan = replace(
            plan,
            cards=plan.cards[:-1],
            lines=(Line(last.story_id, last.headline, last.url), *plan.lines),
        )
    if size > budget and plan.lines:
        # Still too big with every story on one line: keep as many lines as fit (found by
        # halving, a few renders for a thousand lines) and say how many were left out.
        fits, low, high = None, 0, len(plan.lines) - 1
        while low <= high:
            keep = (low + high) // 2
            view = _cut_lines(plan, keep)
            trial = size_of(view)
            if trial[0] <= budget:
                fits, low = (view, trial), keep + 1
            else:
                high = keep - 1
        if fits is not None:
            log.warning(
                "digest is %d bytes, over the %d byte budget: %d of %d roundup lines left out",
                size,
                budget,
                len(plan.lines) - len(fits[0].lines),
                len(plan.lines),
            )
            plan, (size, html, text) = fits
    story_ids = tuple(c.story_id for c in plan.cards) + tuple(ln.story_id for ln in plan.lines)
    if log.isEnabledFor(logging.INFO):
        log.info(
            "rendered digest %s: %d stories, %d cards, html %d bytes, text %d bytes",
            day.isoformat(),
            len(story_ids),
            len(plan.cards),
            size,
            len(text.encode("utf-8")),
        )
    return Digest(
        day=day,
        subject=plan.context["subject"],
        preheader=plan.context["preheader"],
        html=html,
        text=text,
        story_ids=story_ids,
    )
