"""Channels are found through the ``distributor.channels`` entry-point group.

Built-ins are registered in pyproject.toml exactly as a third-party package would
register its own, so there is one way in.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from distributor.channels.base import Channel
from distributor.errors import ConfigError

GROUP = "distributor.channels"


def available() -> dict[str, type[Channel]]:
    found: dict[str, type[Channel]] = {}
    for ep in entry_points(group=GROUP):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            raise ConfigError(f"entry point {ep.name!r} in {GROUP} is not a Channel: {ep.value}")
        found[ep.name] = cls
    return found


def get(name: str) -> type[Channel]:
    channels = available()
    try:
        return channels[name]
    except KeyError:
        known = ", ".join(sorted(channels)) or "none installed"
        raise ConfigError(f"no channel named {name!r}; available: {known}") from None
