"""The root view-model: which screen shows, the language, the clock, and the visit's end."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, tzinfo

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.domain.codes import HOTLINE, ServiceCode
from kiosk.domain.visit import InvalidTransition, Visit, VisitState
from kiosk.ui.ports import ProfileLike, SnapshotLike
from kiosk.ui.present import clock_text, day_of
from kiosk.ui.vm.call import CallViewModel
from kiosk.ui.vm.fallback import FallbackReason, FallbackViewModel
from kiosk.ui.vm.idle import IdleWatch
from kiosk.ui.vm.maintenance import MaintenanceViewModel
from kiosk.ui.vm.qml import uncreatable
from kiosk.ui.vm.rating import RatingViewModel
from kiosk.ui.vm.schedule import ANYONE, ScheduleViewModel
from kiosk.ui.vm.services import ServicesViewModel
from kiosk.ui.vm.start import StartViewModel

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")


@QmlElement
@uncreatable()
class KioskViewModel(QObject):
    screenChanged = Signal()
    languageChanged = Signal()
    hotlineChanged = Signal()
    clockChanged = Signal()
    # (service code, expert id or ANYONE): the visit is on the call screen; ring.
    callStarted = Signal(str, int)

    def __init__(
        self,
        *,
        default_language: str,
        tz: tzinfo,
        clock: Callable[[], datetime],
        idle: IdleWatch,
        icon_base: str,
        switch_language: Callable[[str], None],
        request_refresh: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._default_language = default_language
        self._language = default_language
        self._tz = tz
        self._clock = clock
        self._icon_base = icon_base
        self._switch_language = switch_language
        self._request_refresh = request_refresh
        self._hotline = HOTLINE
        self._snapshot: SnapshotLike | None = None
        now = clock()
        self._minute = self._minute_of(now)
        self._time_text = clock_text(now, tz)
        self._date = day_of(now, now, tz)
        self._year = now.astimezone(tz).year

        self._visit = Visit(on_change=self._on_visit_change)
        self._start = StartViewModel(self)
        self._services = ServicesViewModel(icon_base, self)
        self._schedule = ScheduleViewModel(tz, now, self)
        self._call = CallViewModel(self)
        self._fallback = FallbackViewModel(self)
        self._rating = RatingViewModel(self)
        self._maintenance = MaintenanceViewModel(self)
        # An open maintenance screen is something to close when the technician walks away.
        self._maintenance.openChanged.connect(self._rearm)
        self._schedule.callRequested.connect(self._start_call)
        self._rating.finished.connect(self.reset)
        self._idle = idle
        idle.setParent(self)
        idle.expired.connect(self.reset)

        # The clock ticks every second so "14:05" turns over on time; everything
        # that depends on who is on duty is recomputed only when the minute changes.
        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()

    # Typed access from Python; QML uses the Qt properties below.
    @property
    def idle_watch(self) -> IdleWatch:
        return self._idle

    @property
    def start_vm(self) -> StartViewModel:
        return self._start

    @property
    def services_vm(self) -> ServicesViewModel:
        return self._services

    @property
    def schedule_vm(self) -> ScheduleViewModel:
        return self._schedule

    @property
    def call_vm(self) -> CallViewModel:
        return self._call

    @property
    def fallback_vm(self) -> FallbackViewModel:
        return self._fallback

    @property
    def rating_vm(self) -> RatingViewModel:
        return self._rating

    @property
    def maintenance_vm(self) -> MaintenanceViewModel:
        return self._maintenance

    def shutdown(self) -> None:
        self._ticker.stop()
        self._idle.set_armed(False)
        self._call.clear()
        self._rating.clear()

    # --- fed by the call desk ----------------------------------------------------------

    def call_finished(self, *, talked: bool, reason: FallbackReason = FallbackReason.NONE) -> None:
        """The consultation is over: rate it, or offer a callback when nobody was reached."""
        if self._visit.state != VisitState.CALL:
            return
        self._visit.call_ended(talked=talked)
        if talked:
            self._rating.ask()
        else:
            self._fallback.show(reason or FallbackReason.FAILED)
        self._rearm()

    def call_cancelled(self) -> None:
        """The resident stopped waiting: back to the schedule to choose again."""
        if self._visit.state == VisitState.CALL:
            self._visit.call_cancelled()
            self._rearm()

    # --- fed from Python ---------------------------------------------------------

    def apply_profile(self, profile: ProfileLike | None) -> None:
        """Who runs this terminal and where: all the start screen needs of the hub."""
        self._start.apply(profile)
        if profile is not None and profile.hotline and profile.hotline != self._hotline:
            self._hotline = profile.hotline
            self.hotlineChanged.emit()

    def apply_presence(self, reachable: Collection[int] | None) -> None:
        """Who the hub says can be called now (pushed over the terminal's socket), or None
        while that socket is down."""
        self._services.set_presence(reachable)
        self._schedule.set_presence(reachable)

    def refresh_now(self) -> None:
        """Ask the hub for the schedule at once (the hub said nobody could be called)."""
        self._request_refresh()

    def apply_snapshot(self, snapshot: SnapshotLike) -> None:
        now = self._clock()
        self._snapshot = snapshot
        self.apply_profile(snapshot.profile)
        self._services.update(snapshot.schedule, now)
        self._schedule.set_snapshot(snapshot)

    @Slot()
    def tick(self) -> None:
        now = self._clock()
        text = clock_text(now, self._tz)
        date, year = day_of(now, now, self._tz), now.astimezone(self._tz).year
        if (text, date, year) != (self._time_text, self._date, self._year):
            self._time_text, self._date, self._year = text, date, year
            self.clockChanged.emit()
        minute = self._minute_of(now)
        if minute != self._minute:
            self._minute = minute
            self._schedule.set_now(now)
            schedule = self._snapshot.schedule if self._snapshot is not None else None
            self._services.update(schedule, now)

    # --- actions from QML --------------------------------------------------------

    @Slot()
    def begin(self) -> None:
        self._guarded(self._visit.begin)

    @Slot(str)
    def chooseService(self, code: str) -> None:
        try:
            service = ServiceCode(code)
        except ValueError:
            log.error("unknown service code from QML: %r", code)
            return
        self._guarded(lambda: self._visit.choose_service(service))

    @Slot()
    def back(self) -> None:
        self._guarded(self._visit.back)

    @Slot()
    def home(self) -> None:
        if self._visit.state == VisitState.CALL:
            log.warning("ignored: home during a call")
            return
        self._visit.reset()
        self._rearm()

    @Slot()
    def toggleLanguage(self) -> None:
        self.setLanguage("en" if self._language == "zh_CN" else "zh_CN")

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        if language not in LANGUAGES:
            log.error("unknown language from QML: %r", language)
            return
        if language == self._language:
            return
        self._switch_language(language)
        self._language = language
        self.languageChanged.emit()
        self._rearm()

    @Slot()
    def reset(self) -> None:
        """End the visit: start screen, no service, default language, nothing kept."""
        log.info("visit reset")
        if self._visit.state == VisitState.CALL:
            # Never leave a line open behind the start screen.
            self._call.hangUp()
        self._visit.reset()
        self._schedule.clear()
        self._maintenance.close()  # a technician who walked away leaves the start screen
        self.setLanguage(self._default_language)
        self._rearm()

    # --- internals ---------------------------------------------------------------

    def _guarded(self, action: Callable[[], None]) -> None:
        # A double tap can ask for a transition the first tap already made.
        try:
            action()
        except InvalidTransition as exc:
            log.warning("ignored: %s", exc)
        self._rearm()

    def _start_call(self, service: str, expert_id: int) -> None:
        if self._visit.state != VisitState.SCHEDULE:
            log.warning("ignored: a call from the %s screen", self._visit.state)
            return
        # The call screen's model first: the screen binds to it as it appears.
        card = self._schedule.card_of(expert_id) if expert_id != ANYONE else None
        self._call.begin(service, card.name if card else "", card.group if card else "")
        self._visit.call()
        self._rearm()
        self.callStarted.emit(service, expert_id)

    def _on_visit_change(self, old: VisitState, new: VisitState) -> None:
        service = self._visit.service
        if new in (VisitState.SCHEDULE, VisitState.CALL, VisitState.FALLBACK) and service:
            self._schedule.show(service)
            if new == VisitState.SCHEDULE:
                self._request_refresh()
        else:
            self._schedule.clear()
        if old == VisitState.CALL:
            self._call.clear()
        if old == VisitState.FALLBACK:
            self._fallback.clear()
        if old == VisitState.RATING:
            self._rating.clear()
        self.screenChanged.emit()

    def _rearm(self) -> None:
        """Watch for idleness while there is anything of this resident to forget.

        Not during a call: a resident talking to a lawyer touches nothing for minutes.
        """
        state = self._visit.state
        pristine = (
            state == VisitState.START
            and self._language == self._default_language
            and not self._maintenance.open
        )
        self._idle.set_armed(not pristine and state != VisitState.CALL)

    @staticmethod
    def _minute_of(now: datetime) -> int:
        return int(now.timestamp() // 60)

    # --- properties --------------------------------------------------------------

    def _get_screen(self) -> str:
        return self._visit.state.value

    def _get_language(self) -> str:
        return self._language

    def _get_hotline(self) -> str:
        return self._hotline

    def _get_time(self) -> str:
        return self._time_text

    def _get_date(self) -> dict[str, int]:
        return {
            "year": self._year,
            "month": self._date.month,
            "day": self._date.day,
            "weekday": self._date.weekday,
        }

    def _get_icon_base(self) -> str:
        return self._icon_base

    def _get_start(self) -> StartViewModel:
        return self._start

    def _get_services(self) -> ServicesViewModel:
        return self._services

    def _get_schedule(self) -> ScheduleViewModel:
        return self._schedule

    def _get_idle(self) -> IdleWatch:
        return self._idle

    def _get_call(self) -> CallViewModel:
        return self._call

    def _get_fallback(self) -> FallbackViewModel:
        return self._fallback

    def _get_rating(self) -> RatingViewModel:
        return self._rating

    def _get_maintenance(self) -> MaintenanceViewModel:
        return self._maintenance

    screen = Property(str, _get_screen, notify=screenChanged)
    language = Property(str, _get_language, notify=languageChanged)
    hotline = Property(str, _get_hotline, notify=hotlineChanged)
    timeText = Property(str, _get_time, notify=clockChanged)
    date = Property(dict, _get_date, notify=clockChanged)
    iconBase = Property(str, _get_icon_base, constant=True)
    start = Property(StartViewModel, _get_start, constant=True)
    services = Property(ServicesViewModel, _get_services, constant=True)
    schedule = Property(ScheduleViewModel, _get_schedule, constant=True)
    idle = Property(IdleWatch, _get_idle, constant=True)
    call = Property(CallViewModel, _get_call, constant=True)
    fallback = Property(FallbackViewModel, _get_fallback, constant=True)
    rating = Property(RatingViewModel, _get_rating, constant=True)
    maintenance = Property(MaintenanceViewModel, _get_maintenance, constant=True)
