"""A configuration mapping written as the TOML file the command line reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a TOML basic string


def write_config(path: Path, mapping: Mapping[str, Any]) -> Path:
    """``mapping`` (tables of tables, as ``settings.from_mapping`` takes) at ``path``."""
    lines: list[str] = []

    def table(name: str, values: Mapping[str, Any]) -> None:
        plain = {k: v for k, v in values.items() if not isinstance(v, Mapping)}
        if plain:
            lines.append(f"[{name}]")
            lines.extend(f"{k} = {_value(v)}" for k, v in plain.items())
        for k, v in values.items():
            if isinstance(v, Mapping):
                table(f"{name}.{k}", v)

    for name, values in mapping.items():
        table(name, values)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
