"""View-models without QML: what they compute, and that they notify only on real change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QObject, SignalInstance

from kiosk.domain import ServiceCode
from kiosk.ui.vm.idle import IdleWatch
from kiosk.ui.vm.root import KioskViewModel
from kiosk.ui.vm.schedule import ANYONE, ScheduleViewModel
from kiosk.ui.vm.services import ServicesViewModel
from kiosk.ui.vm.start import StartViewModel
from tests.ui.fakes import EMPTY, NOW, OFFLINE, ONLINE, PROFILE, Clock, busy_snapshot

TZ = ZoneInfo("Asia/Shanghai")


class Counter:
    def __init__(self, signal: SignalInstance) -> None:
        self.count = 0
        signal.connect(self._hit)

    def _hit(self, *_: object) -> None:
        self.count += 1


def test_start_notifies_only_when_the_place_changes(qapp: QObject) -> None:
    vm = StartViewModel()
    changes = Counter(vm.placeChanged)
    vm.apply(PROFILE)
    vm.apply(PROFILE)
    vm.apply(None)  # a damaged cache keeps what is shown
    assert changes.count == 1
    assert vm.property("bureauName") == "沈阳市司法局"
    assert vm.property("siteName") == "方巾牛村公共法律服务室"


def test_services_count_who_can_be_called_now(qapp: QObject) -> None:
    vm = ServicesViewModel("file:///icons/")
    changes = Counter(vm.servicesChanged)
    vm.update(ONLINE.schedule, NOW)
    vm.update(ONLINE.schedule, NOW + timedelta(seconds=30))
    assert changes.count == 1
    by_code = {s["code"]: s for s in vm.property("services")}
    assert list(by_code) == [c.value for c in ServiceCode]
    assert by_code["legal_consultation"]["callable"] == 2
    assert by_code["legal_education"]["callable"] == 0
    assert by_code["mediation"]["icon"] == "file:///icons/mediation.svg"


def _schedule_vm() -> tuple[ScheduleViewModel, dict[str, Counter]]:
    vm = ScheduleViewModel(TZ, NOW)
    names = [
        "serviceChanged",
        "situationChanged",
        "onDutyChanged",
        "upcomingChanged",
        "freshnessChanged",
    ]
    return vm, {n: Counter(getattr(vm, n)) for n in names}


def test_schedule_ready_lists_available_first_and_upcoming(qapp: QObject) -> None:
    vm, counters = _schedule_vm()
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    assert vm.property("situation") == "ready"
    cards = vm.property("onDuty")
    assert [c["name"] for c in cards] == ["张伟", "王丽", "李明"]
    assert [c["available"] for c in cards] == [True, True, False]
    assert cards[0]["start"] == "13:30" and cards[0]["end"] == "17:30"  # local time
    assert cards[0]["group"] == "lawyer" and cards[2]["group"] == "notary"
    nxt = vm.property("upcoming")[0]
    assert (nxt["name"], nxt["dayOffset"], nxt["start"], nxt["dayWeekday"]) == (
        "赵刚",
        1,
        "08:30",
        3,
    )
    assert vm.property("stale") is False and vm.property("minutesAgo") == -1

    before = {n: c.count for n, c in counters.items()}
    vm.set_snapshot(ONLINE)  # same data again
    vm.set_now(NOW + timedelta(minutes=1))  # a minute later, nothing changed
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    assert {n: c.count for n, c in counters.items()} == before


def test_schedule_situations(qapp: QObject) -> None:
    vm, _ = _schedule_vm()
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.LEGAL_EDUCATION)
    assert vm.property("situation") == "nobody"
    assert vm.property("upcoming")[0]["name"] == "孙静"

    vm.set_snapshot(busy_snapshot())
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    assert vm.property("situation") == "busy"

    vm.set_snapshot(EMPTY)
    assert vm.property("situation") == "unknown"
    assert vm.property("onDuty") == [] and vm.property("upcoming") == []


def test_schedule_follows_the_clock(qapp: QObject) -> None:
    vm, counters = _schedule_vm()
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.MEDIATION)
    assert [c["name"] for c in vm.property("onDuty")] == ["王丽"]
    vm.set_now(NOW + timedelta(hours=4))  # 18:30: her shift has ended
    assert vm.property("situation") == "nobody"
    assert counters["onDutyChanged"].count == 2


def test_stale_schedule_says_how_old_it_is(qapp: QObject) -> None:
    vm, counters = _schedule_vm()
    vm.set_snapshot(OFFLINE)
    assert vm.property("stale") is False  # no service chosen: nothing to warn about
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    assert vm.property("stale") is True
    assert vm.property("minutesAgo") == 12
    assert vm.property("situation") == "ready"  # the cached schedule is still used
    vm.set_now(NOW + timedelta(minutes=3))
    assert vm.property("minutesAgo") == 15
    vm.set_snapshot(replace(OFFLINE, online=True))
    assert vm.property("stale") is False
    assert counters["freshnessChanged"].count == 3


def test_calls_only_for_callable_experts(qapp: QObject) -> None:
    vm, _ = _schedule_vm()
    calls: list[tuple[str, int]] = []
    vm.callRequested.connect(lambda service, expert: calls.append((service, expert)))
    vm.call(1)  # no service chosen yet
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    vm.call(1)
    vm.call(3)  # away
    vm.call(99)  # not on duty
    vm.callAnyone()
    assert calls == [("legal_consultation", 1), ("legal_consultation", ANYONE)]

    vm.set_snapshot(busy_snapshot())
    vm.callAnyone()
    assert len(calls) == 2


def test_only_reachable_experts_get_a_call_button(qapp: QObject) -> None:
    """Marked available is not enough: the hub must say a console of theirs is connected,
    over the terminal's socket (live) or, while that is down, in the schedule."""
    vm, counters = _schedule_vm()
    calls: list[tuple[str, int]] = []
    vm.callRequested.connect(lambda service, expert: calls.append((service, expert)))
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    # 张伟 closed his console: the hub's push says only 王丽 can be called.
    vm.set_presence({2})
    cards = vm.property("onDuty")
    assert [(c["name"], c["available"]) for c in cards] == [
        ("王丽", True), ("张伟", False), ("李明", False),
    ]
    vm.call(1)
    assert calls == []
    # Nobody reachable: no "call anyone" either, though two are marked available.
    vm.set_presence(set())
    assert vm.property("situation") == "busy"
    vm.callAnyone()
    assert calls == []
    # The socket is down: the schedule's own flags count again.
    vm.set_presence(None)
    assert vm.property("situation") == "ready"
    changed = counters["onDutyChanged"].count
    vm.set_presence(None)
    assert counters["onDutyChanged"].count == changed


def test_an_expert_without_a_console_is_not_callable_from_the_schedule(qapp: QObject) -> None:
    entries = [
        e.model_copy(update={"reachable": False}) if e.expert_id == 1 else e
        for e in ONLINE.schedule.entries  # type: ignore[union-attr]
    ]
    snapshot = replace(ONLINE, schedule=ONLINE.schedule.model_copy(  # type: ignore[union-attr]
        update={"entries": entries}))
    vm, _ = _schedule_vm()
    vm.set_snapshot(snapshot)
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    assert [c["available"] for c in vm.property("onDuty")] == [True, False, False]
    services = ServicesViewModel("file:///icons/")
    services.update(snapshot.schedule, NOW)
    by_code = {s["code"]: s["callable"] for s in services.property("services")}
    assert by_code["legal_consultation"] == 1
    services.set_presence({1, 2})
    by_code = {s["code"]: s["callable"] for s in services.property("services")}
    assert by_code["legal_consultation"] == 2


def test_clear_forgets_the_resident(qapp: QObject) -> None:
    vm, _ = _schedule_vm()
    vm.set_snapshot(ONLINE)
    vm.show(ServiceCode.LEGAL_CONSULTATION)
    vm.clear()
    assert vm.property("service") == ""
    assert vm.property("situation") == ""
    assert vm.property("onDuty") == [] and vm.property("upcoming") == []


@dataclass
class Root:
    vm: KioskViewModel
    clock: Clock
    languages: list[str]


@pytest.fixture
def root(qapp: QObject) -> Root:
    languages: list[str] = []
    clock = Clock()
    vm = KioskViewModel(
        default_language="zh_CN",
        tz=TZ,
        clock=clock,
        idle=IdleWatch(60, 10),
        icon_base="file:///icons/",
        switch_language=languages.append,
        request_refresh=lambda: None,
    )
    return Root(vm, clock, languages)


def test_root_notifies_only_on_change(root: Root) -> None:
    screen, language, clock = (
        Counter(root.vm.screenChanged),
        Counter(root.vm.languageChanged),
        Counter(root.vm.clockChanged),
    )
    root.vm.setLanguage("zh_CN")
    root.vm.tick()
    root.vm.tick()
    root.vm.back()  # already at the start
    assert (screen.count, language.count, clock.count) == (0, 0, 0)

    root.vm.setLanguage("en")
    root.vm.setLanguage("en")
    root.vm.setLanguage("fr")  # not a kiosk language: ignored
    assert language.count == 1
    assert root.languages == ["en"]

    root.clock.now = NOW + timedelta(seconds=20)
    root.vm.tick()
    assert clock.count == 0  # still 14:30
    root.clock.now = NOW + timedelta(minutes=1)
    root.vm.tick()
    assert clock.count == 1
    assert root.vm.property("timeText") == "14:31"


def test_root_visit_and_reset(root: Root) -> None:
    root.vm.apply_snapshot(ONLINE)
    root.vm.begin()
    root.vm.begin()  # a double tap is harmless
    root.vm.chooseService("no_such_service")
    assert root.vm.property("screen") == "services"
    root.vm.chooseService("legal_aid")
    assert root.vm.property("screen") == "schedule"
    assert root.vm.schedule_vm.property("service") == "legal_aid"
    root.vm.setLanguage("en")
    assert root.vm.idle_watch.armed

    root.vm.reset()
    assert root.vm.property("screen") == "start"
    assert root.vm.property("language") == "zh_CN"
    assert root.vm.schedule_vm.property("service") == ""
    assert not root.vm.idle_watch.armed
    # Public data stays: the start screen still knows where it stands.
    assert root.vm.start_vm.property("siteName") == "方巾牛村公共法律服务室"
