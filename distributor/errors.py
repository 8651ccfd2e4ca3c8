"""The exception tree. Every error a user can see says where and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DistributorError(Exception):
    """Base of every error distributor raises on purpose."""


class ConfigError(DistributorError):
    """Bad configuration: names the file, the key and what is expected."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        where = ""
        if path and key:
            where = f"{path}: {key}: "
        elif path:
            where = f"{path}: "
        elif key:
            where = f"{key}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.key = key


class MissingSecretError(ConfigError):
    """A secret that must come from the environment is not set. Never carries its value."""

    def __init__(self, env_var: str, purpose: str) -> None:
        super().__init__(
            f"the environment variable {env_var} is not set; it holds {purpose}. "
            f"Export it before running (it is never read from a file)."
        )
        self.env_var = env_var


class SourceError(DistributorError):
    """A feed or article file could not be read or parsed. Names the source."""

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.reason = reason
        self.line = line


class PayloadError(DistributorError):
    """A delivery lacks a field its kind needs (in its stored payload, mostly), or holds
    one of the wrong type. Found before any request is made, so the delivery fails
    (sending it again would fail the same way) and the rest of the round goes on. Names
    the delivery and the field."""

    def __init__(self, delivery: str, field: str, message: str) -> None:
        super().__init__(f"{delivery}: {message}")
        self.delivery = delivery
        self.field = field


class ChannelError(DistributorError):
    """A provider refused or failed a delivery.

    Carries the payload we sent and the provider's response, so an operator can see
    exactly what happened without re-running anything.
    """

    def __init__(
        self,
        message: str,
        *,
        channel: str = "",
        status: int | None = None,
        response: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        prefix = f"{channel}: " if channel else ""
        super().__init__(f"{prefix}{message}")
        self.channel = channel
        self.status = status
        self.response = response
        self.payload = payload


class Retryable(ChannelError):
    """429, 5xx or a failure before the request was sent: safe to try again later."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Permanent(ChannelError):
    """The provider rejected this content or request; sending it again will not help."""


class AuthError(Permanent):
    """401/403: the credentials are wrong; stops the run rather than each delivery."""


class Uncertain(ChannelError):
    """The request may have been applied (timeout after sending, reset mid-response).

    Never retried automatically: a double send is worse than a late one.
    """
