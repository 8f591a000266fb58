"""Video consultations on the lawyer page, against the real hub's signaling.

The terminal is a Python WebSocket on `/v1/signal/terminal`; its camera is a
second page of the same browser (tests/console/terminal.py). The lawyer's page
is the real console, logged in, on duty and available.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kiosk.hub.demo import DEMO_LAWYERS
from tests.console.conftest import Console, ConsoleLog
from tests.console.terminal import MediaPeer, SignalClient, connect_media
from tests.support.hub import Credentials, RunningHub

pytestmark = pytest.mark.browser

SERVICE = "legal_consultation"
SEND_BITRATE_BPS = 500_000  # kiosk/hub/console/call.js


@dataclass(frozen=True)
class Kiosk:
    id: int
    token: str
    place: dict[str, Any]


@dataclass(frozen=True)
class Lawyer:
    page: Page
    expert_id: int
    log: ConsoleLog


def _ok(response: Any) -> Any:
    assert not response.is_error, f"{response.request.url}: {response.status_code} {response.text}"
    return response


@pytest.fixture(scope="module")
def kiosks(demo_hub: RunningHub) -> list[Kiosk]:
    """Two enrolled demo terminals of this module's own (the last two of the list)."""
    with demo_hub.admin_client() as admin:
        ids = sorted(t["id"] for t in _ok(admin.get("/v1/terminals")).json())[-2:]
    enrolled = []
    for terminal_id in ids:
        _, token = demo_hub.enrol_terminal(terminal_id)
        with demo_hub.terminal_client(token) as client:
            place = _ok(client.get("/v1/terminal")).json()["terminal"]
        enrolled.append(Kiosk(terminal_id, token, place))
    return enrolled


@contextmanager
def on_duty(hub: RunningHub, credentials: Credentials) -> Iterator[int]:
    """A lawyer with a shift covering now, available; their availability restored after."""
    with hub.login(credentials) as client:
        me = _ok(client.get("/v1/me")).json()
        hub.put_shift_now(me["id"], hours=3)
        _ok(client.put("/v1/me/availability", json={"availability": "available"}))
    try:
        yield int(me["id"])
    finally:
        with hub.login(credentials) as client:
            client.put("/v1/me/availability", json={"availability": me["availability"]})


@pytest.fixture
def lawyer(console: Console, demo_hub: RunningHub) -> Iterator[Lawyer]:
    with on_duty(demo_hub, demo_hub.lawyer) as expert_id:
        page = console.login(demo_hub.lawyer, expect="lawyer.html")
        expect(page.locator("#signal-state")).to_have_text("已连接")
        yield Lawyer(page, expert_id, console.log)
    assert console.log.unexpected() == []


@pytest.fixture
def peer(browser: Browser, demo_hub: RunningHub) -> Iterator[MediaPeer]:
    with MediaPeer.open(browser, demo_hub) as media:
        yield media


@contextmanager
def kiosk_call(terminal: SignalClient, expert_id: int | None = None) -> Iterator[str]:
    """A resident's call; whatever happens, the terminal ends it after (nobody stays busy)."""
    consultation_id = terminal.request_call(SERVICE, expert_id)
    try:
        yield consultation_id
    finally:
        with suppress(Exception):
            terminal.send(type="call.hangup", consultation_id=consultation_id, reason="hung_up")
            terminal.drain(0.3)


def of(consultation_id: str) -> Any:
    return lambda m: m.get("consultation_id") == consultation_id


def card(page: Page, consultation_id: str) -> Any:
    return page.locator(f".ring-card[data-consultation='{consultation_id}']")


def clock_text(seconds: int) -> str:
    """As the console's timer and outcome form show a length: "01:05"."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes:02d}:{rest:02d}"


def video_progress(page: Page, selector: str = "#remote-video") -> tuple[float, int]:
    time_s, frames = page.evaluate(
        """s => { const v = document.querySelector(s);
                  return [v.currentTime, v.getVideoPlaybackQuality().totalVideoFrames]; }""",
        selector,
    )
    return float(time_s), int(frames)


def assert_video_plays(page: Page) -> None:
    """The console's remote <video> shows frames, and keeps showing new ones."""
    page.wait_for_function(
        """() => { const v = document.getElementById('remote-video');
                   return v.currentTime > 0
                       && v.getVideoPlaybackQuality().totalVideoFrames > 5; }"""
    )
    time_before, frames_before = video_progress(page)
    page.wait_for_timeout(1200)
    time_after, frames_after = video_progress(page)
    assert time_after > time_before and frames_after > frames_before, (
        f"remote video stalled: {time_before}->{time_after} s, {frames_before}->{frames_after}"
    )


def consultation_record(hub: RunningHub, consultation_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    window = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(minutes=5)).isoformat(),
    }
    with hub.lawyer_client() as client:
        rows = _ok(client.get("/v1/consultations", params=window)).json()
    found: dict[str, Any] = next(r for r in rows if r["id"] == consultation_id)
    return found


def accept_and_connect(
    lawyer: Lawyer, terminal: SignalClient, peer: MediaPeer, consultation_id: str
) -> None:
    page = lawyer.page
    card(page, consultation_id).get_by_role("button", name="接听").click()
    accepted = terminal.expect("call.accepted", where=of(consultation_id))
    assert accepted["expert"]["id"] == lawyer.expert_id
    expect(page.locator("#call-view")).to_be_visible()
    connect_media(terminal, peer, consultation_id)
    assert_video_plays(page)


# --- tests --------------------------------------------------------------------------------


def test_ringing_card_accept_talk_and_hang_up_from_console(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page, kiosk = lawyer.page, kiosks[0]
    with SignalClient.terminal(demo_hub, kiosk.token) as terminal, kiosk_call(terminal) as cid:
        queued = terminal.expect("call.queued", where=of(cid))
        assert lawyer.expert_id in [e["id"] for e in queued["ringing"]]

        ringing = card(page, cid)
        expect(ringing).to_be_visible()
        for text in (kiosk.place["county"], kiosk.place["town"], kiosk.place["village"]):
            expect(ringing.locator(".ring-place")).to_contain_text(text)
        expect(ringing).to_contain_text(kiosk.place["site_name"])
        expect(ringing).to_contain_text("法律咨询")
        expect(ringing).not_to_contain_text("指定找您")
        expect(page.locator("#ring-banner")).to_be_visible()
        expect(page.locator("#ring-banner")).to_contain_text(kiosk.place["village"])
        waited = ringing.locator(".wait").inner_text()
        expect(ringing.locator(".wait")).not_to_have_text(waited)  # counts up
        expect(page.locator("#calls-empty")).to_be_hidden()

        # No sound before the lawyer has touched the page (autoplay policy): a click starts it.
        expect(page.locator("#ring-banner")).to_contain_text("点一下页面任意处即可响铃")
        expect(page.locator("#sound-hint")).to_be_visible()
        page.get_by_role("heading", name="来电").click()
        expect(page.locator("#sound-hint")).to_be_hidden()
        expect(page.locator("#ring-banner-sound")).to_be_hidden()
        page.wait_for_function(
            "() => { const r = window.lawyerConsole.ringer;"
            " return r.ctx.state === 'running' && r.master !== null; }"
        )

        accept_and_connect(lawyer, terminal, peer, cid)
        expect(page.locator("#ring-banner")).to_be_hidden()
        assert page.evaluate("() => window.lawyerConsole.ringer.master") is None
        expect(page.locator("#call-place")).to_contain_text(kiosk.place["village"])
        # The lawyer's camera reaches the kiosk, capped for the village link.
        for _ in range(20):
            if peer.video_frames_received() > 0:
                break
            page.wait_for_timeout(250)
        assert peer.video_frames_received() > 0
        caps = page.evaluate(
            """() => window.lawyerConsole.calls.current.pc.getSenders()
                 .filter(s => s.track).map(s => s.getParameters().encodings[0].maxBitrate)"""
        )
        assert len(caps) == 2 and all(c > 0 for c in caps) and sum(caps) <= SEND_BITRATE_BPS
        expect(page.locator("#call-timer")).not_to_have_text("00:00")
        expect(page.locator("#call-quality-word")).to_have_text(re.compile("^(好|一般|差)$"))

        notes = "村民询问土地承包合同到期后能否续包。"
        page.get_by_label("通话笔记").fill(notes)
        expect(page.locator("#notes-state")).to_have_text("已保存")

        page.get_by_role("button", name="静音").click()
        stream = "window.lawyerConsole.calls.current.localStream"
        assert page.evaluate(f"() => {stream}.getAudioTracks()[0].enabled") is False
        expect(page.locator("#btn-mute")).to_contain_text("已静音")
        page.locator("#btn-mute").click()
        page.locator("#btn-camera").click()
        assert page.evaluate(f"() => {stream}.getVideoTracks()[0].enabled") is False
        expect(page.locator("#camera-off-note")).to_be_visible()

        page.get_by_role("button", name="挂断").click()
        ended = terminal.expect("call.ended", where=of(cid))
        assert (ended["by"], ended["reason"]) == ("expert", "hung_up")

        expect(page.locator("#call-view")).to_be_hidden()
        assert page.evaluate("() => document.getElementById('self-video').srcObject") is None
        form = page.locator(f".outcome[data-consultation='{cid}']")
        expect(form).to_be_visible()
        expect(form).to_contain_text("您已挂断")
        expect(form.get_by_label("笔记")).to_have_value(notes)
        # Nothing chosen: the form says so and sends nothing.
        form.get_by_role("button", name="保存结果").click()
        expect(form).to_contain_text("请选择这次咨询的结果")
        form.get_by_text("已解答", exact=True).click()
        form.get_by_label("笔记").fill(notes + "已告知可按原合同条件优先续包。")
        form.get_by_role("button", name="保存结果").click()
        expect(form).to_have_count(0)
        expect(page.locator("#toast")).to_contain_text("已保存")

    record = consultation_record(demo_hub, cid)
    assert record["outcome"] == "answered"
    assert record["notes"] == notes + "已告知可按原合同条件优先续包。"
    assert (record["ended_by"], record["end_reason"]) == ("expert", "hung_up")


def test_resident_hangs_up_and_the_outcome_form_appears(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page = lawyer.page
    with (
        SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
        kiosk_call(terminal, expert_id=lawyer.expert_id) as cid,
    ):
        expect(card(page, cid)).to_contain_text("指定找您")
        expect(page.locator("#ring-banner")).to_contain_text("指定找您")
        accept_and_connect(lawyer, terminal, peer, cid)

        terminal.send(type="call.hangup", consultation_id=cid, reason="hung_up")
        form = page.locator(f".outcome[data-consultation='{cid}']")
        expect(form).to_be_visible()
        expect(form).to_contain_text("村民已挂断")
        expect(page.locator("#call-view")).to_be_hidden()
        form.get_by_text("已转介", exact=True).click()
        form.get_by_label("笔记").fill("转县法律援助中心。")
        form.get_by_role("button", name="保存结果").click()
        expect(form).to_have_count(0)

    record = consultation_record(demo_hub, cid)
    assert (record["outcome"], record["notes"]) == ("referred", "转县法律援助中心。")
    assert (record["ended_by"], record["end_reason"]) == ("terminal", "hung_up")


def test_kiosk_rebuilds_its_connection_and_the_console_answers_anew(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page = lawyer.page
    with SignalClient.terminal(demo_hub, kiosks[0].token) as terminal, kiosk_call(terminal) as cid:
        accept_and_connect(lawyer, terminal, peer, cid)
        first_pc = page.evaluate("() => window.lawyerConsole.calls.current.attempt")
        assert first_pc == 1

        # Media lost: the kiosk closes its peer connection and offers again with attempt 2.
        peer.close()
        connect_media(terminal, peer, cid, attempt=2)
        assert page.evaluate("() => window.lawyerConsole.calls.current.attempt") == 2
        assert_video_plays(page)
        expect(page.locator("#call-view")).to_be_visible()

        # A replayed old offer is refused by the hub and changes nothing here.
        terminal.send(type="sdp.offer", consultation_id=cid, sdp=peer.offer(), attempt=2)
        error = terminal.expect("error", where=of(cid))
        assert error["refused"] == "sdp.offer"

        page.get_by_role("button", name="挂断").click()
        terminal.expect("call.ended", where=of(cid))


def test_document_still_arrives_over_the_data_channel_and_is_not_kept(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page = lawyer.page
    with SignalClient.terminal(demo_hub, kiosks[0].token) as terminal, kiosk_call(terminal) as cid:
        accept_and_connect(lawyer, terminal, peer, cid)
        button = page.get_by_role("button", name="拍摄文件")
        expect(button).to_be_enabled()
        button.click()
        expect(page.locator("#doc-state")).to_contain_text("已收到")
        assert peer.document_requests() == 1
        still = page.locator("#doc-img")
        src = still.get_attribute("src") or ""
        assert src.startswith("blob:")
        assert page.evaluate("() => document.getElementById('doc-img').naturalWidth") == 1200

        page.get_by_role("button", name="放大查看文件").click()
        dialog = page.get_by_role("dialog", name="村民的文件")
        expect(dialog).to_be_visible()
        expect(dialog.locator("#doc-zoom-level")).to_have_text("100%")
        dialog.get_by_role("button", name="放大").click()
        expect(dialog.locator("#doc-zoom-level")).to_have_text("150%")
        width_150 = page.evaluate("() => document.getElementById('doc-big').clientWidth")
        dialog.get_by_role("button", name="放大").click()
        expect(dialog.locator("#doc-zoom-level")).to_have_text("200%")
        assert page.evaluate("() => document.getElementById('doc-big').clientWidth") > width_150
        dialog.get_by_role("button", name="缩小").click()
        expect(dialog.locator("#doc-zoom-level")).to_have_text("150%")
        dialog.get_by_role("button", name="关闭").click()
        expect(dialog).to_be_hidden()

        page.get_by_role("button", name="挂断").click()
        terminal.expect("call.ended", where=of(cid))
        # Nothing of the still is left: no image, and its blob URL is revoked.
        assert still.get_attribute("src") is None
        gone = page.evaluate("u => fetch(u).then(() => 'kept', () => 'revoked')", src)
        assert gone == "revoked"
        # The browser logs the failed fetch of the revoked URL: that one was ours.
        lawyer.log.errors[:] = [e for e in lawyer.log.errors if "ERR_FILE_NOT_FOUND" not in e]


def test_a_call_taken_by_another_lawyer_leaves_the_list(
    lawyer: Lawyer, kiosks: list[Kiosk], demo_hub: RunningHub
) -> None:
    page = lawyer.page
    demo = DEMO_LAWYERS[1]
    other = Credentials(demo.username, demo.password)
    with (
        on_duty(demo_hub, other) as other_id,
        SignalClient.lawyer(demo_hub, other) as rival,
        SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
        kiosk_call(terminal) as cid,
    ):
        ringing = card(page, cid)
        expect(ringing).to_be_visible()
        rival.expect("call.ringing", where=of(cid))
        rival.send(type="call.accept", consultation_id=cid)
        assert rival.expect("call.taken", where=of(cid))["by_you"] is True
        assert terminal.expect("call.accepted", where=of(cid))["expert"]["id"] == other_id

        expect(ringing).to_contain_text("已被其他律师接听")
        expect(ringing.get_by_role("button", name="接听")).to_be_hidden()
        expect(page.locator("#ring-banner")).to_be_hidden()
        expect(ringing).to_have_count(0)
        expect(page.locator("#calls-empty")).to_be_visible()


def test_declining_removes_the_call_and_the_resident_hears_all_busy(
    lawyer: Lawyer, kiosks: list[Kiosk], demo_hub: RunningHub
) -> None:
    page = lawyer.page
    with SignalClient.terminal(demo_hub, kiosks[1].token) as terminal, kiosk_call(terminal) as cid:
        ringing = card(page, cid)
        ringing.get_by_role("button", name="拒接").click()
        expect(ringing).to_have_count(0)
        expect(page.locator("#ring-banner")).to_be_hidden()
        ended = terminal.expect("call.ended", where=of(cid))
        assert ended["reason"] == "all_busy"


def test_several_calls_ring_oldest_first(
    lawyer: Lawyer, kiosks: list[Kiosk], demo_hub: RunningHub
) -> None:
    page = lawyer.page
    with (
        SignalClient.terminal(demo_hub, kiosks[0].token) as first,
        kiosk_call(first) as older,
    ):
        expect(card(page, older)).to_be_visible()
        with (
            SignalClient.terminal(demo_hub, kiosks[1].token) as second,
            kiosk_call(second, expert_id=lawyer.expert_id) as newer,
        ):
            expect(card(page, newer)).to_be_visible()
            order = page.locator(".ring-card").evaluate_all(
                "cards => cards.map(c => c.dataset.consultation)"
            )
            assert order == [older, newer]
            expect(page.locator("#ring-banner")).to_contain_text("有 2 个来电")
            # The resident gives up: that card says so and goes, the other stays.
            first.send(type="call.cancel", consultation_id=older)
            expect(card(page, older)).to_contain_text("村民已取消呼叫")
            expect(card(page, older)).to_have_count(0)
            expect(card(page, newer)).to_be_visible()
            expect(page.locator("#ring-banner")).to_contain_text("有村民来电")


def test_callback_requests_list_and_mark_done(
    lawyer: Lawyer, kiosks: list[Kiosk], demo_hub: RunningHub
) -> None:
    page, kiosk = lawyer.page, kiosks[1]
    # A resident who reached nobody: the call ends unanswered and they leave a number.
    with SignalClient.terminal(demo_hub, kiosk.token) as terminal:
        cid = terminal.request_call(SERVICE)
        terminal.send(type="call.cancel", consultation_id=cid)
        terminal.expect("call.ended", where=of(cid))
    with demo_hub.terminal_client(kiosk.token) as client:
        body = {"consultation_id": cid, "phone": "13812345678"}
        callback = _ok(client.post("/v1/callbacks", json=body)).json()
        # One the hub never saw a call for (the kiosk was offline).
        body = {"consultation_id": str(uuid.uuid4()), "phone": "02488123456"}
        offline = _ok(client.post("/v1/callbacks", json=body)).json()

    page.reload()
    page.locator("body[data-ready='true']").wait_for()
    panel = page.get_by_role("region", name="回电请求")
    row = panel.locator(f"[data-callback='{callback['id']}']")
    expect(row).to_contain_text("138 1234 5678")
    expect(row).to_contain_text(kiosk.place["village"])
    expect(row).to_contain_text(kiosk.place["site_name"])
    expect(row).to_contain_text("法律咨询")
    expect(panel.locator(f"[data-callback='{offline['id']}']")).to_contain_text("024-8812 3456")

    row.get_by_role("button", name="已回电").click()
    expect(row).to_contain_text("确定已经打过这个电话了")
    row.get_by_role("button", name="确定").click()
    expect(row).to_have_count(0)
    with demo_hub.lawyer_client() as client:
        still_open = [c["id"] for c in _ok(client.get("/v1/callbacks")).json()]
    assert callback["id"] not in still_open and offline["id"] in still_open

    # Cancelling the confirmation keeps the row.
    other = panel.locator(f"[data-callback='{offline['id']}']")
    other.get_by_role("button", name="已回电").click()
    other.get_by_role("button", name="取消").click()
    expect(other.get_by_role("button", name="已回电")).to_be_visible()
    with demo_hub.lawyer_client() as client:
        _ok(client.put(f"/v1/callbacks/{offline['id']}/done"))


# --- how it looks -------------------------------------------------------------------------

SIZES = [(1366, 768), (1920, 1080)]


def check_layout(page: Page, name: str) -> None:
    """What a look would catch: wider than the window, small type, small controls."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px wider than the window"
    body_px = float(page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px"))
    assert body_px >= 18
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea')]
            .filter(e => e.offsetParent !== null && !['checkbox', 'radio'].includes(e.type))
            .filter(e => !e.closest('dialog:not([open])'))
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.id || e.textContent.trim())"""
    )
    assert small == [], f"{name}: controls under 44px high: {small}"
    tiny = page.evaluate(
        """() => [...document.querySelectorAll('main *, .ring-banner *')]
            .filter(e => e.offsetParent !== null && e.childNodes.length
                         && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => parseFloat(getComputedStyle(e).fontSize) < 18)
            .map(e => e.textContent.trim().slice(0, 20))"""
    )
    assert tiny == [], f"{name}: text under 18px: {tiny}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_call_screens_look_right(
    lawyer: Lawyer,
    kiosks: list[Kiosk],
    peer: MediaPeer,
    demo_hub: RunningHub,
    size: tuple[int, int],
) -> None:
    from tests.console.conftest import SCREENSHOTS

    width, height = size
    page = lawyer.page
    page.set_viewport_size({"width": width, "height": height})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(name: str, *, full_page: bool = True) -> None:
        page.evaluate("document.fonts.ready")
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}x{height}.png", full_page=full_page)
        check_layout(page, name)

    callbacks = []
    with demo_hub.terminal_client(kiosks[1].token) as client:
        for phone in ("13912345678", "02488123456"):
            body = {"consultation_id": str(uuid.uuid4()), "phone": phone}
            callbacks.append(_ok(client.post("/v1/callbacks", json=body)).json()["id"])
    page.reload()
    page.locator("body[data-ready='true']").wait_for()
    expect(page.locator("#signal-state")).to_have_text("已连接")

    try:
        with (
            SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
            SignalClient.terminal(demo_hub, kiosks[1].token) as other,
            kiosk_call(terminal) as cid,
            kiosk_call(other, expert_id=lawyer.expert_id) as other_cid,
        ):
            expect(card(page, cid)).to_be_visible()
            expect(card(page, other_cid)).to_be_visible()
            page.wait_for_timeout(2500)  # some waiting time on the cards
            expect(card(page, cid).get_by_role("button", name="接听")).to_be_in_viewport()
            expect(page.get_by_role("button", name="查看来电")).to_be_in_viewport()
            shoot("lawyer-ringing")

            accept_and_connect(lawyer, terminal, peer, cid)
            page.get_by_label("通话笔记").fill("村民询问土地承包合同到期后能否续包，合同约定不清。")
            page.get_by_role("button", name="拍摄文件").click()
            expect(page.locator("#doc-state")).to_contain_text("已收到")
            page.wait_for_timeout(2500)  # a quality reading
            for name in ("挂断", "静音", "关闭摄像头", "拍摄文件"):
                expect(page.get_by_role("button", name=name)).to_be_in_viewport()
            expect(page.locator("#remote-video")).to_be_in_viewport()
            shoot("lawyer-in-call", full_page=False)

            page.get_by_role("button", name="放大查看文件").click()
            page.get_by_role("dialog", name="村民的文件").get_by_role("button", name="放大").click()
            shoot("lawyer-document", full_page=False)
            page.get_by_role("button", name="关闭", exact=True).click()

            page.get_by_role("button", name="挂断").click()
            form = page.locator(f".outcome[data-consultation='{cid}']")
            expect(form).to_be_visible()
            expect(form.get_by_role("button", name="保存结果")).to_be_in_viewport()
            shoot("lawyer-outcome")
            form.get_by_text("已解答", exact=True).click()
            form.get_by_role("button", name="保存结果").click()
            expect(form).to_have_count(0)

        panel = page.get_by_role("region", name="回电请求")
        for callback_id in callbacks:
            expect(panel.locator(f"[data-callback='{callback_id}']")).to_be_visible()
        expect(page.locator(".ring-card")).to_have_count(0)
        panel.scroll_into_view_if_needed()
        shoot("lawyer-callbacks")
    finally:
        with demo_hub.lawyer_client() as client:
            for callback_id in callbacks:
                client.put(f"/v1/callbacks/{callback_id}/done")


def test_the_signaling_socket_reconnects_and_the_hub_resends_what_rings(
    console: Console, kiosks: list[Kiosk], demo_hub: RunningHub
) -> None:
    """A dropped socket shows 正在重新连接…, comes back by itself, and keeps ringing calls."""
    sockets: list[tuple[Any, Any]] = []

    def through(ws: Any) -> None:  # the page's socket, passed through to the real hub
        sockets.append((ws, ws.connect_to_server()))

    page = console.page
    page.route_web_socket("**/v1/signal/console", through)
    with on_duty(demo_hub, demo_hub.lawyer):
        page = console.login(demo_hub.lawyer, expect="lawyer.html")
        state = page.locator("#signal-state")
        expect(state).to_have_text("已连接")
        with (
            SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
            kiosk_call(terminal) as cid,
        ):
            expect(card(page, cid)).to_be_visible()
            page_side, hub_side = sockets[-1]
            hub_side.close(code=1001, reason="test")
            page_side.close(code=1006, reason="network")
            expect(state).to_have_text("正在重新连接…")
            expect(page.locator("#calls-offline")).to_be_visible()
            expect(state).to_have_text("已连接", timeout=10_000)
            expect(page.locator("#calls-offline")).to_be_hidden()
            assert len(sockets) == 2
            # Cards the hub does not re-send after a reconnect are dropped; this one it re-sent.
            page.wait_for_timeout(5_000)
            expect(card(page, cid)).to_be_visible()
            expect(card(page, cid).get_by_role("button", name="接听")).to_be_enabled()
            terminal.send(type="call.cancel", consultation_id=cid)
            expect(card(page, cid)).to_have_count(0)

        # A call that ended while the tab was away: the hub does not re-send it, the card goes.
        with (
            SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
            kiosk_call(terminal) as cid,
        ):
            expect(card(page, cid)).to_be_visible()
            page_side, hub_side = sockets[-1]
            hub_side.close(code=1001, reason="test")
            page_side.close(code=1006, reason="network")
            terminal.send(type="call.cancel", consultation_id=cid)
            terminal.expect("call.ended", where=of(cid))
            expect(state).to_have_text("已连接", timeout=10_000)
            expect(card(page, cid)).to_have_count(0, timeout=10_000)
    assert console.log.unexpected() == []


def test_a_reload_during_a_call_asks_first_and_the_call_goes_on(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page = lawyer.page
    dialogs: list[str] = []

    def leave(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    with SignalClient.terminal(demo_hub, kiosks[0].token) as terminal, kiosk_call(terminal) as cid:
        accept_and_connect(lawyer, terminal, peer, cid)
        page.get_by_label("通话笔记").fill("刷新前的笔记")
        expect(page.locator("#notes-state")).to_have_text("已保存")
        expect(page.locator("#call-timer")).not_to_have_text("00:00")
        page.reload()
        page.locator("body[data-ready='true']").wait_for()
        assert dialogs == ["beforeunload"]
        # The hub says the call goes on: back in it at once, with the notes, and a timer
        # that counts from the accept rather than from the reload.
        expect(page.locator("#call-view")).to_be_visible()
        expect(page.locator(f".outcome[data-consultation='{cid}']")).to_have_count(0)
        expect(page.get_by_label("通话笔记")).to_have_value("刷新前的笔记")
        expect(page.locator("#call-timer")).not_to_have_text(re.compile("^00:0[01]$"))
        expect(page.locator("#stage-status")).to_contain_text("重新连接")

        # The kiosk lost the page's media and offers again: the call comes back in this tab.
        peer.close()
        connect_media(terminal, peer, cid, attempt=2)
        assert_video_plays(page)

        page.get_by_role("button", name="挂断").click()
        terminal.expect("call.ended", where=of(cid))
        expect(page.locator(f".outcome[data-consultation='{cid}']")).to_be_visible()


def test_a_reload_after_the_call_ended_shows_how_it_ended(
    lawyer: Lawyer, kiosks: list[Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    """The resident hung up while the tab was reloading: the form says so, with the
    call's length by the hub's clock."""
    page = lawyer.page
    page.on("dialog", lambda dialog: dialog.accept())
    offline = [False]

    def socket(ws: Any) -> None:  # while offline, the page's socket is cut at once
        if offline[0]:
            ws.close(code=1011, reason="offline")
        else:
            ws.connect_to_server()

    page.route_web_socket("**/v1/signal/console", socket)
    with SignalClient.terminal(demo_hub, kiosks[0].token) as terminal, kiosk_call(terminal) as cid:
        accept_and_connect(lawyer, terminal, peer, cid)
        offline[0] = True
        page.reload()
        page.locator("body[data-ready='true']").wait_for()
        terminal.send(type="call.hangup", consultation_id=cid, reason="hung_up")
        terminal.expect("call.ended", where=of(cid))
        form = page.locator(f".outcome[data-consultation='{cid}']")
        expect(form).to_contain_text("页面刷新，通话中断")
        offline[0] = False
        expect(form).to_contain_text("村民已挂断")
        record = consultation_record(demo_hub, cid)
        ended, accepted = (datetime.fromisoformat(record[k]) for k in ("ended_at", "accepted_at"))
        length = (ended - accepted).total_seconds()
        # The page reads times to the millisecond: either whole second near the length.
        shown = "|".join(clock_text(s) for s in {math.floor(length), math.ceil(length)})
        expect(form).to_contain_text(re.compile(f"通话 ({shown})"))
