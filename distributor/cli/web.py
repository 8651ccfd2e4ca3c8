"""``serve``: the one web app for readers' links and SendGrid's Event Webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from distributor.cli.app import boundary, load_settings, main

if TYPE_CHECKING:
    from distributor.web.app import WebApp

HOST_OPTION = click.option(
    "--host", default=None, help="Address to listen on (default: [web] host, 127.0.0.1)."
)
PORT_OPTION = click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: [web] port, 8025).",
)


def serve_web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """What ``serve`` and its alias ``subscribers serve-unsubscribe`` run."""
    from distributor.web.app import run

    run(load_settings(ctx), host=host, port=port, ready=_print_started)


def _print_started(url: str, started: WebApp) -> None:
    click.echo(f"serving on {url} (Ctrl-C to stop):")
    click.echo(f"  unsubscribe links at {started.unsubscribe_path}")
    if started.preferences_path:
        click.echo(f"  preferences links at {started.preferences_path}")
    if started.signup_url:
        click.echo(f"  the sign-up form at {started.signup_url} (link to it from your site)")
    if started.webhook_ready:
        click.echo(f"  SendGrid's Event Webhook at {started.webhook_url}")
    else:
        click.echo(
            f"  ! SendGrid's Event Webhook at {started.webhook_url} refuses every post: "
            "SENDGRID_WEBHOOK_PUBLIC_KEY is not set",
            err=True,
        )
    if started.pending:
        click.echo(f"  processed {started.pending} webhook batch(es) stored before")


@main.command()
@HOST_OPTION
@PORT_OPTION
@click.pass_context
@boundary
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve readers' links, the sign-up form and SendGrid's Event Webhook, until Ctrl-C
    or SIGTERM.

    Unsubscribe (one-click POST, a confirm page on GET) and preferences links at the
    paths of subscribers.unsubscribe_url and subscribers.preferences_url; with
    signup.enabled, the sign-up form at <web.base_url>/subscribe and its confirmation
    link at <web.base_url>/confirm (double opt-in: the email goes out through the
    outbox, sent by the worker); SendGrid's
    Event Webhook at POST <web.base_url>/webhooks/sendgrid, which turns bounces, spam
    reports and unsubscribes into readers' statuses. Put it behind your web server's
    HTTPS at web.base_url. Needs DISTRIBUTOR_LINK_SECRET (the key that signs readers'
    links; after a rotation DISTRIBUTOR_LINK_SECRETS_PREVIOUS holds the keys that
    signed links still in mailboxes, which work for subscribers.link_days) and
    SENDGRID_WEBHOOK_PUBLIC_KEY (SendGrid's verification key; without it every
    webhook post is refused).

    \b
    Example:
      distributor serve --host 127.0.0.1 --port 8025
    """
    serve_web(ctx, host, port)
