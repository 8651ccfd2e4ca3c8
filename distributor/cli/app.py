"""The command line: the only module that prints or exits.

Exit codes: 0 ok, 1 a delivery or step failed, 2 bad usage or configuration.
Every command that reports data takes ``--json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from distributor import __version__, settings
from distributor.errors import ConfigError, DistributorError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Failed(click.ClickException):
    """A step or delivery failed: exit 1 with one clear message."""

    exit_code = EXIT_FAILED


class BadConfig(click.ClickException):
    exit_code = EXIT_USAGE


def boundary(fn: F) -> F:
    """Turn startup and run errors into one clear message and the right exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            raise BadConfig(str(exc)) from exc
        except DistributorError as exc:
            raise Failed(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def load_settings(ctx: click.Context) -> settings.Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = settings.load(obj.get("config"))
    result: settings.Settings = obj["settings"]
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    envvar=settings.CONFIG_ENV,
    help="Configuration file (default: config/distributor.toml, or $DISTRIBUTOR_CONFIG).",
)
@click.version_option(__version__, prog_name="distributor")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Turn new articles into an email digest, social threads and a roundup,
    and deliver each on its channel's schedule, exactly once.

    \b
    Example:
      distributor run                 # ingest, compose and deliver what is due
      distributor preview digest --out out/preview
    """
    ctx.ensure_object(dict)["config"] = config_path


@main.group()
def preview() -> None:
    """Preview what would be sent, without sending anything.

    \b
    Example:
      distributor preview digest --out out/preview --screenshot
    """
