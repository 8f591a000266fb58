from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from kiosk.domain import (
    EXPERT_GROUPS,
    SERVICE_ORDER,
    SERVICES,
    Availability,
    DutyShiftIn,
    ExpertGroup,
    ExpertIn,
    ScheduleEntry,
    ServiceCode,
    TerminalIn,
)
from kiosk.domain.schedule import callable_now, on_duty_now, upcoming
from kiosk.domain.visit import InvalidTransition, Visit, VisitState

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shenyang


def entry(
    expert_id: int,
    start_h: float,
    end_h: float,
    *,
    services: tuple[ServiceCode, ...] = (ServiceCode.LEGAL_CONSULTATION,),
    availability: Availability = Availability.AVAILABLE,
    reachable: bool | None = None,
) -> ScheduleEntry:
    """`reachable`: what the hub said (default: available and on duty, a console open)."""
    if reachable is None:
        reachable = availability == Availability.AVAILABLE and start_h <= 0 < end_h
    return ScheduleEntry(
        shift_id=expert_id * 100 + int(start_h),
        expert_id=expert_id,
        expert_name=f"专家{expert_id}",
        group=ExpertGroup.LAWYER,
        services=list(services),
        organisation="",
        availability=availability,
        starts_at=NOW + timedelta(hours=start_h),
        ends_at=NOW + timedelta(hours=end_h),
        reachable=reachable,
    )


def test_catalogue_has_the_six_services_and_four_groups_of_the_bureau() -> None:
    assert [s.name_zh for s in SERVICES] == [
        "法律咨询",
        "法律援助",
        "值班律师法律帮助",
        "村（居）法律顾问",
        "人民调解",
        "普法宣传",
    ]
    assert {g.name_zh for g in EXPERT_GROUPS} == {"律师", "司法鉴定", "公证", "仲裁"}
    assert {s.code for s in SERVICES} == set(ServiceCode)
    # Screens that must not wait for pydantic list the services by SERVICE_ORDER.
    assert tuple(s.code for s in SERVICES) == SERVICE_ORDER


def test_on_duty_now_lists_each_expert_once_available_first() -> None:
    entries = [
        entry(1, -1, 2, availability=Availability.AWAY),
        entry(2, -2, 1),
        entry(2, -1, 3),  # overlapping second shift of the same expert
        entry(3, 1, 4),
        entry(4, -1, 1, services=(ServiceCode.MEDIATION,)),
    ]
    now = on_duty_now(entries, ServiceCode.LEGAL_CONSULTATION, NOW)
    assert [e.expert_id for e in now] == [2, 1]
    assert [e.expert_id for e in callable_now(entries, ServiceCode.LEGAL_CONSULTATION, NOW)] == [2]
    assert [e.expert_id for e in upcoming(entries, ServiceCode.LEGAL_CONSULTATION, NOW)] == [3]


def test_callable_means_reachable_not_merely_marked_available() -> None:
    entries = [entry(1, -1, 2), entry(2, -1, 2, reachable=False)]  # 2: no console open
    consult = ServiceCode.LEGAL_CONSULTATION
    assert [e.expert_id for e in callable_now(entries, consult, NOW)] == [1]
    # The hub's live word, when the terminal has it, counts over the schedule's flags.
    assert [e.expert_id for e in callable_now(entries, consult, NOW, {2})] == [2]
    assert callable_now(entries, consult, NOW, set()) == []


def test_shift_end_is_exclusive() -> None:
    ended = entry(1, -2, 0)
    assert on_duty_now([ended], ServiceCode.LEGAL_CONSULTATION, NOW) == []


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (NOW, NOW, "must be after starts_at"),
        (NOW, NOW + timedelta(hours=25), "at most 24 hours"),
    ],
)
def test_duty_shift_rejects_impossible_spans(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DutyShiftIn(expert_id=1, starts_at=start, ends_at=end)


def test_duty_shift_needs_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        DutyShiftIn.model_validate(
            {"expert_id": 1, "starts_at": "2026-11-25T09:00", "ends_at": "2026-11-25T12:00"}
        )


def test_expert_in_strips_names_and_deduplicates_services() -> None:
    expert = ExpertIn(
        name="  张伟 ",
        group=ExpertGroup.LAWYER,
        services=[ServiceCode.MEDIATION, ServiceCode.LEGAL_AID, ServiceCode.MEDIATION],
    )
    assert expert.name == "张伟"
    assert expert.services == [ServiceCode.LEGAL_AID, ServiceCode.MEDIATION]
    with pytest.raises(ValidationError):
        ExpertIn(name=" ", group=ExpertGroup.LAWYER, services=[ServiceCode.LEGAL_AID])
    with pytest.raises(ValidationError):
        ExpertIn.model_validate({"name": "x", "group": "lawyer", "services": [], "extra": 1})


def test_terminal_in_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        TerminalIn.model_validate(
            {
                "county": "新民市",
                "town": "大民屯镇",
                "village": "方巾牛村",
                "site_name": "x",
                "token": "sneaky",
            }
        )


def test_visit_goes_through_its_states_and_reports_each_change_once() -> None:
    changes: list[tuple[VisitState, VisitState]] = []
    visit = Visit(on_change=lambda old, new: changes.append((old, new)))
    visit.begin()
    visit.choose_service(ServiceCode.LEGAL_AID)
    assert visit.service == ServiceCode.LEGAL_AID
    visit.back()
    assert visit.service is None
    visit.choose_service(ServiceCode.MEDIATION)
    visit.reset()
    visit.reset()
    assert changes == [
        (VisitState.START, VisitState.SERVICES),
        (VisitState.SERVICES, VisitState.SCHEDULE),
        (VisitState.SCHEDULE, VisitState.SERVICES),
        (VisitState.SERVICES, VisitState.SCHEDULE),
        (VisitState.SCHEDULE, VisitState.START),
    ]
    assert visit.service is None


def test_a_call_ends_in_a_rating_a_fallback_or_back_at_the_schedule() -> None:
    visit = Visit()
    visit.begin()
    visit.choose_service(ServiceCode.LEGAL_AID)
    visit.call()
    visit.call_cancelled()
    assert (visit.state, visit.service) == (VisitState.SCHEDULE, ServiceCode.LEGAL_AID)
    visit.call()
    visit.call_ended(talked=False)
    assert visit.state == VisitState.FALLBACK
    visit.back()
    assert visit.state == VisitState.SCHEDULE
    visit.call()
    visit.call_ended(talked=True)
    assert visit.state == VisitState.RATING
    with pytest.raises(InvalidTransition):
        visit.call()
    visit.reset()
    assert (visit.state, visit.service) == (VisitState.START, None)


def test_a_call_starts_only_from_the_schedule() -> None:
    visit = Visit()
    with pytest.raises(InvalidTransition):
        visit.call()
    with pytest.raises(InvalidTransition):
        visit.call_ended(talked=True)


def test_visit_refuses_a_service_from_the_start_screen() -> None:
    with pytest.raises(InvalidTransition):
        Visit().choose_service(ServiceCode.LEGAL_AID)


@pytest.mark.parametrize("package", ["kiosk.domain", "kiosk.api"])
def test_every_public_name_of_a_lazy_package_loads(package: str) -> None:
    """The packages load their names on first use: each one in __all__ must be found."""
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018
    with pytest.raises(ImportError):
        exec(f"from {package} import NoSuchName")


def test_the_fallback_reason_is_one_answer_for_the_screen_and_the_record() -> None:
    from kiosk.domain.records import FallbackReason as Why
    from kiosk.domain.records import fallback_reason
    from kiosk.domain.signaling import EndReason

    assert fallback_reason(EndReason.NO_ANSWER, failed=False, rang=True) == Why.NO_ANSWER
    # Never queued: the hub did not take the call in hand.
    assert fallback_reason(EndReason.NO_ANSWER, failed=False, rang=False) == Why.UNREACHABLE
    assert fallback_reason(EndReason.ALL_BUSY, failed=False, rang=False) == Why.ALL_BUSY
    assert fallback_reason(EndReason.MEDIA_LOST, failed=False, rang=True) == Why.MEDIA_LOST
    assert fallback_reason(EndReason.HUB_RESTARTED, failed=False, rang=True) == Why.MEDIA_LOST
    assert fallback_reason(EndReason.HUNG_UP, failed=False, rang=True) == Why.NO_ANSWER
    assert fallback_reason(None, failed=False, rang=True) == Why.FAILED
    assert fallback_reason(EndReason.ALL_BUSY, failed=True, rang=True) == Why.FAILED
