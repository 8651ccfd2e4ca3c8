"""The preview page over plain HTTP: what an editor sees, and what nobody else can do.

The page shows the day ``run`` would send (one assembly), escapes every word of an
article, answers only on 127.0.0.1, approves only with the page's own token and only
the content it showed, and tells the page to reload when a source or template changes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from distributor.cli import main
from distributor.compose.digest import bundled_templates
from distributor.models import DeliveryState
from distributor.pipeline import day as assemble_day
from distributor.web import preview
from tests.config_file import write_config
from tests.preview.day import ARTICLES, FERRIES, news_day, serving

# What survives ingest untouched: a Markdown title is taken as it is written.
HOSTILE = (
    "---\n"
    "title: \"<script>alert('headline')</script> Council <img src=x onerror=alert(1)> budget\"\n"
    'url: "https://news.example.org/budget?a=1&b=<2>"\n'
    "---\n"
    "The council budget rises by £4m next year, to £120m, the council said on Monday.\n"
)


def _form(page: str) -> dict[str, list[str]]:
    """The first approve form's fields, as the browser would post them."""
    form = page[page.index('<form method="post" action="/approve"') :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return fields


def test_the_page_shows_the_day_run_assembles(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    composed = assemble_day.assemble(
        day.settings, assemble_day.read(day.settings)[0], now=datetime.now(UTC)
    )
    assert composed.digest is not None
    with serving(day) as url:
        page = requests.get(url, timeout=30)
        email = requests.get(url + "email.html", timeout=30)
    assert page.status_code == 200
    html = page.text
    # The email's subject and every post of every network, with its counted length.
    assert composed.digest.subject.replace("…", "") in html.replace("…", "")
    for network in ("x", "bluesky"):
        assert f'id="net-{network}"' in html
        for thread in composed.threads[network]:
            for post in thread.posts:
                assert f"{post.length}/{post.limit}" in html
    assert "limit 280 weighted characters" in html
    assert "planned 0" in html or "planned 1" in html  # a time on the schedule's clock
    # bluesky is composed but not a delivery channel: the page says it is not posted.
    assert "bluesky is not in [delivery] channels" in html
    # Every story with its lint beside it; the email in two frames, and its text twin.
    assert html.count('class="card story"') == 3
    assert 'class="email email-phone"' in html and 'class="email email-desktop"' in html
    assert "Plain text" in html and "Hello," in html
    assert email.status_code == 200
    assert "sandbox" in email.headers["Content-Security-Policy"]
    assert "img-src data:" in email.headers["Content-Security-Policy"]


def test_the_roundup_post_shows_which_headlines_it_carries_and_drops(tmp_path: Path) -> None:
    many = {
        f"story-{i:02}.txt": f"Council plan number {i} approved for the town of Place{i}\n"
        f"The council approved plan {i}, worth £{i + 2}m, on Monday.\n"
        for i in range(30)
    }
    day = news_day(tmp_path, many, social={"roundup_max_posts": 1})
    composed = assemble_day.assemble(
        day.settings, assemble_day.read(day.settings)[0], now=datetime.now(UTC)
    )
    roundup = composed.roundup_posts["x"]
    assert roundup.carried and roundup.dropped
    with serving(day) as url:
        html = requests.get(url, timeout=30).text
    x = html[html.index('id="net-x"') : html.index('id="net-bluesky"')]
    carried = x[x.index('class="carried"') : x.index('class="dropped"')]
    dropped = x[x.index('class="dropped"') :]
    assert all(item.headline in carried for item in roundup.carried)
    assert all(item.headline in dropped for item in roundup.dropped)
    total = len(roundup.carried) + len(roundup.dropped)
    assert f"carries {len(roundup.carried)} of {total} headlines" in x


def test_a_hostile_headline_is_shown_as_text(tmp_path: Path) -> None:
    day = news_day(tmp_path, {"hostile.md": HOSTILE, "ferries.txt": FERRIES})
    with serving(day) as url:
        page = requests.get(url, timeout=30)
        email = requests.get(url + "email.html", timeout=30).text
    html = page.text
    # The only script on the page is the page's own, from its own address.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/preview.js" defer>']
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&#39;headline&#39;)&lt;/script&gt;" in html
    assert "<script" not in email.lower()
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp


def test_the_command_serves_on_127_0_0_1_only_and_prints_the_url(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    cfg = write_config(
        tmp_path / "distributor.toml",
        {
            "ingest": {"sources": [str(day.news)]},
            "database": {"url": day.settings.database.url},
        },
    )
    command = [sys.executable, "-m", "distributor", "--config", str(cfg), "preview", "--serve"]
    server = subprocess.Popen(
        [*command, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line + (server.stderr.read() if server.poll() is not None else "")
        url, port = found.group(0), int(found.group(1))
        assert requests.get(url, timeout=30).status_code == 200
        assert requests.get(f"http://localhost:{port}/version", timeout=30).status_code == 200
        # Bound to 127.0.0.1 alone: another address of this machine is refused, even
        # another loopback one.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
        # A site that points its own name at 127.0.0.1 still names itself: refused.
        rebound = requests.get(url, headers={"Host": f"news.attacker.example:{port}"}, timeout=30)
        assert rebound.status_code == 403
        # The port taken: the second server says so and how to choose another.
        taken = subprocess.run(
            [*command, "--port", str(port)], capture_output=True, text=True, timeout=60
        )
        assert taken.returncode == 1
        assert "--port 0" in taken.stderr
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        assert server.wait(timeout=30) == 0
    day.engine.dispose()


def test_serve_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["preview", "--serve", "digest", "--out", str(tmp_path)],
        ["preview", "--port", "9000"],
        ["preview", "--serve", "--out", str(tmp_path)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)


def test_approving_needs_the_pages_own_token(tmp_path: Path) -> None:
    day = news_day(tmp_path)
    day.plan()
    assert day.held()
    with serving(day) as url, requests.Session() as editor:
        page = editor.get(url, timeout=30).text
        # Each thread run planned shows its place in the outbox beside the preview.
        x = page[page.index('id="net-x"') : page.index('id="net-bluesky"')]
        assert x.count("in the outbox: held (approval)") == len(
            {r.delivery.subject_id for r in day.held()}
        )
        fields = _form(page)
        assert fields["csrf"] and fields["delivery"]
        # Another site's form, posted in the editor's browser, has no token.
        forged = {"delivery": fields["delivery"]}
        answer = editor.post(url + "approve", data=forged, allow_redirects=False, timeout=30)
        assert answer.status_code == 403
        assert "Nothing was approved" in answer.text
        # A token from another session does not do either.
        with requests.Session() as other:
            other.get(url, timeout=30)
            stolen = {"csrf": _form(other.get(url, timeout=30).text)["csrf"]}
        forged_again = fields | stolen
        answer = editor.post(url + "approve", data=forged_again, allow_redirects=False, timeout=30)
        assert answer.status_code == 403
        assert all(r.delivery.state == DeliveryState.HELD for r in day.held())
        # The page's own form approves.
        answer = editor.post(url + "approve", data=fields, allow_redirects=False, timeout=30)
        assert answer.status_code == 303
        shown = editor.get(url, timeout=30).text
    assert "Approved " in shown
    assert "in the outbox: planned" in shown
    approved = {int(v.split(":")[0]) for v in fields["delivery"]}
    for record in day.outbox.records():
        if record.delivery.id in approved:
            assert record.approved and record.delivery.state == DeliveryState.PLANNED


def test_approving_content_that_changed_since_the_page_was_drawn_is_refused(
    tmp_path: Path,
) -> None:
    day = news_day(tmp_path)
    day.plan()
    with serving(day) as url, requests.Session() as editor:
        fields = _form(editor.get(url, timeout=30).text)
        # The article is edited and run plans the day again before the editor clicks.
        day.edit("ferries.txt", FERRIES.replace("two new boats", "three new boats"))
        day.plan()
        answer = editor.post(url + "approve", data=fields, allow_redirects=False, timeout=30)
        assert answer.status_code == 303
        shown = editor.get(url, timeout=30).text
    assert "Not approved" in shown and "changed since it was shown" in shown
    assert "three new boats" in shown  # the page shows what is there now
    assert all(not r.approved and r.delivery.state == DeliveryState.HELD for r in day.held())


def test_the_version_changes_when_a_source_or_template_changes(tmp_path: Path) -> None:
    templates = tmp_path / "email-templates"
    shutil.copytree(bundled_templates("email"), templates)
    day = news_day(tmp_path, email={"templates": str(templates)})
    with serving(day) as url:
        first = requests.get(url + "version", timeout=30).text
        assert requests.get(url + "version", timeout=30).text == first  # steady when idle
        day.edit("ferries.txt", FERRIES.replace("Island ferries", "Island ferries at last"))
        second = requests.get(url + "version", timeout=30).text
        assert second != first
        assert "Island ferries at last get two new boats" in requests.get(url, timeout=30).text
        # An email template edited: the next drawing uses it.
        text = templates / "digest.txt.j2"
        before = text.stat().st_mtime_ns
        text.write_text("EDITED TWIN\n" + text.read_text(encoding="utf-8"), encoding="utf-8")
        os.utime(text, ns=(before + 2_000_000_000, before + 2_000_000_000))
        third = requests.get(url + "version", timeout=30).text
        assert third not in (first, second)
        assert "EDITED TWIN" in requests.get(url, timeout=30).text
        # An article added to the folder counts too.
        (day.news / "new.txt").write_text(ARTICLES["roads.txt"], encoding="utf-8")
        assert requests.get(url + "version", timeout=30).text != third


def test_the_page_is_drawn_again_once_the_digest_time_passes(tmp_path: Path) -> None:
    day = news_day(tmp_path, schedule={"timezone": "UTC", "digest_at": "07:00"})
    clock = [datetime(2026, 11, 30, 6, 59, tzinfo=UTC)]
    page = preview.Preview(day.settings, None, day.outbox, clock=lambda: clock[0])
    before = page.day()
    assert before.email is not None and before.email.edition == date(2026, 11, 30)
    # Nothing was edited, but today's email has gone at 07:00: tomorrow's is next.
    clock[0] = datetime(2026, 11, 30, 7, 1, tzinfo=UTC)
    after = page.day()
    assert after.version != before.version
    assert after.email is not None and after.email.edition == date(2026, 12, 1)
    day.engine.dispose()
