"""The switchboard: rings experts, keeps the queue, relays SDP (docs/signaling.md).

One per hub process, in memory, on the event loop; every method runs under one
lock, so there is a single order of events. Each change of a consultation's
state goes through `_transition`, which writes the row (in its own
transaction, before anything is sent) and logs `old -> new`.

A hub that restarts loads the consultations it left open (`restore.py`) and
waits for their parties: a terminal that connects says what it still has
(`call.request` again while waiting, `call.resume` in a call, or the hang-up it
kept while the hub was away), a console tab is told its call (`call.current`).
Several hub processes would have to share this state (PostgreSQL
LISTEN/NOTIFY), which is not built.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from pydantic import BaseModel

from kiosk.domain.signaling import (
    Accept,
    Accepted,
    Answer,
    CallCancel,
    CallRequest,
    CallResume,
    CallStatus,
    Current,
    Decline,
    Ended,
    EndReason,
    HangUp,
    Offer,
    Party,
    Ping,
    Pong,
    Queued,
    SaveNotes,
    Taken,
)
from kiosk.hub.settings import HubSettings
from kiosk.hub.signaling import store
from kiosk.hub.signaling.calls import Call, CallState, Place
from kiosk.hub.signaling.connections import Connection
from kiosk.hub.signaling.plan import plan, pool
from kiosk.hub.signaling.presence import Presence
from kiosk.hub.signaling.registry import Registry
from kiosk.hub.signaling.restore import restored_call

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

FromTerminal = CallRequest | CallCancel | CallResume | Offer | HangUp | Ping
FromConsole = Accept | Decline | Answer | HangUp | CallStatus | SaveNotes | Ping | Pong


class Refused(Exception):
    """A message the hub will not act on: answered with `error`, the socket stays open."""

    def __init__(self, detail: str, *, counts: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.counts = counts  # False when the hub is at fault, not the sender


def _not_yours(consultation_id: UUID) -> Refused:
    return Refused(f"Consultation {consultation_id} is not an open consultation of yours.")


def _ended(consultation_id: UUID, known: store.Known, *, with_times: bool) -> Ended:
    """What the database says of how a consultation ended (a replay, a tab asking)."""
    assert known.ended_by is not None and known.end_reason is not None
    return Ended(
        consultation_id=consultation_id,
        by=Party(known.ended_by),
        reason=EndReason(known.end_reason),
        accepted_at=known.accepted_at if with_times else None,
        ended_at=known.ended_at if with_times and known.accepted_at is not None else None,
    )


class Switchboard:
    def __init__(self, settings: HubSettings, sessions: store.Sessions) -> None:
        self.settings = settings
        self.sessions = sessions
        self.presence = Presence()
        self._lock = asyncio.Lock()
        self._calls: dict[UUID, Call] = {}  # open ones only
        self._online = Registry()
        self._places: dict[int, Place] = {}
        self._busy: dict[int, UUID] = {}  # expert id -> the call they accepted
        self._seq = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        async with self._lock:
            for left in await self._db(store.leftovers, self.sessions):
                await self._restore(restored_call(left, next(self._seq)))
        self._spawn(self._tick(), "switchboard-tick")

    async def stop(self) -> None:
        self._loop = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for call in self._calls.values():
            call.cancel_timers()

    def nudge(self) -> None:
        """Re-examine who rings (availability or shifts changed); callable from any thread."""
        loop = self._loop
        if loop is None:
            return
        # RuntimeError: the loop closed meanwhile, the hub is stopping.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._nudged)

    def _nudged(self) -> None:
        if self._loop is not None:
            self._spawn(self._locked(self._refresh), "nudge")

    def now(self) -> datetime:
        return self.settings.clock()

    # --- sockets ------------------------------------------------------------------------

    async def attach_terminal(self, conn: Connection, terminal_id: int, place: Place) -> None:
        async with self._lock:
            self._online.add_terminal(terminal_id, conn)
            self._places[terminal_id] = place
            conn.send(self.presence.message())
            for call in self._calls_of_terminal(terminal_id):
                if call.state is CallState.ACCEPTED and call.expert is not None:
                    conn.send(Accepted(consultation_id=call.id, expert=call.expert))
                    if call.pending_answer is not None:
                        conn.send(call.pending_answer)
                        call.pending_answer = None
                elif call.last_queued is not None:
                    conn.send(call.last_queued)
                self._await_claim(call)
                self._watch_orphan(call)

    async def attach_expert(self, conn: Connection, expert_id: int) -> None:
        async with self._lock:
            self._online.add_expert(expert_id, conn)
            mine = self._busy.get(expert_id)
            call = self._calls.get(mine) if mine is not None else None
            if call is not None and call.restored:
                call.expert_back = True
                self._settle(call)
            conn.send(self._current(call, conn))
            for ringing in sorted(self._calls.values(), key=lambda c: c.seq):
                if expert_id in ringing.ringing:
                    conn.send(ringing.ringing_message())
            if call is not None:
                if call.pending_offer is not None:
                    conn.send(call.pending_offer)
                    call.expert_conn = conn
                self._watch_orphan(call)
            await self._refresh()

    async def detach(self, conn: Connection) -> None:
        async with self._lock:
            self._online.remove(conn)
            for call in self._calls.values():
                if call.expert_conn is conn:
                    call.expert_conn = None
                self._watch_orphan(call)
            await self._refresh()

    # --- messages -----------------------------------------------------------------------

    async def from_terminal(self, conn: Connection, terminal_id: int, msg: FromTerminal) -> None:
        if isinstance(msg, Ping):
            conn.send(Pong())
            return
        async with self._lock:
            if isinstance(msg, CallRequest):
                await self._request(conn, terminal_id, msg)
                return
            if isinstance(msg, CallResume):
                await self._resume(conn, terminal_id, msg)
                return
            call = self._calls.get(msg.consultation_id)
            if call is None or call.terminal_id != terminal_id:
                raise _not_yours(msg.consultation_id)
            if isinstance(msg, Offer):
                # An offer for the call is as good as `call.resume`: a kiosk busy making it
                # (fetching ICE servers, gathering) may send it before its resume.
                if not call.claimed:
                    self._claim_back(call)
                await self._relay_offer(call, msg)
            elif isinstance(msg, CallCancel):
                await self._end(call, Party.TERMINAL, EndReason.CANCELLED, at=msg.at)
            else:
                await self._end(call, Party.TERMINAL, msg.reason, at=msg.at)

    async def from_expert(self, conn: Connection, expert_id: int, msg: FromConsole) -> None:
        if isinstance(msg, Ping):
            conn.send(Pong())
            return
        if isinstance(msg, Pong):
            return  # the heartbeat's answer: the socket's reader has noted it
        if isinstance(msg, SaveNotes):
            saved = await self._db(
                store.save_notes, self.sessions, msg.consultation_id, expert_id, msg.notes
            )
            if not saved:
                raise Refused(f"Consultation {msg.consultation_id} was not accepted by you.")
            return
        async with self._lock:
            if isinstance(msg, CallStatus):
                await self._status(conn, expert_id, msg.consultation_id)
                return
            call = self._calls.get(msg.consultation_id)
            if call is None:
                raise Refused(f"Consultation {msg.consultation_id} is not open.")
            if isinstance(msg, Accept):
                await self._accept(conn, expert_id, call)
            elif isinstance(msg, Decline):
                await self._decline(expert_id, call)
            elif call.expert is None or call.expert.id != expert_id:
                if expert_id in call.ringing:
                    raise Refused(f"Out of order: accept consultation {call.id} first.")
                raise Refused(f"Consultation {call.id} was not accepted by you.")
            elif isinstance(msg, Answer):
                self._relay_answer(conn, call, msg)
            else:
                await self._end(call, Party.EXPERT, msg.reason, at=msg.at)

    # --- the flow -----------------------------------------------------------------------

    async def _request(self, conn: Connection, terminal_id: int, msg: CallRequest) -> None:
        existing = self._calls.get(msg.consultation_id)
        if existing is not None:
            if existing.terminal_id != terminal_id:
                raise _not_yours(msg.consultation_id)
            # A replayed request: the terminal still has the call. It changes nothing,
            # but says where the call stands (and a restored call queues again).
            held = existing.restored and existing.state is CallState.WAITING
            self._claim(existing)
            if held:
                await self._dispatch()
            else:
                self._resend(conn, existing)
            return
        seen = await self._db(store.known, self.sessions, msg.consultation_id)
        if seen is not None:
            if seen.terminal_id != terminal_id:
                raise _not_yours(msg.consultation_id)
            if seen.ended_by is not None and seen.end_reason is not None:
                conn.send(_ended(msg.consultation_id, seen, with_times=True))
            return
        # One resident at a time: a new request supersedes what the terminal left open.
        for stale in self._calls_of_terminal(terminal_id):
            await self._end(stale, Party.TERMINAL, EndReason.CANCELLED, dispatch=False)
        call = Call(
            id=msg.consultation_id,
            terminal_id=terminal_id,
            place=self._places.get(terminal_id, Place("", "", "", "")),
            service=msg.service,
            requested_expert_id=msg.expert_id,
            requested_at=self.now(),
            seq=next(self._seq),
        )
        await self._transition(
            call,
            CallState.WAITING,
            terminal_id=terminal_id,
            service=msg.service.value,
            requested_expert_id=msg.expert_id,
            requested_at=call.requested_at,
        )
        self._calls[call.id] = call
        call.withdraw = self._later(self.settings.ring_timeout.total_seconds(), call, "withdraw")
        snapshot = await self._db(store.snapshot, self.sessions, self.now())
        if not pool(call, snapshot.on_duty, self._online.experts):
            await self._end(call, Party.HUB, EndReason.NOBODY_ON_DUTY)
            return
        await self._dispatch(snapshot)

    async def _resume(self, conn: Connection, terminal_id: int, msg: CallResume) -> None:
        """The terminal's link came back during a call: it goes on, or it hears how it ended."""
        call = self._calls.get(msg.consultation_id)
        if call is None:
            seen = await self._db(store.known, self.sessions, msg.consultation_id)
            if seen is None or seen.terminal_id != terminal_id:
                raise _not_yours(msg.consultation_id)
            if seen.ended_by is not None and seen.end_reason is not None:
                conn.send(_ended(msg.consultation_id, seen, with_times=True))
            return
        if call.terminal_id != terminal_id:
            raise _not_yours(msg.consultation_id)
        if call.state is not CallState.ACCEPTED or call.expert is None:
            self._claim(call)
            self._resend(conn, call)  # the kiosk is ahead of the hub: only a lost accept
            return
        if msg.attempt > call.offer_attempt:
            # Offers the hub never saw (it was away): the next one must come after them.
            call.offer_attempt = msg.attempt
            call.answer_attempt = min(call.answer_attempt, msg.attempt - 1)
        self._claim_back(call)
        conn.send(Accepted(consultation_id=call.id, expert=call.expert))
        if call.pending_answer is not None:
            conn.send(call.pending_answer)
            call.pending_answer = None
        log.info("consultation %s: the terminal resumed it (attempt %d)", call.id, msg.attempt)

    async def _status(self, conn: Connection, expert_id: int, consultation_id: UUID) -> None:
        """A tab asks what became of a call it had."""
        call = self._calls.get(consultation_id)
        if call is not None:
            if call.state is CallState.ACCEPTED and call.expert and call.expert.id == expert_id:
                conn.send(self._current(call, conn))
            elif expert_id in call.ringing:
                conn.send(call.ringing_message())
            else:
                conn.send(Taken(consultation_id=call.id, by_you=False))
            return
        seen = await self._db(store.known, self.sessions, consultation_id)
        if seen is None:
            raise Refused(f"Consultation {consultation_id} is not known.")
        if seen.ended_by is None or seen.end_reason is None:
            conn.send(Taken(consultation_id=consultation_id, by_you=False))
            return
        mine = seen.accepted_expert_id == expert_id
        conn.send(_ended(consultation_id, seen, with_times=mine))

    async def _accept(self, conn: Connection, expert_id: int, call: Call) -> None:
        if call.state is CallState.ACCEPTED:
            who = "you" if call.expert is not None and call.expert.id == expert_id else "another"
            raise Refused(f"Out of order: consultation {call.id} was already accepted by {who}.")
        if expert_id not in call.ringing:
            raise Refused(f"Consultation {call.id} is not ringing for you.")
        now = self.now()
        snapshot = await self._db(store.snapshot, self.sessions, now)
        duty = snapshot.on_duty.get(expert_id)
        if duty is None:
            raise Refused("You are not on duty and available now.")
        await self._transition(
            call, CallState.ACCEPTED, accepted_expert_id=expert_id, accepted_at=now
        )
        call.expert = duty.brief
        call.accepted_at = now
        call.expert_conn = conn
        self._busy[expert_id] = call.id
        if call.withdraw is not None:
            call.withdraw.cancel()
            call.withdraw = None
        others, call.ringing = call.ringing - {expert_id}, set()
        self._to_expert(expert_id, Taken(consultation_id=call.id, by_you=True))
        for other in others:
            self._to_expert(other, Taken(consultation_id=call.id, by_you=False))
        self._to_terminal(call.terminal_id, Accepted(consultation_id=call.id, expert=duty.brief))
        self._watch_orphan(call)
        await self._dispatch(snapshot)

    async def _decline(self, expert_id: int, call: Call) -> None:
        if call.state is not CallState.WAITING or expert_id not in call.ringing:
            raise Refused(f"Consultation {call.id} is not ringing for you.")
        call.declined.add(expert_id)
        call.ringing.discard(expert_id)
        # The expert's other tabs stop ringing too.
        self._to_expert(expert_id, Taken(consultation_id=call.id, by_you=False))
        log.info("consultation %s: declined by expert %s", call.id, expert_id)
        await self._dispatch()

    async def _relay_offer(self, call: Call, msg: Offer) -> None:
        if call.state is not CallState.ACCEPTED or call.expert is None:
            raise Refused(f"Out of order: nobody has accepted consultation {call.id} yet.")
        if msg.attempt <= call.offer_attempt:
            raise Refused(
                f"Replayed offer: attempt {msg.attempt} of consultation {call.id} "
                f"is not after attempt {call.offer_attempt}."
            )
        call.offer_attempt = msg.attempt
        # Kept until it is answered: a tab that was closing when it went out never got it,
        # and gets it when it comes back (a tab that did ignores an attempt it has seen).
        call.pending_offer = msg
        target = self._expert_target(call)
        if target is not None:
            target.send(msg)
        # Kept as it goes, so a hub that restarts knows which offer comes next.
        await self._db(store.change, self.sessions, call.id, {"attempts": msg.attempt})

    def _relay_answer(self, conn: Connection, call: Call, msg: Answer) -> None:
        if call.offer_attempt == 0:
            raise Refused(f"Out of order: consultation {call.id} has no offer to answer yet.")
        if msg.attempt != call.offer_attempt or msg.attempt <= call.answer_attempt:
            raise Refused(
                f"Replayed or stale answer: attempt {msg.attempt} of consultation {call.id}, "
                f"the current offer is attempt {call.offer_attempt}."
            )
        call.answer_attempt = msg.attempt
        call.pending_offer = None
        call.expert_conn = conn
        if self._online.terminal_online(call.terminal_id):
            call.pending_answer = None
            self._to_terminal(call.terminal_id, msg)
        else:
            call.pending_answer = msg

    async def _end(
        self,
        call: Call,
        by: Party,
        reason: EndReason,
        *,
        at: datetime | None = None,
        dispatch: bool = True,
    ) -> None:
        """End the call now, or at `at` (a hang-up that waited for the hub), clamped
        between its start and now: the stored end is when the call really ended."""
        now = self.now()
        start = call.accepted_at or call.requested_at
        ended_at = now if at is None else min(now, max(start, at))
        await self._transition(
            call,
            CallState.ENDED,
            ended_at=ended_at,
            ended_by=by.value,
            end_reason=reason.value,
            attempts=call.offer_attempt,
        )
        call.cancel_timers()
        self._calls.pop(call.id, None)
        ended = Ended(
            consultation_id=call.id,
            by=by,
            reason=reason,
            accepted_at=call.accepted_at,
            ended_at=ended_at if call.accepted_at is not None else None,
        )
        self._to_terminal(call.terminal_id, ended)
        if call.expert is not None:
            self._busy.pop(call.expert.id, None)
            self._to_expert(call.expert.id, ended)
        # Whoever it still rang hears why it stopped (cancelled, withdrawn), not `call.taken`.
        for expert_id in call.ringing:
            self._to_expert(expert_id, ended)
        call.ringing = set()
        if dispatch:
            await self._dispatch()

    async def _refresh(self, snapshot: store.Snapshot | None = None) -> None:
        """Who is reachable (told to every terminal when it changes), then who rings."""
        if snapshot is None:
            snapshot = await self._db(store.snapshot, self.sessions, self.now())
        if self.presence.update(snapshot.on_duty, self._online.experts):
            log.info("reachable experts now: %s", sorted(self.presence.reachable) or "none")
            self._online.to_all_terminals(self.presence.message())
        await self._dispatch(snapshot)

    async def _dispatch(self, snapshot: store.Snapshot | None = None) -> None:
        """Bring every waiting call's ringing and queue position up to date."""
        # A restored call rings nobody until its terminal says it still has it.
        waiting = [
            c for c in self._calls.values() if c.state is CallState.WAITING and not c.restored
        ]
        if not waiting:
            return
        if snapshot is None:
            snapshot = await self._db(store.snapshot, self.sessions, self.now())
        plans = plan(waiting, snapshot, self._online.experts, self._busy)
        for call in sorted(waiting, key=lambda c: c.seq):
            decided = plans[call.id]
            if not decided.candidates and call.declined:
                await self._end(call, Party.HUB, EndReason.ALL_BUSY, dispatch=False)
                continue
            for expert_id in decided.ring - call.ringing:
                self._to_expert(expert_id, call.ringing_message())
            for expert_id in call.ringing - decided.ring:
                self._to_expert(expert_id, Taken(consultation_id=call.id, by_you=False))
            call.ringing = set(decided.ring)
            queued = Queued(
                consultation_id=call.id,
                position=decided.position,
                estimated_wait_s=decided.estimated_wait_s,
                ringing=sorted(
                    (snapshot.on_duty[e].brief for e in decided.ring), key=lambda b: b.id
                ),
            )
            if queued != call.last_queued:
                call.last_queued = queued
                self._to_terminal(call.terminal_id, queued)
        if any(c.state is CallState.ENDED for c in waiting):
            await self._dispatch(snapshot)  # an ended call moved the others up

    async def _transition(self, call: Call, new: CallState, **values: Any) -> None:
        """The one place a consultation changes state: row first, then memory, then the log."""
        old = call.state
        if old is None:
            await self._db(store.create, self.sessions, {"id": call.id, **values})
        else:
            await self._db(store.change, self.sessions, call.id, values)
        call.state = new
        log.info("consultation %s: %s -> %s", call.id, old or "new", new)

    # --- after a restart, and terminals that come back ----------------------------------

    async def _restore(self, call: Call) -> None:
        """A consultation a previous run left open: it waits for its parties again."""
        self._calls[call.id] = call
        grace = self.settings.restart_grace.total_seconds()
        if call.state is CallState.ACCEPTED and call.expert is None:
            # Accepted by an expert the database no longer has: nobody can go on with it.
            await self._end(call, Party.HUB, EndReason.HUB_RESTARTED, dispatch=False)
            return
        if call.expert is not None:
            self._busy[call.expert.id] = call.id
            self._watch_orphan(call)  # nobody is back yet: ends after the grace
        else:
            call.claim = self._later(grace, call, "claim")
        log.info(
            "consultation %s: restored as %s after a restart (terminal %s, expert %s); "
            "its parties have %.0f s to come back",
            call.id, call.state, call.terminal_id,
            call.expert.id if call.expert else "none", grace,
        )  # fmt: skip

    def _await_claim(self, call: Call) -> None:
        """The terminal (re)connected: it must say it still has the call, or the call ends."""
        call.claimed = False
        if call.claim is not None:
            call.claim.cancel()
        call.claim = self._later(self.settings.claim_timeout.total_seconds(), call, "claim")

    def _claim(self, call: Call) -> None:
        if call.claim is not None:
            call.claim.cancel()
            call.claim = None
        first = call.restored and not call.claimed
        call.claimed = True
        if first and call.state is CallState.WAITING:
            # Its ringing time goes on from the request, as if the hub had never been away.
            waited = (self.now() - call.requested_at).total_seconds()
            left = max(0.0, self.settings.ring_timeout.total_seconds() - waited)
            call.withdraw = self._later(left, call, "withdraw")
        self._settle(call)

    def _claim_back(self, call: Call) -> None:
        """An accepted call claimed: its lawyer's tabs hear the kiosk is back after a restart."""
        first_back = call.restored and not call.claimed
        self._claim(call)
        if first_back:
            self._tell_expert_current(call)

    def _settle(self, call: Call) -> None:
        """A restored call whose parties are all back is an ordinary call again."""
        if not call.restored or not call.claimed:
            return
        if call.state is CallState.ACCEPTED and not call.expert_back:
            return
        call.restored = False
        log.info("consultation %s: its parties are back after the restart", call.id)
        self._watch_orphan(call)

    def _current(self, call: Call | None, conn: Connection) -> Current:
        """`call.current` for one tab of the lawyer who accepted `call` (or of one with none)."""
        if call is None or call.expert is None:
            return Current(call=None)
        holder = call.expert_conn
        elsewhere = (
            holder is not None and holder is not conn and self._online.has(call.expert.id, holder)
        )
        present = call.claimed and self._online.terminal_online(call.terminal_id)
        return Current(call=call.in_call(self.now(), terminal_present=present, elsewhere=elsewhere))

    def _tell_expert_current(self, call: Call) -> None:
        if call.expert is None:
            return
        for conn in self._online.experts.get(call.expert.id, ()):
            conn.send(self._current(call, conn))

    # --- timers -------------------------------------------------------------------------

    def _later(self, delay: float, call: Call, what: str) -> asyncio.TimerHandle | None:
        loop = self._loop
        if loop is None:
            return None
        return loop.call_later(delay, self._fire, call, what)

    def _fire(self, call: Call, what: str) -> None:
        self._spawn(self._locked(self._expire, call, what), what)

    async def _expire(self, call: Call, what: str) -> None:
        if self._calls.get(call.id) is not call:
            return
        # A restored call whose parties did not come back ends for that reason.
        lost = EndReason.HUB_RESTARTED if call.restored else EndReason.MEDIA_LOST
        if what == "withdraw" and call.state is CallState.WAITING:
            call.withdraw = None
            await self._end(call, Party.HUB, EndReason.NO_ANSWER)
        elif what == "orphan" and call.state is CallState.ACCEPTED:
            call.orphan = None
            await self._end(call, Party.HUB, lost)
        elif what == "claim" and not call.claimed:
            call.claim = None
            waiting = call.state is CallState.WAITING and not call.restored
            log.info("consultation %s: its terminal no longer has it", call.id)
            await self._end(call, Party.HUB, EndReason.CANCELLED if waiting else lost)

    def _watch_orphan(self, call: Call) -> None:
        """An accepted call one of whose parties has no socket ends after a grace period."""
        if call.state is not CallState.ACCEPTED or call.expert is None:
            return
        present = self._online.terminal_online(call.terminal_id) and self._online.expert_online(
            call.expert.id
        )
        if present and call.orphan is not None:
            call.orphan.cancel()
            call.orphan = None
        elif not present and call.orphan is None:
            grace = self.settings.restart_grace if call.restored else self.settings.orphan_grace
            call.orphan = self._later(grace.total_seconds(), call, "orphan")

    async def _tick(self) -> None:
        interval = self.settings.dispatch_interval.total_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                await self._locked(self._refresh)
            except Exception:
                log.exception("switchboard: periodic dispatch failed")

    # --- helpers ------------------------------------------------------------------------

    def _calls_of_terminal(self, terminal_id: int) -> list[Call]:
        return [c for c in self._calls.values() if c.terminal_id == terminal_id]

    def _resend(self, conn: Connection, call: Call) -> None:
        if call.state is CallState.ACCEPTED and call.expert is not None:
            conn.send(Accepted(consultation_id=call.id, expert=call.expert))
        elif call.last_queued is not None:
            conn.send(call.last_queued)

    def _expert_target(self, call: Call) -> Connection | None:
        if call.expert is None:
            return None
        if call.expert_conn is not None and self._online.has(call.expert.id, call.expert_conn):
            return call.expert_conn
        # The tab that accepted is gone: the newest tab of the same expert takes the call over.
        call.expert_conn = self._online.newest_of_expert(call.expert.id)
        return call.expert_conn

    def _to_terminal(self, terminal_id: int, message: BaseModel) -> None:
        self._online.to_terminal(terminal_id, message)

    def _to_expert(self, expert_id: int, message: BaseModel) -> None:
        self._online.to_expert(expert_id, message)

    async def _locked(
        self, func: Callable[P, Awaitable[None]], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        async with self._lock:
            await func(*args, **kwargs)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("switchboard task %s failed", task.get_name(), exc_info=task.exception())

    @staticmethod
    async def _db(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(func, *args, **kwargs)
