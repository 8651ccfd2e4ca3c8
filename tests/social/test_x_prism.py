"""tweepy's requests, as the X channel sends them, against Prism serving X's official spec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from distributor.channels.base import DeliveryContext
from distributor.channels.x import XChannel
from distributor.compose.threads import compose_thread
from distributor.errors import Permanent
from distributor.settings import Settings
from distributor.text import XRule
from tests.servers.prism import prism_mock
from tests.social.posting import SECRETS, delivery_for, post_thread
from tests.social.stories import make_story

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prism(specs_dir_module: Path) -> Iterator[str]:
    spec = specs_dir_module / "x" / "openapi.prism.json"
    with prism_mock(spec, "-d", "--seed", "1") as url:
        yield url


@pytest.fixture(scope="module")
def specs_dir_module() -> Path:
    from tests.conftest import SPECS

    if SPECS is None:
        pytest.skip("the provider specs (../shared/specs) are not present beside the repository")
    return SPECS


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


def test_a_thread_passes_prisms_validation_of_the_x_spec(prism: str) -> None:
    channel = XChannel(Settings(channels={"x": {"base_url": prism}}))
    thread = compose_thread(make_story(), XRule(), Settings())
    ids = post_thread(channel, thread, [])
    assert all(i and i.isdigit() for i in ids)


def test_prism_refuses_a_reply_id_the_spec_does_not_allow(prism: str) -> None:
    channel = XChannel(Settings(channels={"x": {"base_url": prism}}))
    thread = compose_thread(make_story(), XRule(), Settings())
    with pytest.raises(Permanent) as info:
        channel.deliver(delivery_for(thread, 1), DeliveryContext(reply_to="not-a-number"))
    assert info.value.status == 422
