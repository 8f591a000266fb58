"""The hub killed (SIGKILL) at each point of a call, started again on the same database and
port, with the real lawyer page in Chromium: the page is told about its call and never stays
stuck, and the queue rings the lawyer as soon as the call is over.

The terminal is a Python socket doing what the kiosk does when its link comes back
(`call.request` again while waiting, `call.resume` in a call, the hang-up it kept);
its camera is a page of the same browser (tests/console/terminal.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.calls import arrange
from tests.console.conftest import open_console
from tests.console.terminal import MediaPeer, SignalClient, connect_media
from tests.console.test_console_calls import (
    assert_video_plays,
    card,
    clock_text,
    consultation_record,
    of,
)
from tests.support.hub import RunningHub, running_hub
from tests.support.postgres import sqlalchemy_url

pytestmark = pytest.mark.browser

SERVICE = "legal_consultation"
# The page reconnects with backoff (1, 2, 4, 8, then every 10 s, with jitter) while the
# hub is down; on a busy machine the hub itself takes seconds to start.
BACK_MS = 40_000


@dataclass(frozen=True)
class Arranged:
    hub: RunningHub
    tokens: tuple[str, str]


@pytest.fixture(scope="module")
def arranged(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Arranged]:
    """A hub of this module's own (it is killed and started again): 张伟 on duty and
    available, the other lawyers off duty, two kiosks enrolled. On SQLite unless a test
    asks for `postgresql` (what a city's hub runs on)."""
    data = tmp_path_factory.mktemp("restart-hub")
    db_url = None
    if getattr(request, "param", "sqlite") == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        # the session's cluster is shared: a name of its own, whoever came before
        db_url = sqlalchemy_url(cluster.create_database(f"kiosk_restart_{uuid.uuid4().hex[:8]}"))
    with running_hub(data, db_url, extra_args=("--restart-grace", "60")) as hub:
        zhang, wang, li = hub.lawyers
        arrange(hub, on_duty=(zhang,), off_duty=(wang, li))
        yield Arranged(hub, (hub.enrol_terminal()[1], hub.enrol_terminal()[1]))


@pytest.fixture
def hub(arranged: Arranged) -> Iterator[RunningHub]:
    yield arranged.hub
    if arranged.hub.process.poll() is not None:  # a test failed with the hub down
        arranged.hub.start()


@pytest.fixture
def lawyer(browser: Browser, hub: RunningHub) -> Iterator[Page]:
    with open_console(browser, hub) as console:
        page = console.login(hub.lawyer, "lawyer.html")
        page.on("dialog", lambda dialog: dialog.accept())
        expect(page.locator("#signal-state")).to_have_text("已连接")
        yield page
        # While the hub is down the page's requests fail (refused; reset if one was on its way
        # when the hub was killed); nothing else may.
        assert console.log.unexpected(
            "ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET", "WebSocket connection") == []


@pytest.fixture
def peer(browser: Browser, hub: RunningHub) -> Iterator[MediaPeer]:
    with MediaPeer.open(browser, hub) as media:
        yield media


def restart(hub: RunningHub, page: Page) -> None:
    """Kill the hub, see the page notice, start it again, see the page back."""
    hub.kill()
    expect(page.locator("#signal-state")).to_have_text("正在重新连接…")
    hub.start()
    expect(page.locator("#signal-state")).to_have_text("已连接", timeout=BACK_MS)


def accept(page: Page, terminal: SignalClient, cid: str) -> None:
    card(page, cid).get_by_role("button", name="接听").click()
    terminal.expect("call.accepted", where=of(cid))
    expect(page.locator("#call-view")).to_be_visible()


def request_call(terminal: SignalClient) -> tuple[str, dict[str, Any]]:
    """A resident's call, and the request to send again as the kiosk does on reconnect."""
    message = {
        "type": "call.request",
        "consultation_id": str(uuid.uuid4()),
        "service": SERVICE,
        "expert_id": None,
        "requested_at": datetime.now(UTC).isoformat(),
    }
    terminal.send(**message)
    terminal.expect("call.queued", where=of(message["consultation_id"]))
    return message["consultation_id"], message


def test_killed_while_ringing(
    lawyer: Page, hub: RunningHub, arranged: Arranged, peer: MediaPeer
) -> None:
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        cid, again = request_call(terminal)
        expect(card(lawyer, cid)).to_be_visible()
        restart(hub, lawyer)
    # The card the hub does not ring again (its kiosk is not back) goes, after a few seconds.
    expect(card(lawyer, cid)).to_have_count(0, timeout=15_000)
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        terminal.send(**again)
        terminal.expect("call.queued", where=of(cid))
        expect(card(lawyer, cid).get_by_role("button", name="接听")).to_be_enabled()
        accept(lawyer, terminal, cid)
        connect_media(terminal, peer, cid)
        assert_video_plays(lawyer)
        lawyer.get_by_role("button", name="挂断").click()
        terminal.expect("call.ended", where=of(cid))
    expect(lawyer.locator(f".outcome[data-consultation='{cid}']")).to_contain_text("您已挂断")


def test_killed_while_connecting(
    lawyer: Page, hub: RunningHub, arranged: Arranged, peer: MediaPeer
) -> None:
    """Accepted, no media yet: after the restart the kiosk resumes and offers."""
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        cid, _ = request_call(terminal)
        accept(lawyer, terminal, cid)
        restart(hub, lawyer)
    expect(lawyer.locator("#call-view")).to_be_visible()
    expect(lawyer.locator("#stage-status")).to_have_text("村民端与服务器的连接中断，正在等待重新连接……")
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        terminal.send(type="call.resume", consultation_id=cid, attempt=0)
        terminal.expect("call.accepted", where=of(cid))
        connect_media(terminal, peer, cid)
        assert_video_plays(lawyer)
        terminal.send(type="call.hangup", consultation_id=cid, reason="hung_up")
        expect(lawyer.locator(f".outcome[data-consultation='{cid}']")).to_contain_text(
            "村民已挂断"
        )


def test_killed_in_the_call_which_goes_on(
    lawyer: Page, hub: RunningHub, arranged: Arranged, peer: MediaPeer
) -> None:
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        cid, _ = request_call(terminal)
        accept(lawyer, terminal, cid)
        connect_media(terminal, peer, cid)
        hub.kill()
        # Media goes peer to peer: the conversation does not notice the hub is gone.
        assert_video_plays(lawyer)
        expect(lawyer.locator("#call-view")).to_be_visible()
        hub.start()
    expect(lawyer.locator("#signal-state")).to_have_text("已连接", timeout=BACK_MS)
    with SignalClient.terminal(hub, arranged.tokens[0]) as terminal:
        terminal.send(type="call.resume", consultation_id=cid, attempt=1)
        terminal.expect("call.accepted", where=of(cid))
        assert_video_plays(lawyer)
        # The kiosk rebuilds its connection after the restart: relayed as before.
        peer.close()
        connect_media(terminal, peer, cid, attempt=2)
        assert_video_plays(lawyer)
        lawyer.get_by_role("button", name="挂断").click()
        ended = terminal.expect("call.ended", where=of(cid))
        assert (ended["by"], ended["reason"]) == ("expert", "hung_up")


@pytest.mark.parametrize("arranged", ["sqlite", "postgresql"], indirect=True)
def test_hung_up_while_the_hub_was_down_and_the_next_call_rings(
    lawyer: Page, hub: RunningHub, arranged: Arranged, peer: MediaPeer
) -> None:
    """The tester's case: the lawyer's page no longer waits for a resident who is gone,
    the form has the call's real length, and the next resident's call rings at once."""
    with (
        SignalClient.terminal(hub, arranged.tokens[0]) as first,
        SignalClient.terminal(hub, arranged.tokens[1]) as second,
    ):
        cid, _ = request_call(first)
        accept(lawyer, first, cid)
        connect_media(first, peer, cid)
        assert_video_plays(lawyer)
        waiting, again = request_call(second)  # queued behind the busy lawyer
        hub.kill()
    # The resident hangs up while the hub is down: the kiosk closes its media, keeps the
    # hang-up, and sends it when the hub is back.
    hung_up = datetime.now(UTC)
    peer.close()
    hub.start()
    expect(lawyer.locator("#signal-state")).to_have_text("已连接", timeout=BACK_MS)
    with (
        SignalClient.terminal(hub, arranged.tokens[0]) as first,
        SignalClient.terminal(hub, arranged.tokens[1]) as second,
    ):
        second.send(**again)  # the waiting kiosk's replay: it queues behind the lawyer's call
        second.expect("call.queued", where=of(waiting))
        first.send(
            type="call.hangup", consultation_id=cid, reason="hung_up", at=hung_up.isoformat()
        )
        form = lawyer.locator(f".outcome[data-consultation='{cid}']")
        expect(form).to_contain_text("村民已挂断")
        expect(lawyer.locator("#call-view")).to_be_hidden()
        record = consultation_record(hub, cid)
        assert datetime.fromisoformat(record["ended_at"]) == hung_up
        length = (hung_up - datetime.fromisoformat(record["accepted_at"])).total_seconds()
        shown = "|".join(clock_text(s) for s in {int(length), int(length) + 1})
        expect(form).to_contain_text(re.compile(f"通话 ({shown})"))
        # Free again: the resident who waited rings the lawyer at once.
        expect(card(lawyer, waiting).get_by_role("button", name="接听")).to_be_enabled()
        second.send(type="call.cancel", consultation_id=waiting)
        expect(card(lawyer, waiting)).to_contain_text("村民已取消呼叫")
