"""The technicians' maintenance screen: the way in, the mark by the clock, words, buttons."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtQuick import QQuickItem
from pytestqt.qtbot import QtBot

from kiosk.ui.app import KioskApp
from kiosk.ui.vm.maintenance import MaintenanceViewModel
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import (
    find,
    is_button,
    present,
    settle,
    tap,
    text_of,
    visible_texts,
    walk,
)
from tests.ui.test_screenshots import layout_faults

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "kiosk"
SIZES = [(1920, 1080), (1280, 800)]
LANGUAGES = ["zh_CN", "en"]
CODES = (
    "outbox_failed", "unsaved", "disk_full", "reserve_used",
    "write_failed", "set_aside", "parked", "clock_jumped",
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HOLD_MS = 5000


@dataclass(frozen=True)
class Health:
    """What `OutboxHealth` gives the view-model, read by attribute as it reads the real one."""

    pending: int = 0
    consultations: int = 0
    oldest_appended_at: float | None = None
    parked: int = 0
    set_aside: tuple[str, ...] = field(default_factory=tuple)
    unsaved: int = 0
    disk_full: bool = False
    reserve_used: bool = False
    key_where: str = "system keyring"
    problem: str = ""


@dataclass(frozen=True)
class Upload:
    """What `UploadStatus` gives the view-model."""

    state: str = "idle"
    sent_events: int = 0
    last_success_at: float | None = None
    last_error: str = ""
    next_attempt_in_s: float | None = None


AGO_3D_4H = 3 * 86400 + 4 * 3600 + 5 * 60
TROUBLE = Health(
    pending=37,
    consultations=5,
    oldest_appended_at=time.time() - AGO_3D_4H,
    parked=2,
    unsaved=3,
    disk_full=True,
    key_where="/var/lib/kiosk/keys/outbox.key",
    problem="database or disk is full",
)
WAITING = Upload(
    state="waiting",
    sent_events=128,
    last_success_at=time.time() - 3 * 3600,
    last_error="hub unreachable: ConnectError('[Errno 111] Connection refused')",
    next_attempt_in_s=42.4,
)


def _care(kiosk: KioskApp) -> MaintenanceViewModel:
    return kiosk.root.maintenance_vm


def _quiet(qtbot: QtBot, kiosk: KioskApp) -> MaintenanceViewModel:
    """The kiosk's own outbox has opened and its uploader found no hub link.

    They feed the same view-model from the loop thread; once both have spoken they
    stay silent (nothing is appended, the state does not change), so what a test
    feeds afterwards is what the screen shows.
    """
    care = _care(kiosk)
    qtbot.waitUntil(
        lambda: care.property("keyWhere") != "" and care.property("uploadState") == "no_link",
        timeout=5000,
    )
    # and the start-up probe of the video codec has answered (kiosk/call/hardware.py)
    qtbot.waitUntil(lambda: care.property("videoCodec") != "", timeout=15000)
    return care


def _open(qtbot: QtBot, kiosk: KioskApp) -> None:
    _care(kiosk).openScreen()
    qtbot.waitUntil(lambda: present(kiosk.window, "maintenanceScreen"), timeout=3000)
    settle(qtbot, kiosk)


def _hold(qtbot: QtBot, kiosk: KioskApp, name: str, ms: int) -> None:
    """A finger on `name` for `ms` milliseconds, then lifted."""
    item = find(kiosk.window, name)
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
    qtbot.mousePress(kiosk.window, Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[no-untyped-call]
    qtbot.wait(ms)
    qtbot.mouseRelease(kiosk.window, Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[no-untyped-call]


def _on_top(kiosk: KioskApp, item: QQuickItem) -> bool:
    """Shown, and on the maintenance screen rather than on the screen beneath it."""
    screen = find(kiosk.window, "maintenanceScreen")
    node: QQuickItem | None = item
    while node is not None and node is not screen:
        if not node.isVisible():
            return False
        node = node.parentItem()
    return node is screen


def _shown_codes(kiosk: KioskApp) -> list[str]:
    return [
        i.objectName().removeprefix("problem_")
        for i in walk(kiosk.window.contentItem())
        if i.objectName().startswith("problem_") and i.isVisible()
    ]


def test_holding_the_clock_five_seconds_opens_it_and_a_tap_does_not(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    care = _care(kiosk)

    tap(qtbot, kiosk, "clockText")
    qtbot.wait(200)
    assert not care.property("open")

    item = find(kiosk.window, "clockText")
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
    qtbot.mousePress(kiosk.window, Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[no-untyped-call]
    qtbot.wait(HOLD_MS - 700)
    assert not care.property("open")  # not yet: a resident leaning on it gets nowhere
    qtbot.waitUntil(lambda: bool(care.property("open")), timeout=2000)
    qtbot.mouseRelease(kiosk.window, Qt.MouseButton.LeftButton, pos=centre)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: present(kiosk.window, "maintenanceScreen"), timeout=3000)
    assert text_of(kiosk.window, "maintenanceTitle") == "维护信息"
    assert kiosk.root.property("screen") == "start"


def test_the_clock_is_no_way_in_during_a_visit(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    care = _quiet(qtbot, kiosk)
    care.set_outbox(Health(parked=1))
    tap(qtbot, kiosk, "startButton")
    qtbot.waitUntil(lambda: present(kiosk.window, "servicesScreen"), timeout=3000)
    settle(qtbot, kiosk)

    assert not present(kiosk.window, "maintenanceMark")  # residents are not shown the cue
    _hold(qtbot, kiosk, "clockText", HOLD_MS + 300)
    assert not care.property("open")


def test_the_mark_by_the_clock_shows_while_something_is_wrong(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    care = _quiet(qtbot, kiosk)
    assert not present(kiosk.window, "maintenanceMark")

    care.set_outbox(Health(pending=4, consultations=1, reserve_used=True))
    qtbot.waitUntil(lambda: present(kiosk.window, "maintenanceMark"), timeout=2000)
    settle(qtbot, kiosk)  # the bar's row places the mark with the next frame
    mark = find(kiosk.window, "maintenanceMark")
    clock = find(kiosk.window, "clockText")
    # Beside the clock, within the bar.
    assert mark.mapToScene(QPointF(0, 0)).x() < clock.mapToScene(QPointF(0, 0)).x()
    assert 0 < mark.mapToScene(QPointF(0, 0)).y() < clock.mapToScene(QPointF(0, clock.height())).y()

    care.set_outbox(Health(pending=4, consultations=1))
    qtbot.waitUntil(lambda: not present(kiosk.window, "maintenanceMark"), timeout=2000)


# Three sets, since the disk's troubles are reported one at a time (full, reserve, write).
PROBLEM_SETS = [
    (Health(unsaved=2, disk_full=True, problem="[Errno 28] No space left on device",
            set_aside=("/data/outbox.unreadable-20250101T000000.sqlite3",), parked=3), -7200.0, ""),
    (Health(reserve_used=True), 45.0, ""),
    (Health(problem="disk I/O error"), 0.0, "outbox cannot open: database is locked"),
]


def test_every_problem_reads_as_a_chinese_sentence(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    care = _quiet(qtbot, kiosk)
    _open(qtbot, kiosk)
    assert present(kiosk.window, "noProblems")
    assert "一切正常" in visible_texts(kiosk.window)

    seen: set[str] = set()
    for health, jump, failure in PROBLEM_SETS:
        care.set_outbox(health)
        care.clock_jumped(jump)
        if failure:
            care.outbox_failed(failure)
        expected = [p["code"] for p in care.property("problems")]
        qtbot.waitUntil(lambda e=expected: _shown_codes(kiosk) == e, timeout=2000)  # type: ignore[misc]
        assert not present(kiosk.window, "noProblems")
        sentences = [
            str(i.property("content"))
            for i in walk(kiosk.window.contentItem())
            if i.objectName() == "problemSentence" and i.isVisible()
        ]
        assert len(sentences) == len(expected)
        assert all(CHINESE.search(s) for s in sentences), sentences
        for text in visible_texts(kiosk.window):
            assert not any(code in text for code in CODES), text
        seen.update(expected)
    assert seen == set(CODES)

    care.set_outbox(Health(disk_full=True))
    care.clock_jumped(0.0)
    qtbot.waitUntil(lambda: _shown_codes(kiosk) == ["disk_full"], timeout=2000)
    assert text_of(kiosk.window, "problemSentence") == (
        "磁盘已满：新记录暂存在内存中，请清理磁盘空间。"
    )


def test_the_numbers_read_in_words(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    care = _quiet(qtbot, kiosk)
    care.set_outbox(TROUBLE)
    care.set_upload(WAITING)
    _open(qtbot, kiosk)
    window = kiosk.window
    assert text_of(window, "pendingValue") == "37 条"
    assert text_of(window, "consultationsValue") == "5 次咨询"
    assert text_of(window, "oldestValue") == "3 天 4 小时"
    assert text_of(window, "nextAttemptValue") == "42 秒后"
    assert text_of(window, "keyWhereValue") == "/var/lib/kiosk/keys/outbox.key"
    # The tests draw as a terminal without a GPU driver does.
    assert text_of(window, "rendererValue") == "处理器（没有找到显卡驱动）"
    # and, with no video hardware here, the start-up probe settled on VP8
    assert text_of(window, "videoCodecValue") == "VP8，软件编码"

    care.set_outbox(Health(pending=1, consultations=1, oldest_appended_at=time.time() - 12 * 60))
    care.set_upload(Upload(state="sending"))
    qtbot.waitUntil(lambda: text_of(window, "oldestValue") == "12 分钟", timeout=2000)
    assert text_of(window, "uploadStateValue") == "正在上传"
    assert text_of(window, "lastSuccessValue") == "尚无"
    assert text_of(window, "keyWhereValue") == "系统密钥环"

    care.set_outbox(Health())
    qtbot.waitUntil(lambda: text_of(window, "oldestValue") == "无", timeout=2000)


@pytest.mark.parametrize(
    ("language", "hardware", "software", "vp8"),
    [
        ("zh_CN", "H.264，硬件编码（h264_v4l2m2m）", "H.264，软件编码（libx264）", "VP8，软件编码"),
        ("en", "H.264, hardware (h264_v4l2m2m)", "H.264, software (libx264)", "VP8, software"),
    ],
)
def test_the_video_codec_line(
    qtbot: QtBot, make_kiosk: MakeKiosk, language: str, hardware: str, software: str, vp8: str
) -> None:
    from kiosk.call.hardware import H264, VP8_SOFTWARE, VideoCodecChoice

    kiosk = make_kiosk(language=language)
    care = _quiet(qtbot, kiosk)
    _open(qtbot, kiosk)
    window = kiosk.window
    label = "视频编码" if language == "zh_CN" else "Video codec"
    assert label in visible_texts(window)
    assert text_of(window, "videoCodecValue") == vp8
    care.set_video_codec(VideoCodecChoice(H264, "h264_v4l2m2m", True))
    qtbot.waitUntil(lambda: text_of(window, "videoCodecValue") == hardware, timeout=2000)
    settle(qtbot, kiosk)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grabWindow().save(str(SHOTS / f"maintenance-codec-{language}.png"))
    care.set_video_codec(VideoCodecChoice(H264, "libx264", False))
    qtbot.waitUntil(lambda: text_of(window, "videoCodecValue") == software, timeout=2000)
    care.set_video_codec(VP8_SOFTWARE)
    qtbot.waitUntil(lambda: text_of(window, "videoCodecValue") == vp8, timeout=2000)


def test_the_buttons_send_and_close_and_nothing_deletes(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    care = _quiet(qtbot, kiosk)
    _open(qtbot, kiosk)
    assert not present(kiosk.window, "releaseParked")  # nothing refused: nothing to resend

    with qtbot.waitSignal(care.retryRequested, timeout=2000):
        tap(qtbot, kiosk, "retryUpload")

    care.set_outbox(Health(parked=2))
    qtbot.waitUntil(lambda: present(kiosk.window, "releaseParked"), timeout=2000)
    settle(qtbot, kiosk)
    with qtbot.waitSignal(care.releaseParkedRequested, timeout=2000):
        tap(qtbot, kiosk, "releaseParked")

    # These three are all there is to press: none of them takes a record away.
    buttons = [i for i in walk(kiosk.window.contentItem()) if is_button(i) and _on_top(kiosk, i)]
    labels = [str(b.property("text")) for b in buttons]
    assert labels == ["返回", "重新发送被拒绝的记录", "立即上传"]

    tap(qtbot, kiosk, "maintenanceBack")
    qtbot.waitUntil(lambda: not present(kiosk.window, "maintenanceScreen"), timeout=2000)
    assert not care.property("open")
    assert kiosk.root.property("screen") == "start"


def test_a_tap_beside_the_buttons_presses_nothing_underneath(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    _open(qtbot, kiosk)
    tap(qtbot, kiosk, "startButton")  # still loaded under the maintenance screen
    qtbot.wait(200)
    assert kiosk.root.property("screen") == "start"
    assert present(kiosk.window, "maintenanceScreen")


def test_an_idle_reset_closes_it(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(idle_seconds=0.3, idle_warning_seconds=1)
    tap(qtbot, kiosk, "languageButton")  # a resident's visit left open in English
    _open(qtbot, kiosk)

    qtbot.waitUntil(lambda: present(kiosk.window, "idleOverlay"), timeout=3000)
    assert present(kiosk.window, "maintenanceScreen")  # the warning comes over it
    qtbot.waitUntil(lambda: not _care(kiosk).property("open"), timeout=4000)
    qtbot.waitUntil(lambda: not present(kiosk.window, "maintenanceScreen"), timeout=2000)
    assert kiosk.root.property("language") == "zh_CN"


def test_a_technician_who_walks_away_from_a_quiet_start_screen_is_closed(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    """The start screen in its own language arms no idle watch; an open maintenance screen does."""
    kiosk = make_kiosk(idle_seconds=0.3, idle_warning_seconds=1)
    _open(qtbot, kiosk)
    qtbot.waitUntil(lambda: not _care(kiosk).property("open"), timeout=5000)
    qtbot.waitUntil(lambda: not present(kiosk.window, "maintenanceScreen"), timeout=2000)


def test_more_problems_than_fit_can_be_scrolled_to(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(size=(1280, 800))
    care = _quiet(qtbot, kiosk)
    aside = tuple(f"/var/lib/kiosk/outbox.unreadable-2025031{n}T081502.sqlite3" for n in (1, 2))
    care.set_outbox(replace(TROUBLE, set_aside=aside))
    care.set_upload(WAITING)
    care.clock_jumped(-600.0)
    care.outbox_failed("outbox cannot open: database is locked")
    _open(qtbot, kiosk)

    body = find(kiosk.window, "maintenanceBody")
    assert body.property("contentHeight") > body.height()
    assert present(kiosk.window, "maintenanceScroll")  # a cue that there is more below
    body.setProperty("contentY", body.property("contentHeight") - body.height())
    settle(qtbot, kiosk)
    kiosk.window.grabWindow().save(str(SHOTS / "maintenance-scrolled-zh_CN-1280x800.png"))
    key = find(kiosk.window, "keyWhereValue")
    bottom = key.mapToScene(QPointF(0, key.height())).y()
    assert bottom <= body.mapToScene(QPointF(0, body.height())).y()
    # What scrolled off the top is clipped by the list, not lost off the window.
    faults = [f for f in layout_faults(kiosk, 48, 18) if not f.startswith("text outside")]
    assert faults == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshot(
    qtbot: QtBot, make_kiosk: MakeKiosk, language: str, size: tuple[int, int]
) -> None:
    kiosk = make_kiosk(size=size, language=language)
    care = _quiet(qtbot, kiosk)
    care.set_outbox(TROUBLE)
    care.set_upload(WAITING)
    care.clock_jumped(3600.0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(qtbot, kiosk)
    name = f"{language}-{size[0]}x{size[1]}.png"
    kiosk.window.grabWindow().save(str(SHOTS / f"maintenance-mark-{name}"))
    assert present(kiosk.window, "maintenanceMark")

    _open(qtbot, kiosk)
    qtbot.wait(50)
    image = kiosk.window.grabWindow()
    assert (image.width(), image.height()) == size
    image.save(str(SHOTS / f"maintenance-{name}"))

    assert _shown_codes(kiosk) == ["unsaved", "disk_full", "parked", "clock_jumped"]
    body = find(kiosk.window, "maintenanceBody")
    if size == (1920, 1080):
        # Every problem at once, a three-line upload error and the video codec line are
        # one fact row more than 1080 lines hold: the body scrolls by that row and says so.
        overflow = body.property("contentHeight") - body.height()
        assert overflow <= 60, "at most one row to scroll"
        assert find(kiosk.window, "maintenanceScroll").isVisible()
    else:
        assert body.property("contentHeight") <= body.height(), "must fit without scrolling"
    small = min(size) < 1000
    assert layout_faults(kiosk, 48 if small else 72, 18 if small else 24) == []
    assert kiosk.qml_warnings == []
    if language == "zh_CN":
        for text in visible_texts(kiosk.window):
            assert not any(code in text for code in CODES), text
