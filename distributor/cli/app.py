"""The command line: the only module that prints or exits.

Exit codes: 0 ok, 1 a delivery or step failed, 2 bad usage or configuration.
Every command that reports data takes ``--json``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import click
from click.core import ParameterSource

from distributor import __version__, progress, settings
from distributor.errors import ConfigError, DistributorError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Failed(click.ClickException):
    """A step or delivery failed: exit 1 with one clear message."""

    exit_code = EXIT_FAILED


class BadConfig(click.ClickException):
    exit_code = EXIT_USAGE


class TerminalProgress:
    """A long step's progress on stderr, for an operator at a terminal: one line,
    rewritten in place at most ten times a second ("reading news/ 1200/5000…") and
    cleared when the step is done, so nothing of it stays in what the command printed."""

    def __init__(self) -> None:
        self.showing = False
        self.shown_at = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and self.showing and now - self.shown_at < 0.1:
            return
        self._show(printable(f"{step} {done}/{total}…") if done < total else "")
        self.shown_at = now

    def close(self) -> None:
        if self.showing:
            self._show("")

    def _show(self, line: str) -> None:
        click.echo(f"\r\x1b[K{line}", err=True, nl=False)
        self.showing = bool(line)


@contextmanager
def progress_on_a_terminal() -> Iterator[None]:
    """Long steps report their progress when stderr is a terminal; under cron, in a pipe
    or into a log file they print nothing (and ``--json`` on stdout is never touched)."""
    if not sys.stderr.isatty():
        yield
        return
    watcher = TerminalProgress()
    try:
        with progress.watching(watcher):
            yield
    finally:
        watcher.close()


def boundary(fn: F) -> F:
    """Turn startup and run errors into one clear message and the right exit code, and
    show long steps' progress on a terminal."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with progress_on_a_terminal():
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


def echo(text: str = "", *, err: bool = False) -> None:
    """``click.echo`` for human output that carries article text."""
    click.echo(printable(text), err=err)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def load_settings(ctx: click.Context) -> settings.Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = settings.load(shared_value(ctx, "config_path"))
    result: settings.Settings = obj["settings"]
    return result


# Options a group shares with the commands below it. `distributor --config x.toml plan`
# and `distributor plan --config x.toml` mean the same, and so do `preview --json thread`
# and `preview thread --json`: the value given nearest the command wins.
_SHARED = "distributor.shared_options"


class _Given(NamedTuple):
    value: Any
    source: ParameterSource
    flag: str


class SharedOption(click.Option):
    """An option that may be given to a group or to a command below it.

    A command's own value wins; without one, the command takes what was given to a
    group above it. With ``everywhere``, every command below the group takes the
    option (``--config``); otherwise only commands that declare it do (``--json``),
    and a command that does not is refused the value given to its group.
    """

    def __init__(
        self, param_decls: Sequence[str], *, everywhere: bool = False, **attrs: Any
    ) -> None:
        super().__init__(param_decls, **attrs)
        self.everywhere = everywhere
        self._decls, self._attrs = param_decls, attrs

    def for_command(self) -> SharedOption:
        """This option on a command below the group: the group alone reads the
        environment, and the value is read with :func:`shared_value`."""
        attrs = self._attrs | {"envvar": None, "expose_value": False}
        return SharedOption(self._decls, everywhere=True, **attrs)

    def consume_value(
        self, ctx: click.Context, opts: Mapping[str, Any]
    ) -> tuple[Any, ParameterSource]:
        value, source = super().consume_value(ctx, opts)
        given: dict[str, _Given] = ctx.meta.setdefault(_SHARED, {})
        if source is ParameterSource.DEFAULT:
            earlier = given.get(self.name or "")
            return (earlier.value, earlier.source) if earlier else (value, source)
        given[self.name or ""] = _Given(value, source, self.opts[0])
        return value, source


def shared_value(ctx: click.Context, name: str) -> Any:
    """The value of a shared option, wherever on the command line it was given."""
    given: dict[str, _Given] = ctx.meta.get(_SHARED, {})
    return given[name].value if name in given else None


def _share(group: click.Group, cmd: click.Command) -> None:
    names = {p.name for p in cmd.params}
    for param in group.params:
        if isinstance(param, SharedOption) and param.everywhere and param.name not in names:
            cmd.params.append(param.for_command())
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _share(cmd, sub)


class Group(click.Group):
    """A group whose commands take its shared options after their own name too."""

    group_class = type  # the groups below it are of this class too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(cmd, name)
        _share(self, cmd)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None and not isinstance(cmd, click.Group):
            takes = {p.name for p in cmd.params}
            for key, given in ctx.meta.get(_SHARED, {}).items():
                if key not in takes:
                    raise click.UsageError(f"{name} does not take {given.flag}", ctx)
        return name, cmd, rest


def shared_option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    return click.option(*decls, cls=SharedOption, **attrs)


def json_option(help: str = "Print JSON instead of text.") -> Callable[[F], F]:
    return shared_option("--json", "as_json", is_flag=True, help=help)


# Options several commands share, defined once so they read the same everywhere.
DAY_OPTION = click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day, YYYY-MM-DD (default: today in the publisher's time zone).",
)
SOURCE_OPTION = shared_option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH_OR_URL",
    help="Read this file, folder, feed file or feed URL instead of the configured sources "
    "(repeatable).",
)
SOURCE_PATHS_OPTION = shared_option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Article file or directory (repeatable; default: ingest.sources).",
)
JSON_OPTION = json_option()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@shared_option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    envvar=settings.CONFIG_ENV,
    expose_value=False,
    everywhere=True,
    help="Configuration file (default: config/distributor.toml, or $DISTRIBUTOR_CONFIG). "
    "Every command takes it, before or after its name.",
)
@shared_option(
    "--json",
    "as_json",
    is_flag=True,
    expose_value=False,
    help="Print JSON instead of text, for the command that follows (each takes --json "
    "after its name too).",
)
@click.version_option(__version__, prog_name="distributor")
def main() -> None:
    """Turn new articles into an email digest, social threads and a roundup,
    and deliver each on its channel's schedule, exactly once.

    \b
    Example:
      distributor run                 # ingest, compose and deliver what is due
      distributor preview digest --out out/preview
      distributor plan --config config/production.toml --json
    """


@main.group(invoke_without_command=True)
@SOURCE_OPTION
@shared_option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the preview (default: <output.dir>/preview).",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the day as a page on 127.0.0.1 instead of writing files, until Ctrl-C.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="The page's port with --serve (default 8030; 0 picks a free one).",
)
@JSON_OPTION
@click.pass_context
def preview(
    ctx: click.Context,
    sources: tuple[str, ...],
    out_dir: Path | None,
    serve: bool,
    port: int | None,
    as_json: bool,
) -> None:
    """Preview what would be sent, without sending or storing anything.

    Without a subcommand: read the sources, extract and compose every story as if
    it were new today, and write the digest, threads and roundup under --out. With
    --serve: show the same day as a page on http://127.0.0.1 (the email on a phone
    and a desktop, light and dark; every network's posts against its limit; the
    roundup; the article lint), with approve buttons for held deliveries (approving
    is the one thing there that changes anything); it reloads when a source or
    template changes.

    \b
    Examples:
      distributor preview --source examples/articles
      distributor preview --serve --port 0
      distributor preview digest --out out/preview --screenshot
    """
    if ctx.invoked_subcommand is not None:
        if serve or port is not None:
            raise click.UsageError(
                f"{ctx.invoked_subcommand} does not take --serve or --port: "
                "`distributor preview --serve` shows the whole day",
                ctx,
            )
        return
    if serve:
        if out_dir is not None:
            raise click.UsageError("--serve writes no files: --out does not go with it", ctx)
        from distributor.cli.day_preview import serve_day

        boundary(serve_day)(ctx, sources, port, as_json)
    elif port is not None:
        raise click.UsageError("--port is the port of --serve", ctx)
    else:
        from distributor.cli.day_preview import preview_day

        boundary(preview_day)(ctx, sources, out_dir, as_json)
