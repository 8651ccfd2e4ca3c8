"""A Lexicon data validator for the fake PDS: checks records and XRPC inputs against the
official lexicon files in ``specs/bluesky/lexicons``.

It implements the Lexicon data rules a post uses: objects (required, nullable), refs and
unions (``$type``, closed or open), arrays, strings (``maxLength`` in UTF-8 bytes,
``maxGraphemes``, enum/const, formats), integers, booleans, unknown, blobs; plus the
richtext rule that a facet's byte range lies inside the text.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import regex

_FORMATS: dict[str, re.Pattern[str]] = {
    "datetime": re.compile(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-](?!00:00)\d{2}:\d{2})"
    ),
    "uri": re.compile(r"[a-z][a-z0-9.+-]*:\S+"),
    "at-uri": re.compile(
        r"at://[A-Za-z0-9._:%-]+(?:/[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~:@!$&')(*+,;=-]+)?)?"
    ),
    "did": re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._-]"),
    "handle": re.compile(
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    ),
    "nsid": re.compile(r"[A-Za-z](?:[A-Za-z0-9-]*)(?:\.[A-Za-z0-9-]+)+\.[A-Za-z][A-Za-z0-9]*"),
    "cid": re.compile(r"[A-Za-z0-9+=]{8,256}"),
    "language": re.compile(r"(?:i|[a-z]{2,3})(?:-[A-Za-z0-9]{1,8})*"),
    "record-key": re.compile(r"(?!\.{1,2}$)[A-Za-z0-9_~.:-]{1,512}"),
    "tid": re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}"),
}


class Lexicons:
    def __init__(self, root: Path) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for file in root.rglob("*.json"):
            doc = json.loads(file.read_text("utf-8"))
            self.docs[doc["id"]] = doc

    def _resolve(self, ref: str, lex_id: str) -> tuple[dict[str, Any], str] | None:
        target, _, name = ref.partition("#")
        target = target or lex_id
        doc = self.docs.get(target)
        if doc is None:
            return None
        definition = doc["defs"].get(name or "main")
        return (definition, target) if definition is not None else None

    def validate_record(self, collection: str, value: Any) -> list[str]:
        doc = self.docs.get(collection)
        if doc is None:
            return [f"unknown collection {collection}"]
        main = doc["defs"]["main"]
        if not isinstance(value, dict) or value.get("$type") != collection:
            return [f"record: $type must be {collection!r}"]
        errors = self.validate(main["record"], value, "record", collection)
        if collection == "app.bsky.feed.post" and not errors:
            errors += _facet_ranges(value)
        return errors

    def validate_input(self, nsid: str, value: Any) -> list[str]:
        main = self.docs[nsid]["defs"]["main"]
        return self.validate(main["input"]["schema"], value, "input", nsid)

    def validate(self, schema: dict[str, Any], value: Any, path: str, lex_id: str) -> list[str]:
        kind = schema.get("type")
        if kind == "ref":
            found = self._resolve(schema["ref"], lex_id)
            if found is None:
                return []  # a lexicon this copy does not carry
            return self.validate(found[0], value, path, found[1])
        if kind == "union":
            return self._union(schema, value, path, lex_id)
        if kind == "object":
            return self._object(schema, value, path, lex_id)
        if kind == "array":
            if not isinstance(value, list):
                return [f"{path}: expected an array"]
            errors = _bounds(schema, len(value), path, "items")
            for i, item in enumerate(value):
                errors += self.validate(schema["items"], item, f"{path}[{i}]", lex_id)
            return errors
        if kind == "string":
            return _string(schema, value, path)
        if kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return [f"{path}: expected an integer"]
            errors = []
            if "minimum" in schema and value < schema["minimum"]:
                errors.append(f"{path}: below minimum {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(f"{path}: above maximum {schema['maximum']}")
            return errors + _enum(schema, value, path)
        if kind == "boolean":
            return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
        if kind == "unknown":
            return [] if isinstance(value, dict) else [f"{path}: expected an object"]
        if kind == "blob":
            return _blob(schema, value, path)
        if kind == "bytes":
            raw = value.get("$bytes") if isinstance(value, dict) else None
            if not isinstance(raw, str):
                return [f"{path}: expected {{'$bytes': base64}}"]
            try:
                size = len(base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True))
            except ValueError:
                return [f"{path}: $bytes is not base64"]
            return _bounds(schema, size, path, "bytes")
        if kind == "cid-link":
            link = value.get("$link") if isinstance(value, dict) else None
            ok = isinstance(link, str) and _FORMATS["cid"].fullmatch(link)
            return [] if ok else [f"{path}: expected {{'$link': cid}}"]
        return []

    def _object(self, schema: dict[str, Any], value: Any, path: str, lex_id: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        errors = [f"{path}.{k}: required" for k in schema.get("required", []) if k not in value]
        nullable = set(schema.get("nullable", []))
        for key, prop in schema.get("properties", {}).items():
            if key not in value:
                continue
            if value[key] is None:
                if key not in nullable:
                    errors.append(f"{path}.{key}: may not be null")
                continue
            errors += self.validate(prop, value[key], f"{path}.{key}", lex_id)
        return errors

    def _union(self, schema: dict[str, Any], value: Any, path: str, lex_id: str) -> list[str]:
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            return [f"{path}: a union member needs a $type"]
        given = value["$type"]
        full = given if "#" in given else f"{given}#main"
        refs = {
            (f"{lex_id}{r}" if r.startswith("#") else r if "#" in r else f"{r}#main"): r
            for r in schema["refs"]
        }
        if full not in refs:
            if schema.get("closed"):
                return [f"{path}: $type {given!r} is not one of {sorted(refs)}"]
            return []
        found = self._resolve(full, lex_id)
        return [] if found is None else self.validate(found[0], value, path, found[1])


def _blob(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if not (isinstance(value, dict) and value.get("$type") == "blob"):
        return [f"{path}: expected a blob"]
    errors = []
    size, mime = value.get("size"), value.get("mimeType")
    if not isinstance(size, int) or not isinstance(mime, str):
        return [f"{path}: a blob needs size and mimeType"]
    if "maxSize" in schema and size > schema["maxSize"]:
        errors.append(f"{path}: blob larger than {schema['maxSize']} bytes")
    accept = schema.get("accept")
    if accept and not any(
        a == "*/*" or a == mime or (a.endswith("/*") and mime.startswith(a[:-1])) for a in accept
    ):
        errors.append(f"{path}: blob type {mime} not in {accept}")
    return errors


def _bounds(schema: dict[str, Any], n: int, path: str, unit: str) -> list[str]:
    errors = []
    if "maxLength" in schema and n > schema["maxLength"]:
        errors.append(f"{path}: more than {schema['maxLength']} {unit}")
    if "minLength" in schema and n < schema["minLength"]:
        errors.append(f"{path}: fewer than {schema['minLength']} {unit}")
    return errors


def _enum(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: not one of {schema['enum']}"]
    if "const" in schema and value != schema["const"]:
        return [f"{path}: must be {schema['const']!r}"]
    return []


def _string(schema: dict[str, Any], value: Any, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: expected a string"]
    errors = _bounds(schema, len(value.encode("utf-8")), path, "UTF-8 bytes")
    if "maxGraphemes" in schema or "minGraphemes" in schema:
        g = len(regex.findall(r"\X", value))
        if "maxGraphemes" in schema and g > schema["maxGraphemes"]:
            errors.append(f"{path}: more than {schema['maxGraphemes']} graphemes ({g})")
        if "minGraphemes" in schema and g < schema["minGraphemes"]:
            errors.append(f"{path}: fewer than {schema['minGraphemes']} graphemes")
    fmt = schema.get("format")
    if fmt == "at-identifier":
        if not (_FORMATS["did"].fullmatch(value) or _FORMATS["handle"].fullmatch(value)):
            errors.append(f"{path}: not a handle or DID")
    elif fmt in _FORMATS and not _FORMATS[fmt].fullmatch(value):
        errors.append(f"{path}: not a valid {fmt}: {value!r}")
    return errors + _enum(schema, value, path)


def _facet_ranges(post: dict[str, Any]) -> list[str]:
    size = len(post["text"].encode("utf-8"))
    errors = []
    for i, facet in enumerate(post.get("facets", [])):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if not start <= end <= size:
            errors.append(f"record.facets[{i}].index: {start}..{end} outside the text ({size})")
    return errors
