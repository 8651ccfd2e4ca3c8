"""Stoplight Prism serving an official OpenAPI spec as a validating mock (from `make tools`).

Prism checks every request against the spec and answers 422 with an ``sl-violations``
header when one breaks it. Started on a free port, stopped by its own process id.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PRISM = ROOT / ".tools" / "node_modules" / ".bin" / "prism"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def prism_mock(spec: Path, *extra: str, start_timeout: float = 30.0) -> Iterator[str]:
    """Yield the base URL of a Prism mock of ``spec``; skip the test when Prism is absent."""
    if not PRISM.exists() or shutil.which("node") is None:
        pytest.skip("Prism is not installed (run `make tools`)")
    port = _free_port()
    proc = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), *extra, str(spec)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"Prism exited with {proc.returncode} before listening")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("Prism did not start listening in time")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
