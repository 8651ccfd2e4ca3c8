"""Fetch a feed over HTTP: a time limit, a size cap, and conditional GET.

Every failure becomes a :class:`SourceError` naming the URL, so one unreachable feed
is a line in the report rather than the end of the run.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
import urllib3

from distributor.errors import SourceError
from distributor.settings import IngestSettings

_CHUNK = 64 * 1024
FEED_ACCEPT = (
    "application/feed+json, application/rss+xml, application/atom+xml, "
    "application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response worth parsing, or ``not_modified`` (304) with no body."""

    url: str
    data: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


def is_url(spec: str) -> bool:
    return spec.lower().startswith(("http://", "https://"))


def fetch(
    url: str,
    settings: IngestSettings,
    validators: tuple[str | None, str | None] = (None, None),
) -> Fetched:
    """GET ``url`` with the validators from the last fetch; raises SourceError on failure.

    The whole fetch (connecting, the headers, the body) is bounded by
    ``ingest.timeout_seconds``: the socket timeouts bound each read, and a server that
    trickles its headers a byte at a time is left behind on a daemon thread, so the
    run goes on."""
    outcome: list[Fetched | BaseException] = []
    finished = threading.Event()

    def work() -> None:
        try:
            outcome.append(_fetch(url, settings, validators))
        except BaseException as exc:
            outcome.append(exc)
        finally:
            finished.set()

    threading.Thread(target=work, name="distributor-fetch", daemon=True).start()
    # A little past the limit: the body loop's own deadline reports a slow body first.
    if not finished.wait(settings.timeout_seconds + 0.5):
        raise _timed_out(url, settings)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _fetch(
    url: str,
    settings: IngestSettings,
    validators: tuple[str | None, str | None],
) -> Fetched:
    etag, modified = validators
    headers = {"User-Agent": settings.user_agent, "Accept": FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    limit = settings.timeout_seconds
    deadline = time.monotonic() + limit
    try:
        with requests.get(
            url, headers=headers, timeout=(limit, limit), stream=True, allow_redirects=True
        ) as response:
            if response.status_code == 304:
                return Fetched(url, b"", None, etag, modified, not_modified=True)
            if response.status_code >= 400:
                reason = response.reason or "error"
                raise SourceError(url, f"the server answered HTTP {response.status_code} {reason}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > settings.max_bytes:
                raise _too_big(url, settings)
            body = bytearray()
            # read1 returns whatever has arrived, so the deadline is checked as bytes come.
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > settings.max_bytes:
                    raise _too_big(url, settings)
                # The read timeout is per chunk; a server trickling bytes is stopped here.
                if time.monotonic() > deadline:
                    raise _timed_out(url, settings)
            return Fetched(
                # Where the feed was in the end, after redirects: its relative links
                # are relative to that.
                response.url or url,
                bytes(body),
                response.headers.get("Content-Type"),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
        raise _timed_out(url, settings) from exc
    except requests.TooManyRedirects as exc:
        raise SourceError(url, "too many redirects; check the feed URL") from exc
    except requests.ConnectionError as exc:
        raise SourceError(url, f"cannot connect: {_root_cause(exc)}") from exc
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise SourceError(url, f"the request failed: {_root_cause(exc)}") from exc


def _too_big(url: str, settings: IngestSettings) -> SourceError:
    return SourceError(
        url,
        f"the feed is larger than ingest.max_bytes ({settings.max_bytes} bytes); "
        "raise the limit if the feed is genuine",
    )


def _timed_out(url: str, settings: IngestSettings) -> SourceError:
    return SourceError(
        url,
        f"no complete answer within {settings.timeout_seconds:g} s "
        "(ingest.timeout_seconds); the server may be down or slow",
    )


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
