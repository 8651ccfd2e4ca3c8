"""The command line: the only package that prints or exits.

``app`` holds the group and the shared plumbing; each other module registers the
commands of one area on it.
"""

from distributor.cli import (
    archive,
    email_preview,
    extract,
    foundation,
    outbox,
    plan,
    report,
    send,
    social,
    subscribers,
    web,
)
from distributor.cli.app import main

__all__ = [
    "archive",
    "email_preview",
    "extract",
    "foundation",
    "main",
    "outbox",
    "plan",
    "report",
    "send",
    "social",
    "subscribers",
    "web",
]
