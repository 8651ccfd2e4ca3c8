"""Run every ``benchmarks/bench_*.py`` (or those named) and print one JSON line per figure.

Each module exposes ``run() -> list[dict]``; a figure is ``{"name", "value", "unit"}``
plus optional ``"target"`` and ``"compare"`` keys where an issue names a comparison.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(p.stem[len("bench_") :] for p in here.glob("bench_*.py"))
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        for figure in module.run():
            print(json.dumps({"bench": name, **figure}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
