"""Writes composed output to local files: the embedded default and the editors' preview."""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from distributor.channels.base import Channel, DeliveryContext
from distributor.errors import Permanent
from distributor.models import Delivery, DeliveryKind, SendResult
from distributor.payloads import parse_files


@dataclass(frozen=True)
class FilesOptions:
    dir: str = ""
    """Where to write; empty means the [output] dir."""


@functools.cache
def _umask() -> int:
    """The process umask, read once: from /proc where it can be read without changing it,
    else by setting it and setting it straight back."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` (its folders made): written beside it, then renamed
    over it, so a reader (a web server) never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        # mkstemp makes the file 0600; the preview, roundup.xml and the archive are meant
        # to be read (served, even), so they get the mode the user's umask gives a file.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FilesChannel(Channel):
    name: ClassVar[str] = "files"
    kinds: ClassVar[frozenset[DeliveryKind]] = frozenset(DeliveryKind)
    Options: ClassVar[type[Any]] = FilesOptions

    @property
    def root(self) -> Path:
        return self.settings.resolve(self.options.dir or self.settings.output.dir)

    def build_payload(self, delivery: Delivery, context: DeliveryContext) -> dict[str, Any]:
        out: dict[str, str] = {}
        for rel, content in parse_files(delivery)["files"].items():
            p = PurePosixPath(rel)
            if p.is_absolute() or ".." in p.parts:
                raise Permanent(
                    f"refusing to write outside the output folder: {rel}", channel=self.name
                )
            out[str(p)] = content
        return {"files": out}

    def post(self, payload: dict[str, Any]) -> Any:
        written: list[str] = []
        for rel, content in payload["files"].items():
            target = self.root / rel
            write_file(target, content)
            written.append(str(target))
        return written

    def parse_response(self, response: Any, delivery: Delivery) -> SendResult:
        return SendResult(provider_id=None, detail={"written": list(response)})
