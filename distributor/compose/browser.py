"""Headless Chromium for the editors' preview: screenshots and layout facts.

Each run gets a fresh profile directory and no network at all: every request goes to a
proxy that does not exist (loopback included) and no host name resolves, so an image
URL from an article can neither reach a server nor reveal that a preview happened (the
screenshot shows the images' alt text and boxes, as a mail client that blocks images
does). Chromium keeps its sandbox, except as root, where it refuses to start with one,
or on a machine where the sandbox cannot start; then it runs with ``--no-sandbox`` and
says so in the log.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_ENV = "DISTRIBUTOR_CHROMIUM"
log = logging.getLogger(__name__)

# No network: a proxy on the discard port (nothing listens there; "<-loopback>" sends
# 127.0.0.1 and localhost through it too), no DNS, no UDP from WebRTC.
_OFFLINE = (
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--dns-prefetch-disable",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
)
_NO_SANDBOX = re.compile(r"without --no-sandbox|No usable sandbox|sandbox.*(?:failed|not)", re.I)
# Chromium's setting for the prefers-color-scheme media query: 0 is dark.
_DARK = "--blink-settings=preferredColorScheme=0"

# Runs inside the rendered email, after the body has been parsed: the layout is
# measured before any remote image loads, which is what a mail client shows first.
_PROBE_JS = """
<script>(function () {
  var d = document.documentElement;
  var imgs = Array.prototype.map.call(document.images, function (i) {
    var r = i.getBoundingClientRect();
    return {src: i.getAttribute('src'), alt: i.getAttribute('alt'), width: r.width,
            height: r.height, right: r.right};
  });
  var wide = Array.prototype.filter.call(document.body.querySelectorAll('*'), function (e) {
    return e.getBoundingClientRect().right > window.innerWidth + 0.5;
  }).slice(0, 5).map(function (e) { return e.tagName + '.' + e.className; });
  // Each element holding text of its own: its colour and the colour behind it (the
  // first ancestor's background that is not transparent).
  var texts = [];
  Array.prototype.forEach.call(document.body.querySelectorAll('*'), function (e) {
    var own = Array.prototype.filter.call(e.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim();
    }).map(function (n) { return n.textContent.trim(); }).join(' ');
    if (!own || !e.getClientRects().length) { return; }
    var back = 'rgb(255, 255, 255)';
    for (var a = e; a; a = a.parentElement) {
      var bg = getComputedStyle(a).backgroundColor;
      if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') { back = bg; break; }
    }
    var style = getComputedStyle(e);
    texts.push({tag: e.tagName.toLowerCase(), text: own, color: style.color,
                background: back, fontSize: parseFloat(style.fontSize),
                fontWeight: parseInt(style.fontWeight, 10)});
  });
  var out = {innerWidth: window.innerWidth, clientWidth: d.clientWidth,
             scrollWidth: d.scrollWidth, scrollHeight: d.scrollHeight,
             contentHeight: Math.ceil(document.body.getBoundingClientRect().height),
             text: document.body.innerText, images: imgs, overflowing: wide, texts: texts};
  parent.document.getElementById('dx-probe').textContent = JSON.stringify(out);
})();</script>
"""
# Headless Chromium will not make a window narrower than 500 px, so the email is
# measured inside an iframe of the exact width (srcdoc keeps it same-origin).
_WRAPPER = (
    '<!doctype html><html><body style="margin:0">'
    '<iframe style="width:{width}px;height:{height}px;border:0" srcdoc="{srcdoc}"></iframe>'
    '<pre id="dx-probe"></pre></body></html>'
)
_PROBE_OUT = re.compile(r'<pre id="dx-probe">(.*?)</pre>', re.DOTALL)


class BrowserError(RuntimeError):
    """Chromium is missing or failed; the message says what to install or check."""


def find_chromium() -> str | None:
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _sandboxed() -> bool:
    # Chromium will not start its sandbox as root (crbug.com/638180).
    return os.geteuid() != 0


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    chromium = find_chromium()
    if chromium is None:
        raise BrowserError(
            "Chromium not found: install Debian's package (apt-get install chromium) "
            f"or set {CHROMIUM_ENV} to the browser's path"
        )
    if _sandboxed():
        result = _launch(chromium, args, timeout, sandbox=True)
        if result.returncode == 0 or not _NO_SANDBOX.search(result.stderr):
            return _checked(result)
        log.warning("Chromium's sandbox cannot start on this machine; running it without")
    return _checked(_launch(chromium, args, timeout, sandbox=False))


def _launch(
    chromium: str, args: list[str], timeout: float, *, sandbox: bool
) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="distributor-chromium-") as profile:
        cmd = [
            chromium,
            "--headless",
            *([] if sandbox else ["--no-sandbox"]),
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            *_OFFLINE,
            f"--user-data-dir={profile}",
            *args,
        ]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"Chromium did not finish within {timeout:.0f} s") from exc


def _checked(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-3:])
        raise BrowserError(f"Chromium exited with {result.returncode}: {tail}")
    return result


def screenshot(
    html_path: Path, png_path: Path, *, width: int, height: int = 2000, timeout: float = 60.0
) -> Path:
    """A PNG of ``html_path`` in a ``width`` × ``height`` window."""
    _run(
        [
            f"--screenshot={png_path.resolve()}",
            f"--window-size={width},{height}",
            html_path.resolve().as_uri(),
        ],
        timeout,
    )
    if not png_path.is_file():
        raise BrowserError(f"Chromium wrote no screenshot to {png_path}")
    return png_path


def probe_layout(
    html_text: str,
    *,
    width: int,
    height: int = 2000,
    timeout: float = 60.0,
    dark: bool = False,
) -> dict[str, Any]:
    """Render ``html_text`` at ``width`` px (``dark``: in dark mode) and report layout facts.

    Returns ``innerWidth``, ``clientWidth`` and ``scrollWidth`` (wider than clientWidth
    means horizontal scrolling), ``scrollHeight``, ``contentHeight``, the visible
    ``text``, every image's rendered box, up to five ``overflowing`` elements and
    ``texts``: each element with text of its own (``tag``, ``text``, its ``color``, the
    ``background`` behind it, ``fontSize`` in px and ``fontWeight``).
    """
    marker = "</body>"
    probed = (
        html_text.replace(marker, _PROBE_JS + marker, 1)
        if marker in html_text
        else html_text + _PROBE_JS
    )
    with tempfile.TemporaryDirectory(prefix="distributor-probe-") as tmp:
        page = Path(tmp) / "probe.html"
        wrapper = _WRAPPER.format(
            width=width, height=height, srcdoc=html.escape(probed, quote=True)
        )
        page.write_text(wrapper, encoding="utf-8")
        window = f"--window-size={max(width, 500) + 100},{height + 100}"
        result = _run([*([_DARK] if dark else []), "--dump-dom", window, page.as_uri()], timeout)
    match = _PROBE_OUT.search(result.stdout)
    if match is None or not match.group(1).strip():
        raise BrowserError("the layout probe did not run (no result in Chromium's DOM dump)")
    data: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return data


def screenshots(
    html_path: Path,
    html_text: str,
    widths: tuple[int, ...],
    *,
    step: Callable[[int, int], None] = lambda done, total: None,
    max_height: int = 16_000,
) -> dict[int, Path]:
    """A whole-page PNG of ``html_path`` beside it at each width (``digest-375.png``…);
    ``step(done, total)`` is told as each is taken."""
    taken: dict[int, Path] = {}
    for done, width in enumerate(widths):
        step(done, len(widths))
        height = min(full_height(html_text, width=width), max_height)
        png = html_path.with_name(f"{html_path.stem}-{width}.png")
        taken[width] = screenshot(html_path, png, width=width, height=height)
    step(len(widths), len(widths))
    return taken


def full_height(html_text: str, *, width: int, timeout: float = 60.0) -> int:
    """The page height at ``width`` px, so a screenshot can show the whole email."""
    facts = probe_layout(html_text, width=width, height=400, timeout=timeout)
    return max(200, int(facts["contentHeight"]))
