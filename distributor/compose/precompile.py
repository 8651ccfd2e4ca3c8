"""Email templates compiled by MJML once, so that a render is a single Jinja2 pass.

MJML's output for a story card does not depend on the story. The compiler copies text
and links through as they are and interprets only layout: widths, paddings, borders.
So the digest template can go through MJML once, with its Jinja2 statements carried
through as raw HTML and its per-render values left as Jinja2 expressions; each render
then fills in that HTML template. The result is byte for byte what compiling each
render's MJML gives, which the tests check on random days.

The compiled template is used only where that holds:

- a statement sits between the children of ``mj-body``, ``mj-wrapper`` or
  ``mj-column`` (whose output does not depend on how many children there are), or in
  the content of an ending tag such as ``mj-text`` or ``mj-raw``;
- an expression sits in an ending tag's content or in an attribute MJML copies
  unchanged (``href``, ``src``, ``alt``, colours...);
- values that are the same for every render (``brand``, from configuration) are
  filled in before compiling, so layout attributes may use them.

MJML drops text between two tags that is whitespace alone and starts with a line
break. A statement on a line of its own inside ``mj-text`` hides such whitespace from
the compiler, so it is dropped here instead. That is exact for statements on lines of
their own and for statements with no whitespace beside them; a template that mixes
whitespace-only text and statements on one line may differ from the per-render
compile in that whitespace, never in its text.

Anything else (macros, an include by variable, a per-render width) makes
:func:`precompile` answer None, and the digest is compiled for every render instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, Template, TemplateError, Undefined, meta

from distributor.compose.mjml import MjmlError, compile_mjml, minify_html

log = logging.getLogger(__name__)

# Elements whose output is the same whatever number of children they have, so a loop
# or a condition may stand between their children.
_STACKING = frozenset({"mj-body", "mj-wrapper", "mj-column"})
# Elements whose content MJML copies through as HTML.
_ENDING = frozenset(
    {
        "mj-text",
        "mj-button",
        "mj-raw",
        "mj-table",
        "mj-title",
        "mj-preview",
        "mj-navbar-link",
        "mj-accordion-title",
        "mj-accordion-text",
        "mj-social-element",
    }
)
# MJML attributes copied into the HTML unchanged (nothing computes with them).
_COPIED = frozenset(
    {
        "href",
        "src",
        "alt",
        "title",
        "rel",
        "name",
        "color",
        "background-color",
        "container-background-color",
        "font-family",
    }
)
_CHUNK = re.compile(
    r"\{%(?P<bl>[-+]?)\s*(?P<stmt>.*?)\s*(?P<br>-?)%\}"
    r"|\{\{(?P<vl>-?)\s*(?P<expr>.*?)\s*(?P<vr>-?)\}\}"
    r"|\{#(?P<cl>[-+]?).*?(?P<cr>-?)#\}",
    re.S,
)
_KEYWORD = re.compile(r"[a-z_]+")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_LITERAL = re.compile(r"""^(?:"([^"]+)"|'([^']+)')$""")
_SENTINEL = re.compile("\ue000(\\d+)\ue001")
_SCAN = re.compile(
    "(?P<sent>\ue000(?P<n>\\d+)\ue001)|(?P<comment><!--)|<(?P<close>/)?(?P<tag>mj-[a-z-]+|mjml)\\b",
    re.I,
)
_ATTRIBUTE = re.compile(r"""\s*([A-Za-z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*')""")
_JINJA_IN_HTML = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_HTML_TAG = re.compile(r"<[^<>]*>")
# Jinja2 tags with the whitespace around and between them.
_STATEMENT_RUN = re.compile("[ \t\n\r\f\v]*(?:\ue000\\d+\ue001[ \t\n\r\f\v]*)+")
# A line of compiled HTML that begins or ends with a Jinja2 tag.
_EDGE_TAG = re.compile(r"^[ \t\r\f\v]*\{[{%]|[}%]\}[ \t\r\f\v]*$")
_MAX_DEPTH = 20


class Unsupported(Exception):
    """The template uses something the compile-once path cannot carry through."""


# --- reading the template -------------------------------------------------------


@dataclass
class _Expr:
    source: str


@dataclass
class _Stmt:
    source: str


@dataclass
class _If:
    branches: list[tuple[str, list[Any]]]
    otherwise: list[Any] | None


@dataclass
class _For:
    header: str
    body: list[Any]
    otherwise: list[Any] | None


@dataclass
class _Block:
    name: str
    body: list[Any]


@dataclass
class _Reference:
    kind: str  # "extends" or "include"
    name: str


Node = str | _Expr | _Stmt | _If | _For | _Block | _Reference


def _tokens(source: str, env: Environment) -> Iterator[tuple[str, str]]:
    """("text" | "expr" | "stmt", source) with comments gone and Jinja2's whitespace
    control (trim_blocks, lstrip_blocks, ``-`` and ``+``) already applied, so the
    tags can be moved into MJML without changing what the template renders."""
    pos = 0
    strip_next = False
    for m in _CHUNK.finditer(source):
        text = source[pos : m.start()]
        if strip_next:
            text = text.lstrip()
        is_block = m.group("stmt") is not None or m.group("cl") is not None
        left = m.group("bl") or m.group("vl") or m.group("cl") or ""
        right = m.group("br") or m.group("vr") or m.group("cr") or ""
        if left == "-":
            text = text.rstrip()
        elif is_block and env.lstrip_blocks and left != "+":
            start = text.rfind("\n") + 1
            at_line_start = start > 0 or pos == 0 or source[pos - 1] == "\n"
            if at_line_start and not text[start:].strip():
                text = text[:start]
        if text:
            yield "text", text
        if m.group("stmt") is not None:
            yield "stmt", m.group("stmt")
        elif m.group("expr") is not None:
            yield "expr", m.group("expr")
        pos = m.end()
        strip_next = right == "-"
        if is_block and not strip_next and env.trim_blocks and source.startswith("\n", pos):
            pos += 1
    text = source[pos:]
    if strip_next:
        text = text.lstrip()
    if text:
        yield "text", text


def _parse(source: str, env: Environment) -> list[Node]:
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []
    body = root
    for kind, value in _tokens(source, env):
        if kind == "text":
            body.append(value)
            continue
        if kind == "expr":
            if "super(" in value or "self." in value:
                raise Unsupported(f"expression {{{{ {value} }}}}")
            body.append(_Expr(value))
            continue
        keyword_match = _KEYWORD.match(value)
        keyword = keyword_match.group() if keyword_match else ""
        rest = value[len(keyword) :].strip()
        if keyword == "if":
            branch: list[Node] = []
            stack.append((_If([(rest, branch)], None), body))
            body = branch
        elif keyword == "for":
            loop = _For(rest, [], None)
            stack.append((loop, body))
            body = loop.body
        elif keyword == "block":
            block = _Block(rest.split()[0] if rest else "", [])
            stack.append((block, body))
            body = block.body
        elif keyword in ("elif", "else"):
            if not stack:
                raise Unsupported(f"{{% {value} %}} outside a block")
            top = stack[-1][0]
            if isinstance(top, _If) and top.otherwise is None:
                if keyword == "elif":
                    top.branches.append((rest, []))
                    body = top.branches[-1][1]
                else:
                    top.otherwise = []
                    body = top.otherwise
            elif isinstance(top, _For) and keyword == "else" and top.otherwise is None:
                top.otherwise = []
                body = top.otherwise
            else:
                raise Unsupported(f"{{% {value} %}}")
        elif keyword in ("endif", "endfor", "endblock"):
            if not stack:
                raise Unsupported(f"{{% {value} %}} without its opening tag")
            node, body = stack.pop()
            expected = {_If: "endif", _For: "endfor", _Block: "endblock"}[type(node)]
            if keyword != expected:
                raise Unsupported(f"{{% {value} %}} closes the wrong block")
            body.append(node)
        elif keyword in ("extends", "include"):
            literal = _LITERAL.match(rest)
            if literal is None:
                raise Unsupported(f"{{% {value} %}}: only a quoted template name")
            body.append(_Reference(keyword, literal.group(1) or literal.group(2)))
        elif keyword == "set" and "=" in rest:
            body.append(_Stmt(value))
        else:
            raise Unsupported(f"{{% {value} %}}")
    if stack:
        raise Unsupported("a block is not closed")
    return root


def _blocks(nodes: list[Node], found: dict[str, list[Node]]) -> dict[str, list[Node]]:
    for node in nodes:
        if isinstance(node, _Block):
            found.setdefault(node.name, node.body)
            _blocks(node.body, found)
        elif isinstance(node, _If):
            for _, body in node.branches:
                _blocks(body, found)
    return found


def _resolve(
    env: Environment, name: str, overrides: Mapping[str, list[Node]], depth: int = 0
) -> list[Node]:
    """The template with its parents and includes merged into one tree."""
    if depth > _MAX_DEPTH:
        raise Unsupported(f"{name}: templates nested more than {_MAX_DEPTH} deep")
    if env.loader is None:
        raise Unsupported("the environment has no loader")
    source, _, _ = env.loader.get_source(env, name)
    if "\ue000" in source or "\ue001" in source:
        raise Unsupported(f"{name} holds U+E000 or U+E001, which mark Jinja2 tags here")
    nodes = _parse(source, env)
    parent = next((n for n in nodes if isinstance(n, _Reference) and n.kind == "extends"), None)
    if parent is not None:
        own = _blocks(nodes, {})
        return _resolve(env, parent.name, {**own, **overrides}, depth + 1)
    return _inline(env, nodes, overrides, depth)


def _inline(
    env: Environment, nodes: list[Node], overrides: Mapping[str, list[Node]], depth: int
) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, _Block):
            out.extend(_inline(env, overrides.get(node.name, node.body), overrides, depth))
        elif isinstance(node, _Reference):
            if node.kind == "extends":
                raise Unsupported("{% extends %} after the start of a template")
            out.extend(_resolve(env, node.name, {}, depth + 1))
        elif isinstance(node, _If):
            out.append(
                _If(
                    [(c, _inline(env, b, overrides, depth)) for c, b in node.branches],
                    None
                    if node.otherwise is None
                    else _inline(env, node.otherwise, overrides, depth),
                )
            )
        elif isinstance(node, _For):
            out.append(
                _For(
                    node.header,
                    _inline(env, node.body, overrides, depth),
                    None
                    if node.otherwise is None
                    else _inline(env, node.otherwise, overrides, depth),
                )
            )
        else:
            out.append(node)
    return out


# --- filling in what every render shares ------------------------------------------


@dataclass
class _Folder:
    env: Environment
    constants: dict[str, Any]
    _names: dict[str, frozenset[str]] = field(default_factory=dict)

    def names(self, expression: str) -> frozenset[str]:
        if expression not in self._names:
            if _DOTTED.fullmatch(expression):
                # Most expressions are a name and its attributes: no parser needed.
                self._names[expression] = frozenset({expression.split(".", 1)[0]})
            else:
                try:
                    tree = self.env.parse(f"{{{{ ({expression}) }}}}")
                except TemplateError as exc:
                    raise Unsupported(f"{expression}: {exc}") from exc
                self._names[expression] = frozenset(meta.find_undeclared_variables(tree))
        return self._names[expression]

    def constant(self, expression: str) -> bool:
        return self.names(expression) <= self.constants.keys()

    def value(self, expression: str) -> Any:
        if _DOTTED.fullmatch(expression):
            # Looked up as Jinja2 does (attribute, then item), without compiling.
            root, *path = expression.split(".")
            value = self.constants[root]
            for part in path:
                value = self.env.getattr(value, part)
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
            return value
        return self.env.compile_expression(expression, undefined_to_none=False)(**self.constants)

    def fold(self, nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            if isinstance(node, _Expr) and self.constant(node.source):
                try:
                    finalize = self.env.finalize or str
                    text = str(finalize(self.value(node.source)))
                except Exception:  # left to the render, which reports it as usual
                    out.append(node)
                    continue
                # A brace would turn into Jinja2 syntax in the compiled template.
                out.append(node if ("{" in text or "}" in text) else text)
            elif isinstance(node, _If):
                out.extend(self._fold_if(node))
            elif isinstance(node, _For):
                body = self.fold(node.body)
                rest = None if node.otherwise is None else self.fold(node.otherwise)
                out.append(_For(node.header, body, rest))
            else:
                out.append(node)
        return out

    def _fold_if(self, node: _If) -> list[Node]:
        kept: list[tuple[str, list[Node]]] = []
        otherwise = node.otherwise
        for condition, body in node.branches:
            if not self.constant(condition):
                kept.append((condition, body))
                continue
            try:
                truth = bool(self.value(condition))
            except Exception:  # left to the render, which reports it as usual
                kept.append((condition, body))
                continue
            if truth:
                if not kept:
                    return self.fold(body)
                otherwise = body
                break
        if not kept:
            return self.fold(otherwise or [])
        return [
            _If(
                [(c, self.fold(b)) for c, b in kept],
                None if otherwise is None else self.fold(otherwise),
            )
        ]


def _assigned(nodes: list[Node], found: set[str]) -> set[str]:
    for node in nodes:
        if isinstance(node, _For):
            found.update(re.findall(r"\w+", node.header.split(" in ", 1)[0]))
            _assigned(node.body, found)
            _assigned(node.otherwise or [], found)
        elif isinstance(node, _If):
            for _, body in node.branches:
                _assigned(body, found)
            _assigned(node.otherwise or [], found)
        elif isinstance(node, _Stmt):
            found.update(re.findall(r"\w+", node.source[3:].split("=", 1)[0]))
    return found


# --- carrying Jinja2 through MJML ------------------------------------------------


def _flatten(nodes: list[Node], chunks: list[tuple[str, str]], out: list[str]) -> None:
    """Write the tree as MJML with a sentinel in place of each Jinja2 tag."""

    def tag(kind: str, source: str) -> None:
        out.append(f"\ue000{len(chunks)}\ue001")
        chunks.append((kind, source))

    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Expr):
            tag("expr", "{{ " + node.source + " }}")
        elif isinstance(node, _Stmt):
            tag("stmt", "{% " + node.source + " %}")
        elif isinstance(node, _If):
            for i, (condition, body) in enumerate(node.branches):
                tag("stmt", "{% " + ("if " if i == 0 else "elif ") + condition + " %}")
                _flatten(body, chunks, out)
            if node.otherwise is not None:
                tag("stmt", "{% else %}")
                _flatten(node.otherwise, chunks, out)
            tag("stmt", "{% endif %}")
        elif isinstance(node, _For):
            tag("stmt", "{% for " + node.header + " %}")
            _flatten(node.body, chunks, out)
            if node.otherwise is not None:
                tag("stmt", "{% else %}")
                _flatten(node.otherwise, chunks, out)
            tag("stmt", "{% endfor %}")
        else:
            raise Unsupported(f"{node!r} left after merging")


def _placement(marked: str, chunks: list[tuple[str, str]]) -> tuple[set[int], set[int]]:
    """Which Jinja2 statements stand between elements (they go into ``mj-raw``) and
    which in the text of an element's content. Raises Unsupported for a tag that MJML
    would interpret rather than copy."""
    wrap: set[int] = set()
    in_text: set[int] = set()
    stack: list[str] = []
    i = 0
    while (m := _SCAN.search(marked, i)) is not None:
        if m.group("sent"):
            n = int(m.group("n"))
            if chunks[n][0] != "stmt" or not stack or stack[-1] not in _STACKING:
                where = stack[-1] if stack else "the top level"
                raise Unsupported(f"{chunks[n][1]} between the elements of {where}")
            wrap.add(n)
            i = m.end()
        elif m.group("comment"):
            end = marked.find("-->", m.end())
            end = len(marked) if end < 0 else end + 3
            if _SENTINEL.search(marked, m.start(), end):
                raise Unsupported("a Jinja2 tag inside an HTML comment")
            i = end
        elif m.group("close"):
            name = m.group("tag").lower()
            if stack and stack[-1] == name:
                stack.pop()
            i = marked.find(">", m.end()) + 1 or len(marked)
        else:
            name = m.group("tag").lower()
            i, closed = _attributes(marked, m.end(), name, chunks)
            if closed:
                continue
            if name in _ENDING:
                closing = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(marked, i)
                if closing is None:
                    raise Unsupported(f"<{name}> is not closed")
                content = marked[i : closing.start()]
                if "<!--" in content and _SENTINEL.search(content):
                    raise Unsupported(f"a Jinja2 tag in <{name}> next to an HTML comment")
                in_tags = {
                    int(x.group(1))
                    for t in _HTML_TAG.finditer(content)
                    for x in _SENTINEL.finditer(t.group())
                }
                in_text.update(
                    n
                    for x in _SENTINEL.finditer(content)
                    if (n := int(x.group(1))) not in in_tags and chunks[n][0] == "stmt"
                )
                i = closing.end()
            else:
                stack.append(name)
    return wrap, in_text


def _attributes(marked: str, i: int, name: str, chunks: list[tuple[str, str]]) -> tuple[int, bool]:
    """Read a start tag's attributes from ``i``: (position after the tag, self-closed)."""
    while True:
        while i < len(marked) and marked[i].isspace():
            i += 1
        if marked.startswith("/>", i):
            return i + 2, True
        if marked.startswith(">", i):
            return i + 1, False
        attribute = _ATTRIBUTE.match(marked, i)
        if attribute is None:
            raise Unsupported(f"<{name}>: a Jinja2 tag among its attributes")
        for s in _SENTINEL.finditer(attribute.group(2)):
            kind, source = chunks[int(s.group(1))]
            if kind != "expr" or attribute.group(1).lower() not in _COPIED:
                raise Unsupported(f"<{name} {attribute.group(1)}>: {source} changes layout")
        i = attribute.end()


# --- the compiled template ---------------------------------------------------------


@dataclass(frozen=True)
class CompiledTemplate:
    """An MJML template compiled to HTML; render it with the MJML template's context.

    ``minified``: its output is already what :func:`minify_html` would make of it.
    """

    template: Template
    minified: bool


def precompile(
    env: Environment, name: str, constants: Mapping[str, Any], *, minify: bool = False
) -> CompiledTemplate | None:
    """The MJML template ``name`` compiled to an HTML Jinja2 template, or None when it
    cannot be compiled once (the reason is logged at debug level).

    ``constants`` are the values every render shares; they are filled in before
    compiling. With ``minify`` the compiled HTML is minified once, here, when no line
    of it begins or ends with a Jinja2 tag: every line of the output then begins and
    ends with the template's own text, so minifying each render would change nothing
    (rendered values never hold a line break).
    """
    try:
        html = _precompile(env, name, constants)
        minified = False
        if minify:
            small = minify_html(html)
            if not any(_EDGE_TAG.search(line) for line in small.split("\n")):
                html, minified = small, True
        fast = env.overlay(trim_blocks=False, lstrip_blocks=False)
        return CompiledTemplate(fast.from_string(html), minified=minified)
    except (Unsupported, MjmlError, TemplateError) as exc:
        log.debug("%s is compiled per render: %s", name, exc)
        return None


def _precompile(env: Environment, name: str, constants: Mapping[str, Any]) -> str:
    """The compiled HTML, Jinja2 tags and all."""
    if (
        (env.block_start_string, env.variable_start_string, env.comment_start_string)
        != ("{%", "{{", "{#")
        or env.line_statement_prefix
        or env.line_comment_prefix
    ):
        raise Unsupported("the environment uses other Jinja2 delimiters")
    tree = _resolve(env, name, {})
    shadowed = _assigned(tree, set())
    folder = _Folder(env, {k: v for k, v in constants.items() if k not in shadowed})
    tree = folder.fold(tree)
    chunks: list[tuple[str, str]] = []
    pieces: list[str] = []
    _flatten(tree, chunks, pieces)
    marked = "".join(pieces)
    wrap, in_text = _placement(marked, chunks)

    def settle(m: re.Match[str]) -> str:
        tags = _SENTINEL.findall(m.group())
        if all(int(n) in wrap for n in tags):
            # Whitespace between elements, which MJML drops, but would keep beside an
            # mj-raw.
            return "".join(f"\ue000{n}\ue001" for n in tags)
        between_tags = (
            marked[m.start() - 1 : m.start()] == ">" and marked[m.end() : m.end() + 1] == "<"
        )
        if between_tags and "\n" in m.group() and all(int(n) in in_text for n in tags):
            # Statements on lines of their own in an element's content. Rendered, the
            # whitespace around them is a line break and indentation between two tags,
            # which MJML drops; so drop it here, where MJML cannot see it whole.
            return "".join(f"\ue000{n}\ue001" for n in tags)
        return m.group()

    marked = _STATEMENT_RUN.sub(settle, marked)

    def restore(m: re.Match[str]) -> str:
        n = int(m.group(1))
        source = chunks[n][1]
        return f"<mj-raw>{source}</mj-raw>" if n in wrap else source

    html = compile_mjml(_SENTINEL.sub(restore, marked))
    # MJML may copy text into a second place (the title into an aria-label, say) and
    # change it on the way; every tag that comes out must be one that went in.
    known = {source for _, source in chunks}
    for m in _JINJA_IN_HTML.finditer(html):
        if m.group() not in known:
            raise Unsupported(f"MJML changed {m.group()!r}")
    return html
