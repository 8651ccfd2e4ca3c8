"""`distributor` as a worker process, with the test's recording channel installed.

The channel is added to the registry as an entry point would add it; where it
records is read from DISTRIBUTOR_TEST_RECORD, how long each send takes from
DISTRIBUTOR_TEST_DELAY. Run as
``python -m tests.engine.launch --config FILE worker ...``.
"""

from __future__ import annotations

import os
from pathlib import Path

from distributor.channels import registry
from distributor.channels.base import Channel
from distributor.settings import Settings
from tests.outbox.helpers import RecordingChannel


class FileRecorder(RecordingChannel):
    def __init__(self, settings: Settings) -> None:
        delay = float(os.environ.get("DISTRIBUTOR_TEST_DELAY", "0.01"))
        super().__init__(settings, Path(os.environ["DISTRIBUTOR_TEST_RECORD"]), delay=delay)


_INSTALLED = registry.available


def _available() -> dict[str, type[Channel]]:
    return {**_INSTALLED(), "recorder": FileRecorder}


if __name__ == "__main__":
    registry.available = _available
    from distributor.cli import main

    main()
