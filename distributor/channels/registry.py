"""Channels are found through the ``distributor.channels`` entry-point group.

Built-ins are registered in pyproject.toml exactly as a third-party package would
register its own, so there is one way in.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from distributor.channels.base import Channel
from distributor.errors import ConfigError

GROUP = "distributor.channels"


def available() -> dict[str, type[Channel]]:
    """Every registered channel, each module imported."""
    return {ep.name: _load(ep) for ep in entry_points(group=GROUP)}


def get(name: str) -> type[Channel]:
    """The channel registered as ``name``. Only its own module is imported: a worker
    that sends the digest alone does not start by loading every social network's
    client library (most of a second)."""
    named = list(entry_points(group=GROUP, name=name))
    if named:
        return _load(named[-1])  # as in available(): the last registration wins
    channels = available()
    try:
        return channels[name]
    except KeyError:
        known = ", ".join(sorted(channels)) or "none installed"
        raise ConfigError(f"no channel named {name!r}; available: {known}") from None


def _load(ep: EntryPoint) -> type[Channel]:
    cls = ep.load()
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        raise ConfigError(f"entry point {ep.name!r} in {GROUP} is not a Channel: {ep.value}")
    return cls
