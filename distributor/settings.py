"""Configuration: one TOML file, validated against typed sections at load time.

Each section is a frozen dataclass; field docs live in ``config/distributor.example.toml``
(a test fails when a key is missing there). Lookup order for the file itself: the
``--config`` option, then ``DISTRIBUTOR_CONFIG``, then ``config/distributor.toml``.
Secrets never live in the file: a section names the environment variable, and
:func:`secret` reads it when the value is needed.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import logging
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from distributor.errors import ConfigError, MissingSecretError

DEFAULT_CONFIG = Path("config/distributor.toml")
CONFIG_ENV = "DISTRIBUTOR_CONFIG"

T = TypeVar("T")


@dataclass(frozen=True)
class PublisherSettings:
    name: str = "Government News Daily"
    url: str = "https://news.example.org"
    postal_address: str = "1 Example Street, London SW1A 1AA, United Kingdom"
    timezone: str = "Europe/London"
    language: str = "en-GB"
    archive_url: str = ""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {self.timezone!r}; use an IANA name such as 'Europe/London'"
            ) from exc


@dataclass(frozen=True)
class IngestSettings:
    sources: tuple[str, ...] = ("examples/articles",)
    timeout_seconds: float = 20.0
    max_bytes: int = 10_000_000
    user_agent: str = "distributor/0.1 (+https://news.example.org)"

    def __post_init__(self) -> None:
        if not 0 < self.timeout_seconds <= 3600:
            raise ValueError(
                f"timeout_seconds must be more than 0 and at most 3600, got {self.timeout_seconds}"
            )
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, got {self.max_bytes}")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///var/distributor.db"


@dataclass(frozen=True)
class QueueSettings:
    url: str = "sqlite:///var/queue.db"

    def __post_init__(self) -> None:
        problem = queue_url_problem(self.url)
        if problem:
            raise ValueError(f"url {problem}")


QUEUE_URLS = "sqlite:///path/to/queue.db (one machine) or redis://host:6379/0 (several)"


def queue_url_problem(url: str) -> str | None:
    """Why ``url`` cannot name the worker's queue, or None when it can. The URL itself is
    never repeated: a redis URL may carry a password."""
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError:
        return f"must be {QUEUE_URLS}; the URL given does not parse (check its port)"
    if parts.scheme == "sqlite" and url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return None
    if parts.scheme in ("redis", "rediss") and parts.hostname and (port is None or port > 0):
        return None
    return f"must be {QUEUE_URLS}; got a URL with {parts.scheme or 'no scheme'!r}"


@dataclass(frozen=True)
class OutputSettings:
    dir: str = "out"


@dataclass(frozen=True)
class DeliverySettings:
    channels: tuple[str, ...] = ("files",)


@dataclass(frozen=True)
class EmailSettings:
    """The digest's brand, size budget, link tracking and the day's ranking."""

    brand_name: str = ""
    logo_url: str = ""
    logo_alt: str = ""
    logo_width: int = 160
    logo_height: int = 40
    text_color: str = "#1a1a1a"
    muted_color: str = "#5c5c5c"
    accent_color: str = "#0b57a4"
    background_color: str = "#f2f3f5"
    card_color: str = "#ffffff"
    dark_text_color: str = "#e8e8e8"
    dark_accent_color: str = "#8cc4ff"
    dark_background_color: str = "#121212"
    dark_card_color: str = "#1e1e1e"
    font_family: str = "Helvetica, Arial, sans-serif"
    featured_count: int = 8
    utm_enabled: bool = True
    utm_source: str = "newsletter"
    utm_medium: str = "email"
    templates: str = ""
    subject: str = ""
    preheader: str = ""
    reason: str = ""
    max_html_bytes: int = 102_000
    minify: bool = True
    roundup_title: str = "More of Today's Top Breaking Government News"
    roundup_group: Literal["source", "topic", "none"] = "source"
    source_names: dict[str, str] = field(default_factory=dict)
    roundup_max_stories: int = 25
    source_weights: dict[str, float] = field(default_factory=dict)
    topic_weights: dict[str, float] = field(default_factory=dict)
    recency_weight: float = 1.0
    recency_half_life_hours: float = 12.0
    figures_bonus: float = 0.25
    quote_bonus: float = 0.25

    def __post_init__(self) -> None:
        for name in (
            "text_color",
            "muted_color",
            "accent_color",
            "background_color",
            "card_color",
            "dark_text_color",
            "dark_accent_color",
            "dark_background_color",
            "dark_card_color",
        ):
            value = getattr(self, name)
            if not re.fullmatch(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?", value):
                raise ValueError(f"{name} must be a hex colour such as '#1a1a1a', got {value!r}")
        # Colours and fonts go into CSS and MJML attributes unescaped: allow only what they need.
        if not re.fullmatch(r"[A-Za-z0-9 ,'\-]+", self.font_family):
            raise ValueError(
                "font_family may contain only letters, digits, spaces, commas, quotes and "
                f"hyphens, got {self.font_family!r}"
            )
        if self.featured_count < 0 or self.max_html_bytes <= 0:
            raise ValueError("featured_count must be >= 0 and max_html_bytes > 0")
        if self.roundup_max_stories < 0:
            raise ValueError(
                f"roundup_max_stories must be 0 (no limit) or more, got {self.roundup_max_stories}"
            )
        if self.logo_width <= 0 or self.logo_height <= 0:
            raise ValueError("logo_width and logo_height must be positive pixel sizes")
        if self.recency_half_life_hours <= 0:
            raise ValueError("recency_half_life_hours must be positive")


SOCIAL_NETWORKS = ("x", "bluesky", "mastodon")


@dataclass(frozen=True)
class SocialSettings:
    """Threads and the roundup post on X, Bluesky and Mastodon."""

    networks: tuple[str, ...] = SOCIAL_NETWORKS
    max_posts_per_thread: int = 5
    numbering: bool = False
    hashtags: tuple[str, ...] = ()
    min_confidence: float = 0.6
    max_figures: int = 3
    lede: bool = True
    """Post the article's lede after the headline when it says more than the headline."""
    quote_max_posts: int = 2
    closing: str = ""
    roundup_title: str = ""
    """The roundup post's first line; empty: the same as ``[email] roundup_title``."""
    roundup_max_posts: int = 3
    posts_per_day: dict[str, int] = field(default_factory=dict)
    posts_per_month: dict[str, int] = field(default_factory=dict)
    link_post_cost: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for network in (
            *self.networks,
            *self.posts_per_day,
            *self.posts_per_month,
            *self.link_post_cost,
        ):
            if network not in SOCIAL_NETWORKS:
                raise ValueError(
                    f"unknown network {network!r}; expected one of {', '.join(SOCIAL_NETWORKS)}"
                )
        if self.max_posts_per_thread < 1 or self.roundup_max_posts < 1:
            raise ValueError("max_posts_per_thread and roundup_max_posts must be at least 1")
        if not 1 <= self.quote_max_posts <= self.max_posts_per_thread:
            raise ValueError("quote_max_posts must be between 1 and max_posts_per_thread")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")
        if self.max_figures < 0:
            raise ValueError("max_figures must be 0 or more")
        for tag in self.hashtags:
            if not re.fullmatch(r"#?\w+", tag):
                raise ValueError(
                    f"hashtags are letters, digits and underscores (a leading # is optional), "
                    f"got {tag!r}"
                )
        for name, table in (
            ("posts_per_day", self.posts_per_day),
            ("posts_per_month", self.posts_per_month),
        ):
            for network, n in table.items():
                if n < 0:
                    raise ValueError(f"{name}.{network} must be 0 (no limit) or more, got {n}")
        for network, n in self.link_post_cost.items():
            if n < 1:
                raise ValueError(f"link_post_cost.{network} must be at least 1, got {n}")


_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_APPROVABLE = frozenset({"digest", "thread_post", "roundup", "preview"})


def _is_cron(value: str) -> bool:
    """A standard five-field cron expression (minute hour day month weekday)."""
    from croniter import croniter

    return len(value.split()) == 5 and bool(croniter.is_valid(value))


@dataclass(frozen=True)
class ScheduleSettings:
    """When each kind of delivery goes, and how the outbox retries and recovers.

    Times are wall-clock ``HH:MM`` in ``timezone`` (empty: the publisher's), so 07:00
    stays 07:00 across daylight-saving changes.
    """

    timezone: str = ""
    digest_at: str = "07:00"
    threads_start: str = "08:00"
    threads_end: str = "20:00"
    thread_gap_minutes: int = 30
    roundup_at: str = "18:00"
    channel_times: dict[str, str] = field(default_factory=dict)
    require_approval: tuple[str, ...] = ()
    max_attempts: int = 10
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    claim_timeout_seconds: float = 600.0
    stale_claim_policy: Literal["uncertain", "release"] = "uncertain"
    stale_after_minutes: int = 180
    poll_seconds: float = 30.0
    plan_minutes: float = 15.0
    late_threads: Literal["next_window", "drop"] = "next_window"
    claim_batch: int = 20

    def __post_init__(self) -> None:
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(
                    f"unknown time zone {self.timezone!r}; use an IANA name such as "
                    "'Europe/London', or leave it empty for the publisher's"
                ) from exc
        for name in ("digest_at", "threads_start", "threads_end", "roundup_at"):
            value = getattr(self, name)
            if not _HHMM.fullmatch(value):
                raise ValueError(f"{name} must be a 24-hour time such as '07:00', got {value!r}")
        for channel, value in self.channel_times.items():
            if not _HHMM.fullmatch(value) and not _is_cron(value):
                raise ValueError(
                    f"schedule.channel_times.{channel} must be a 24-hour time such as '06:30' "
                    f"or a five-field cron expression such as '0 7 * * 1-5', got {value!r}"
                )
        if self.threads_end <= self.threads_start:
            raise ValueError(
                f"threads_end ({self.threads_end}) must be later than threads_start "
                f"({self.threads_start}) on the same day"
            )
        for item in self.require_approval:
            if not item or not re.fullmatch(r"[a-z0-9_\-]+", item):
                raise ValueError(
                    f"require_approval holds kinds ({', '.join(sorted(_APPROVABLE))}) or "
                    f"channel names, got {item!r}"
                )
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.thread_gap_minutes < 0 or self.stale_after_minutes < 0:
            raise ValueError("thread_gap_minutes and stale_after_minutes must be >= 0")
        if self.backoff_base_seconds <= 0 or self.backoff_cap_seconds < self.backoff_base_seconds:
            raise ValueError(
                "backoff_base_seconds must be positive and backoff_cap_seconds at least as large"
            )
        if not 0 <= self.plan_minutes <= 1440:
            raise ValueError(f"plan_minutes must be between 0 and 1440, got {self.plan_minutes}")
        if self.claim_timeout_seconds <= 0 or self.poll_seconds <= 0 or self.claim_batch < 1:
            raise ValueError(
                "claim_timeout_seconds and poll_seconds must be positive, claim_batch at least 1"
            )


# A URL the program hands out or is reached at: http(s), no query, fragment or '&' (a
# reader's link value is appended as "?u=...").
_PUBLIC_URL = re.compile(r"https?://[^\s<>\"'?#&]+")

LINK_SECRET_MIN = 32
"""Characters in the key that signs readers' links: enough that nobody can guess it."""
LINK_DAYS_MIN = 60


@dataclass(frozen=True)
class SubscribersSettings:
    """Who gets the digest, how it is split into provider requests, and the links in it."""

    unsubscribe_url: str = "https://news.example.org/unsubscribe"
    preferences_url: str = "https://news.example.org/preferences"
    link_secret_env: str = "DISTRIBUTOR_LINK_SECRET"  # noqa: S105 (a variable name)
    previous_link_secrets_env: str = "DISTRIBUTOR_LINK_SECRETS_PREVIOUS"
    link_days: int = 90
    batch_size: int = 1000
    sync_suppressions: bool = True
    topics: tuple[str, ...] = ()
    soft_bounce_limit: int = 3
    """Pause a reader once this many digests to them soft-bounced within
    ``soft_bounce_days`` (0: never)."""
    soft_bounce_days: int = 14

    def __post_init__(self) -> None:
        for topic in self.topics:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", topic):
                raise ValueError(
                    f"topics holds article tags in lower case, such as 'health', got {topic!r}"
                )
        for name in ("unsubscribe_url", "preferences_url"):
            value = getattr(self, name)
            if not _PUBLIC_URL.fullmatch(value):
                raise ValueError(
                    f"{name} must be an http(s) URL without a query, fragment or '&', such as "
                    f"'https://news.example.org/unsubscribe', got {value!r}"
                )
        if not 1 <= self.batch_size <= 1000:
            raise ValueError(
                f"batch_size must be between 1 and 1000 (SendGrid's limit of "
                f"personalizations per request), got {self.batch_size}"
            )
        for name in ("link_secret_env", "previous_link_secrets_env"):
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", getattr(self, name)):
                raise ValueError(
                    f"{name} must name an environment variable such as "
                    f"'DISTRIBUTOR_LINK_SECRET', got {getattr(self, name)!r}"
                )
        if not LINK_DAYS_MIN <= self.link_days <= 3650:
            raise ValueError(
                f"link_days must be between {LINK_DAYS_MIN} (an unsubscribe link must keep "
                f"working at least that long after its email) and 3650, got {self.link_days}"
            )
        if self.soft_bounce_limit < 0:
            raise ValueError(
                f"soft_bounce_limit must be 0 (never pause) or more, got {self.soft_bounce_limit}"
            )
        if not 1 <= self.soft_bounce_days <= 365:
            raise ValueError(
                f"soft_bounce_days must be between 1 and 365, got {self.soft_bounce_days}"
            )


@dataclass(frozen=True)
class SignupSettings:
    """The sign-up form of ``distributor serve`` (``/subscribe``) and its confirmation
    link (``/confirm``): double opt-in, with limits against bots."""

    enabled: bool = False
    confirm_days: int = 7
    """Days a confirmation link works after it was sent."""
    check_deliverability: bool = False
    """Also ask DNS whether the address's domain takes mail (a lookup per sign-up)."""
    blocked_domains: tuple[str, ...] = ()
    ip_limit: int = 10
    """Sign-up posts one client address may make per ``limit_minutes`` (0: no limit)."""
    address_limit: int = 3
    """Confirmation emails one address may be sent per ``limit_minutes`` (0: no limit)."""
    limit_minutes: int = 60
    record_ip: Literal["none", "network", "full"] = "network"
    """What a consent record keeps of the client's IP address."""

    def __post_init__(self) -> None:
        if not 1 <= self.confirm_days <= 30:
            raise ValueError(f"confirm_days must be between 1 and 30, got {self.confirm_days}")
        for domain in self.blocked_domains:
            if not re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?:\.(?!-)[a-z0-9-]{1,63})*", domain):
                raise ValueError(
                    "blocked_domains holds domains in lower case, such as 'mailinator.com', "
                    f"got {domain!r}"
                )
        if self.ip_limit < 0 or self.address_limit < 0:
            raise ValueError("ip_limit and address_limit must be 0 (no limit) or more")
        if not 1 <= self.limit_minutes <= 1440:
            raise ValueError(f"limit_minutes must be between 1 and 1440, got {self.limit_minutes}")


@dataclass(frozen=True)
class WebSettings:
    """``distributor serve``: the one web app for readers' links and provider webhooks.

    The readers' links keep their own full URLs in ``[subscribers]``; ``base_url`` is
    where the app itself is reached from outside, and the webhooks hang under it.
    """

    base_url: str = "https://news.example.org"
    host: str = "127.0.0.1"
    port: int = 8025
    trusted_proxy: str = ""
    """The address of the reverse proxy whose X-Forwarded-For names the client."""

    def __post_init__(self) -> None:
        if not _PUBLIC_URL.fullmatch(self.base_url):
            raise ValueError(
                "base_url must be an http(s) URL without a query or fragment, such as "
                f"'https://news.example.org', got {self.base_url!r}"
            )
        if not self.host or any(ch.isspace() for ch in self.host):
            raise ValueError(f"host must be an address to listen on, got {self.host!r}")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port must be between 1 and 65535, got {self.port}")
        if self.trusted_proxy and not _is_ip(self.trusted_proxy):
            raise ValueError(
                "trusted_proxy must be the IP address of your reverse proxy, such as "
                f"'127.0.0.1', or empty, got {self.trusted_proxy!r}"
            )


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ArchiveSettings:
    """The web archive: every edition that went out as a page, an index and a feed."""

    dir: str = "archive"
    """Where the pages are written: a relative path is under ``[output] dir``; empty:
    no archive."""


@dataclass(frozen=True)
class Settings:
    publisher: PublisherSettings = field(default_factory=PublisherSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)

    email: EmailSettings = field(default_factory=EmailSettings)
    social: SocialSettings = field(default_factory=SocialSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    subscribers: SubscribersSettings = field(default_factory=SubscribersSettings)
    web: WebSettings = field(default_factory=WebSettings)
    signup: SignupSettings = field(default_factory=SignupSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    # Per-channel options stay raw here; each channel validates its own section with
    # :func:`build_section` against the options class it declares.
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str = "<defaults>"
    base_dir: Path = Path(".")

    def resolve(self, value: str) -> Path:
        """A path from the config, relative to the directory the config was run from."""
        p = Path(value)
        return p if p.is_absolute() else self.base_dir / p


# Settings fields that are not plain keys of the file.
_NOT_FROM_FILE = frozenset({"channels", "path", "base_dir"})


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else DEFAULT_CONFIG


def load(path: str | os.PathLike[str] | None = None, *, required: bool = False) -> Settings:
    """Read and validate the configuration file.

    A missing default file gives the embedded defaults; a file named explicitly (or by
    the environment) must exist.
    """
    explicit = path is not None or CONFIG_ENV in os.environ
    cfg = config_path(path)
    if not cfg.exists():
        if explicit or required:
            raise ConfigError(
                "configuration file not found; copy config/distributor.example.toml "
                "and edit it, or leave out --config to use the defaults",
                path=str(cfg),
            )
        return Settings(base_dir=Path.cwd())
    try:
        raw = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(cfg)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(cfg)) from exc
    return from_mapping(raw, path=str(cfg), base_dir=Path.cwd())


def from_mapping(
    raw: dict[str, Any], *, path: str = "<config>", base_dir: Path = Path(".")
) -> Settings:
    data = dict(raw)
    channels = data.pop("channels", {})
    if not isinstance(channels, dict) or not all(isinstance(v, dict) for v in channels.values()):
        raise ConfigError("expected tables such as [channels.x]", path=path, key="channels")
    settings = build_section(Settings, data, path=path, prefix="", skip=_NOT_FROM_FILE)
    return dataclasses.replace(settings, channels=channels, path=path, base_dir=base_dir)


# Keys that changed name, so an old configuration gets one line saying what to write.
RENAMED = {
    # Two settings were called batch_size: this one is how many deliveries a worker
    # claims at a time; [subscribers] batch_size stays the recipients per request.
    "schedule.batch_size": "schedule.claim_batch",
}


def build_section(
    cls: type[T],
    raw: dict[str, Any],
    *,
    path: str,
    prefix: str,
    skip: frozenset[str] | set[str] = frozenset(),
) -> T:
    """Validate ``raw`` against the dataclass ``cls``; errors name the file and key."""
    if not isinstance(raw, dict):
        raise ConfigError(f"expected a table, got {_kind(raw)}", path=path, key=prefix or None)
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)} - set(skip)  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if dotted in RENAMED:
            raise ConfigError(f"was renamed: write {RENAMED[dotted]}", path=path, key=dotted)
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"unknown key{hint} Known keys here: {', '.join(sorted(known))}",
                path=path,
                key=dotted,
            )
        values[key] = _coerce(value, hints[key], path=path, key=dotted)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        # "timeout_seconds must be …" names its field: report it as "ingest.timeout_seconds".
        message = str(exc)
        field_name = message.split(" ", 1)[0]
        if field_name in hints and message.split(" ", 2)[1:2] == ["must"]:
            key = f"{prefix}.{field_name}" if prefix else field_name
            raise ConfigError(message.split(" ", 1)[1], path=path, key=key) from exc
        raise ConfigError(message, path=path, key=prefix or None) from exc


def _kind(value: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _coerce(value: Any, hint: Any, *, path: str, key: str) -> Any:
    origin = get_origin(hint)
    args = get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return build_section(hint, value, path=path, prefix=key)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], path=path, key=key)
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"expected one of {choices}, got {value!r}", path=path, key=key)
        return value
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise ConfigError(f"expected an array, got {_kind(value)}", path=path, key=key)
        item = args[0] if args else Any
        items = [_coerce(v, item, path=path, key=f"{key}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"expected a table, got {_kind(value)}", path=path, key=key)
        vt = args[1] if args else Any
        return {k: _coerce(v, vt, path=path, key=f"{key}.{k}") for k, v in value.items()}
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, float) and not math.isfinite(value):
        # TOML allows nan and inf; no setting here means anything by them.
        raise ConfigError(f"expected a finite number, got {value!r}", path=path, key=key)
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"expected true or false, got {value!r}", path=path, key=key)
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"expected a whole number, got {value!r}", path=path, key=key)
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ConfigError(
            f"expected {hint.__name__}, got {_kind(value)} {value!r}", path=path, key=key
        )
    return value


def secret(env_var: str, purpose: str) -> str:
    """Read a secret from the environment. The value is never logged or stored: from here
    on every log record, whichever library writes it, has it (and its URL-encoded form)
    replaced by ``[redacted]``."""
    value = os.environ.get(env_var, "").strip()
    if not value:
        raise MissingSecretError(env_var, purpose)
    _redact(value)
    return value


_SECRETS: set[str] = set()
_REDACTED = "[redacted]"


def _redact(value: str) -> None:
    # Short values (a test's "k") would blank ordinary words; real keys are long.
    if len(value) < 6:
        return
    forms = {value, quote(value, safe=""), quote(value, safe="/")}
    if forms <= _SECRETS:
        return
    _SECRETS.update(forms)
    _install_redaction()


def redacted(text: str) -> str:
    """``text`` with every secret read so far replaced."""
    for value in sorted(_SECRETS, key=len, reverse=True):
        if value in text:
            text = text.replace(value, _REDACTED)
    return text


_installed = False


def _install_redaction() -> None:
    """Wrap the log record factory once, so records of every logger (oauthlib's, urllib3's,
    ours) are redacted when made, before any handler or formatter sees them."""
    global _installed
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        clean = redacted(message)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)


def section_keys(cls: type[Any], prefix: str = "") -> list[str]:
    """Every dotted key a section accepts; used to check the example file documents them."""
    keys: list[str] = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if cls is Settings and f.name in _NOT_FROM_FILE:
            continue
        dotted = f"{prefix}.{f.name}" if prefix else f.name
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            keys.extend(section_keys(hint, dotted))
        else:
            keys.append(dotted)
    return keys
