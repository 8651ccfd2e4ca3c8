"""``distributor archive``: the web archive of the editions that went out."""

from __future__ import annotations

import click

from distributor.cli.app import JSON_OPTION, boundary, emit_json, load_settings, main


@main.command("archive")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Write every edition's page again (after a change of templates or brand).",
)
@JSON_OPTION
@click.pass_context
@boundary
def archive_command(ctx: click.Context, rebuild: bool, as_json: bool) -> None:
    """Write the web archive: a page for every edition that went out and has none yet,
    then the index and the RSS feed, under [archive] dir.

    Sending an edition writes its page already; this fills in older editions (those
    sent before the archive was set up) and, with --rebuild, writes every page again.

    \b
    Example:
      distributor archive
      distributor archive --rebuild --json
    """
    from distributor.errors import ConfigError
    from distributor.pipeline.archive import publish
    from distributor.store import db

    cfg = load_settings(ctx)
    if not cfg.archive.dir:
        raise ConfigError("[archive] dir is empty: set it to the folder to write the archive in")
    engine = db.open_database(cfg.database.url, base_dir=cfg.base_dir)
    try:
        report = publish(cfg, engine, rebuild=rebuild)
    finally:
        engine.dispose()
    if as_json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            click.echo(f"warning: {problem}", err=True)
        written = ", ".join(d.isoformat() for d in report.pages) or "none"
        click.echo(
            f"{report.folder}: {report.editions} edition(s) in the index; pages written: "
            f"{written}" + ("" if report.written else " (nothing changed)")
        )
