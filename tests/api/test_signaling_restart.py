"""A hub killed (SIGKILL) at each point of a call and started again on the same database and
port: both sides and the queue are reconciled (docs/signaling.md, "A hub that restarts").

The hub is the real subprocess (`python -m kiosk.hub --demo`); the terminal and the lawyer's
console are Python sockets that do what the kiosk and the console page do when their link
comes back (tests/console/test_console_restart.py has the real console page).
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from kiosk.domain.signaling import CallResume, CallStatus, HangUp
from tests.api.calls import accept, answer, arrange, offer, request
from tests.support import postgres
from tests.support.hub import RunningHub, running_hub
from tests.support.signal import SignalSocket, console_socket, terminal_socket

# Long enough that nobody misses it on a loaded machine, unless a test waits it out.
GRACE = ("--restart-grace", "60")
_databases = itertools.count()


@dataclass(frozen=True)
class Template:
    """A demo database arranged once: 张伟 on duty and available, 王丽 and 李明 off duty, two
    terminals enrolled (their tokens hold in every copy). Seeding and logging in hash
    passwords slowly on purpose; a copy per test skips all that."""

    copy: Callable[[Path], str]  # a fresh copy's SQLAlchemy URL (a directory to put it in)
    tokens: tuple[str, str]


def _arranged(data: Path, db_url: str | None) -> tuple[str, str]:
    with running_hub(data, db_url) as hub:
        zhang, wang, li = hub.lawyers
        arrange(hub, on_duty=(zhang,), off_duty=(wang, li))
        return (hub.enrol_terminal()[1], hub.enrol_terminal()[1])


@pytest.fixture(scope="module")
def sqlite_arranged(tmp_path_factory: pytest.TempPathFactory) -> Template:
    data = tmp_path_factory.mktemp("restart-template")
    tokens = _arranged(data, None)

    def copy(where: Path) -> str:
        shutil.copyfile(data / "hub.sqlite3", where / "hub.sqlite3")
        return f"sqlite:///{where / 'hub.sqlite3'}"

    return Template(copy, tokens)


@pytest.fixture(scope="module")
def postgresql_arranged(
    postgres_cluster: postgres.Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Template:
    name = f"kiosk_restart_{next(_databases)}"
    url = postgres.sqlalchemy_url(postgres_cluster.create_database(name))
    tokens = _arranged(tmp_path_factory.mktemp("restart-pg-template"), url)

    def copy(_where: Path) -> str:
        fresh = postgres_cluster.create_database(f"kiosk_restart_{next(_databases)}", name)
        return postgres.sqlalchemy_url(fresh)

    return Template(copy, tokens)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def template(request: pytest.FixtureRequest) -> Template:
    found: Template = request.getfixturevalue(f"{request.param}_arranged")
    return found


StartHub = Callable[..., tuple[RunningHub, tuple[str, str]]]


@pytest.fixture
def start_hub(tmp_path: Path, sqlite_arranged: Template) -> Iterator[StartHub]:
    """`start_hub(*args, template=...)`: the hub subprocess on a fresh copy of the template
    (SQLite unless given), with these command-line arguments; stopped after the test."""
    with ExitStack() as stack:
        started = itertools.count()

        def start(
            *args: str, template: Template = sqlite_arranged
        ) -> tuple[RunningHub, tuple[str, str]]:
            data = tmp_path / f"hub-{next(started)}"
            data.mkdir()
            db_url = template.copy(data)
            hub = stack.enter_context(running_hub(data, db_url, extra_args=args or GRACE))
            return hub, template.tokens

        yield start


def record(hub: RunningHub, consultation_id: UUID) -> dict[str, Any]:
    with hub.admin_client() as admin:
        rows = admin.get("/v1/consultations").json()
    found: dict[str, Any] = next(r for r in rows if r["id"] == str(consultation_id))
    return found


async def closed(*sockets: SignalSocket) -> None:
    for socket in sockets:
        await socket.closed_with()


async def ringing_call(kiosk: SignalSocket, tabs: Sequence[SignalSocket]) -> UUID:
    call = request()
    await kiosk.send(call)
    await kiosk.expect("call.queued")
    for tab in tabs:
        await tab.expect("call.ringing", consultation_id=str(call.consultation_id))
    return call.consultation_id


async def accepted_call(kiosk: SignalSocket, tab: SignalSocket) -> UUID:
    cid = await ringing_call(kiosk, [tab])
    await tab.send(accept(cid))
    await tab.expect("call.taken", by_you=True)
    await kiosk.expect("call.accepted")
    return cid


async def with_media(kiosk: SignalSocket, tab: SignalSocket, cid: UUID, attempt: int) -> None:
    await kiosk.send(offer(cid, attempt))
    await tab.expect("sdp.offer", attempt=attempt)
    await tab.send(answer(cid, attempt))
    await kiosk.expect("sdp.answer", attempt=attempt)


async def test_killed_while_ringing(start_hub: StartHub) -> None:
    hub, (token, _) = start_hub()
    zhang = hub.lawyer
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        call = request()
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing", consultation_id=str(call.consultation_id))
        hub.kill()
        await closed(z, kiosk)
    hub.start()
    async with await console_socket(hub, zhang) as z:
        # Back first, the lawyer hears of no call: the terminal has not said it still waits.
        assert (await z.expect("call.current"))["call"] is None
        await z.silent(0.5)
        async with await terminal_socket(hub, token) as kiosk:
            await kiosk.send(call)  # the kiosk's replay on reconnect
            await kiosk.expect("call.queued", position=1)
            await z.expect("call.ringing", consultation_id=str(call.consultation_id))
            await z.send(accept(call.consultation_id))
            await z.expect("call.taken", by_you=True)
            await kiosk.expect("call.accepted")
            await with_media(kiosk, z, call.consultation_id, 1)
            await z.send(HangUp(consultation_id=call.consultation_id))
            await kiosk.expect("call.ended", by="expert")
    row = record(hub, call.consultation_id)
    assert row["attempts"] == 1 and row["end_reason"] == "hung_up"
    assert "restored as waiting" in hub.log()


async def test_killed_while_connecting(start_hub: StartHub) -> None:
    """Accepted, the kiosk's offer sent but never answered: media comes with the next one."""
    hub, (token, _) = start_hub()
    zhang = hub.lawyer
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        cid = await accepted_call(kiosk, z)
        await kiosk.send(offer(cid, 1))
        await z.expect("sdp.offer", attempt=1)
        hub.kill()
        await closed(z, kiosk)
    hub.start()
    async with await terminal_socket(hub, token) as kiosk:
        await kiosk.expect("call.accepted", consultation_id=str(cid))
        await kiosk.send(CallResume(consultation_id=cid, attempt=1))
        await kiosk.expect("call.accepted", consultation_id=str(cid))
        async with await console_socket(hub, zhang) as z:
            current = (await z.expect("call.current"))["call"]
            assert current["consultation_id"] == str(cid)
            assert current["terminal_present"] is True and current["attempt"] == 1
            # The kiosk gave up waiting for its answer and rebuilt its connection.
            await with_media(kiosk, z, cid, 2)
            await kiosk.send(HangUp(consultation_id=cid))
            ended = await z.expect("call.ended", by="terminal", reason="hung_up")
            assert ended["accepted_at"] == current["accepted_at"]
    assert record(hub, cid)["attempts"] == 2


async def test_killed_in_a_call_that_goes_on_and_the_queue_rings_after_it(
    start_hub: StartHub,
) -> None:
    hub, (first_token, second_token) = start_hub()
    zhang = hub.lawyer
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, first_token) as first,
        await terminal_socket(hub, second_token) as second,
    ):
        cid = await accepted_call(first, z)
        await with_media(first, z, cid, 1)
        waiting = request()
        await second.send(waiting)
        await second.expect("call.queued", position=1, ringing=[])
        accepted_at = record(hub, cid)["accepted_at"]
        hub.kill()
        await closed(z, first, second)
    hub.start()
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, first_token) as first,
        await terminal_socket(hub, second_token) as second,
    ):
        current = (await z.expect("call.current"))["call"]
        assert current["consultation_id"] == str(cid)
        assert current["accepted_at"] == accepted_at  # the tab's timer goes on from the accept
        await first.expect("call.accepted")
        await first.send(CallResume(consultation_id=cid, attempt=1))
        await first.expect("call.accepted")
        await second.send(waiting)  # still waiting: it queues again, behind the busy lawyer
        await second.expect("call.queued", position=1, ringing=[])
        await z.silent(0.5)
        # The call goes on: a rebuilt connection is relayed as before the restart.
        await with_media(first, z, cid, 2)
        await first.send(HangUp(consultation_id=cid))
        await z.expect("call.ended", consultation_id=str(cid))
        # Free again, the lawyer is rung at once for the resident who waited.
        await z.expect("call.ringing", consultation_id=str(waiting.consultation_id))
        queued = await second.expect("call.queued", position=1)
        assert [e["id"] for e in queued["ringing"]] == [hub.expert_id(zhang)]
        await z.send(accept(waiting.consultation_id))
        await second.expect("call.accepted")


async def test_hung_up_while_the_hub_was_down(start_hub: StartHub, template: Template) -> None:
    """The tester's case: the resident hung up while the hub was down. On its return the
    lawyer's call ends with its real length, and the next resident rings them at once."""
    hub, (first_token, second_token) = start_hub(*GRACE, template=template)
    zhang = hub.lawyer
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, first_token) as first,
        await terminal_socket(hub, second_token) as second,
    ):
        cid = await accepted_call(first, z)
        await with_media(first, z, cid, 1)
        waiting = request()
        await second.send(waiting)
        await second.expect("call.queued", ringing=[])
        hub.kill()
        await closed(z, first, second)
    hung_up = datetime.now(UTC)  # the resident taps 挂断; the kiosk keeps the hang-up
    hub.start()
    async with await console_socket(hub, zhang) as z:
        current = (await z.expect("call.current"))["call"]
        assert current["consultation_id"] == str(cid) and current["terminal_present"] is False
        async with (
            await terminal_socket(hub, first_token) as first,
            await terminal_socket(hub, second_token) as second,
        ):
            await first.send(HangUp(consultation_id=cid, at=hung_up))
            ended = await z.expect("call.ended", consultation_id=str(cid), by="terminal")
            assert datetime.fromisoformat(ended["ended_at"]) == hung_up
            assert ended["accepted_at"] == current["accepted_at"]
            await second.send(waiting)
            await z.expect("call.ringing", consultation_id=str(waiting.consultation_id))
            await second.expect("call.queued", position=1)
    row = record(hub, cid)
    assert datetime.fromisoformat(row["ended_at"]) == hung_up
    assert (row["ended_by"], row["end_reason"]) == ("terminal", "hung_up")


async def test_a_call_whose_parties_do_not_come_back_ends(start_hub: StartHub) -> None:
    # A grace long enough that the first kiosk is surely back within it (then its claim
    # times out), short enough to wait out for the kiosk that never comes back.
    hub, (first_token, second_token) = start_hub("--restart-grace", "8", "--claim-timeout", "1")
    zhang = hub.lawyer
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, first_token) as first,
        await terminal_socket(hub, second_token) as second,
    ):
        in_call = await accepted_call(first, z)
        waiting = request()
        await second.send(waiting)
        await second.expect("call.queued")
        hub.kill()
        await closed(z, first, second)
    hub.start()
    # The kiosk in the call comes back without it (its app restarted); the lawyer comes
    # back; the waiting kiosk never comes back.
    async with await terminal_socket(hub, first_token) as first:
        assert (await first.until("call.ended", timeout=15))["consultation_id"] == str(in_call)
        async with await console_socket(hub, zhang) as z:
            # However late the tab came, it learns how its call ended.
            await z.send(CallStatus(consultation_id=in_call))
            ended = await z.wait_for("call.ended", consultation_id=str(in_call), timeout=15)
            assert (ended["by"], ended["reason"]) == ("hub", "hub_restarted")
            # Free again: a new call rings them.
            fresh = await ringing_call(first, [z])
            await first.send(HangUp(consultation_id=fresh))
    assert ended_row(hub, in_call)["end_reason"] == "hub_restarted"
    row = ended_row(hub, waiting.consultation_id)  # at the end of the grace
    assert (row["ended_by"], row["end_reason"]) == ("hub", "hub_restarted")
    async with await terminal_socket(hub, second_token) as second:
        await second.send(waiting)  # far too late: it hears how the call ended
        await second.expect("call.ended", reason="hub_restarted")


def ended_row(hub: RunningHub, cid: UUID, within: float = 30) -> dict[str, Any]:
    """The consultation's record once it has ended (polled: the hub ends it on a timer)."""
    deadline = time.monotonic() + within
    while (row := record(hub, cid))["ended_at"] is None:
        assert time.monotonic() < deadline, f"not ended: {row}"
        time.sleep(0.2)
    return row
