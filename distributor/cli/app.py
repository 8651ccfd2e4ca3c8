"""The command line: the only module that prints or exits.

Exit codes: 0 ok, 1 a delivery or step failed, 2 bad usage or configuration.
Every command that reports data takes ``--json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
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
        except Exception as exc:
            # SQLAlchemy is imported only by commands that use a database (start-up stays
            # fast), so its errors are recognised here without importing it.
            if not type(exc).__module__.startswith("sqlalchemy"):
                raise
            # One line, not a traceback: the database is an operator's problem to fix.
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise Failed(
                f"database error: {reason}. Check database.url in the configuration "
                "and that the database is reachable."
            ) from exc

    return wrapper  # type: ignore[return-value]


# Control characters (C0 but tab and newline, DEL, C1, which holds the terminal's escape
# sequences) and the direction overrides that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Article text as a terminal may show it: an article can never move the cursor,
    retitle the window or rewrite what the editor sees."""
    return _UNPRINTABLE.sub("", text) if _UNPRINTABLE.search(text) else text


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 post", "2 posts" (``many`` for the irregular: "1 story", "2 stories")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def echo(text: str = "", *, err: bool = False) -> None:
    """``click.echo`` for human output that carries article text."""
    click.echo(printable(text), err=err)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def load_settings(ctx: click.Context) -> settings.Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = settings.load(obj.get("config"))
    result: settings.Settings = obj["settings"]
    return result


# Options several commands share, defined once so they read the same everywhere.
DAY_OPTION = click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day, YYYY-MM-DD (default: today in the publisher's time zone).",
)
SOURCE_PATHS_OPTION = click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Article file or directory (repeatable; default: ingest.sources).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


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


@main.group(invoke_without_command=True)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH_OR_URL",
    help="Read this file, folder, feed file or feed URL instead of the configured sources "
    "(repeatable).",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the preview (default: <output.dir>/preview).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def preview(
    ctx: click.Context, sources: tuple[str, ...], out_dir: Path | None, as_json: bool
) -> None:
    """Preview what would be sent, without sending or storing anything.

    Without a subcommand: read the sources, extract and compose every story as if
    it were new today, and write the digest, threads and roundup under --out.

    \b
    Examples:
      distributor preview --source examples/articles
      distributor preview digest --out out/preview --screenshot
    """
    if ctx.invoked_subcommand is None:
        from distributor.cli.day_preview import preview_day

        boundary(preview_day)(ctx, sources, out_dir, as_json)
