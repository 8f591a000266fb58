"""The outbox file: session-record events waiting for the hub, in SQLite.

Synchronous and single-threaded by design: `kiosk.outbox.outbox.Outbox` runs
every call on one worker thread. WAL with `synchronous=FULL` makes each append
durable when it returns, through `kill -9` and a power cut. Rows leave only
when the hub has acknowledged them (`acknowledge`), or move to `parked` when
the hub refuses them for good: nothing is ever deleted unseen.

A file that SQLite cannot read is not deleted either: it is set aside beside
the new one, what can still be read from it is copied over, and the caller is
told (the maintenance screen says where it is).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id TEXT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    body BLOB NOT NULL,
    sealed INTEGER NOT NULL DEFAULT 0,
    appended_at REAL NOT NULL,
    UNIQUE (consultation_id, seq)
);
CREATE TABLE IF NOT EXISTS parked (
    pos INTEGER PRIMARY KEY,
    consultation_id TEXT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    body BLOB NOT NULL,
    sealed INTEGER NOT NULL DEFAULT 0,
    appended_at REAL NOT NULL,
    reason TEXT NOT NULL,
    parked_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_events_consultation ON events (consultation_id, seq);
"""


class OutboxUnavailable(RuntimeError):
    """The outbox could not be opened or written; the message says why, for a technician."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


@dataclass(frozen=True)
class StoredEvent:
    pos: int
    consultation_id: UUID
    event_id: UUID
    seq: int
    body: bytes  # JSON of the event; sealed (encrypted) when `sealed`
    sealed: bool


@dataclass(frozen=True)
class NewEvent:
    consultation_id: UUID
    event_id: UUID
    seq: int
    body: bytes
    sealed: bool = False


@dataclass(frozen=True)
class StoreStatus:
    pending: int = 0
    consultations: int = 0  # with events pending
    oldest_appended_at: float | None = None  # wall clock of the oldest pending event
    parked: int = 0
    set_aside: tuple[str, ...] = field(default_factory=tuple)  # unreadable files kept


def is_disk_full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    # SQLite says FULL only for ENOSPC; a quota (EDQUOT) or a file-size limit (EFBIG) comes
    # as a failed write, and is no room all the same.
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR_WRITE):
        return True
    text = str(exc).lower()
    return "disk is full" in text or "database or disk is full" in text


class OutboxStore:
    """One connection, one thread. `open` fixes what it can and says what it found."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.set_aside: list[str] = []
        self._db = self._connect_checked()

    # --- writing ---------------------------------------------------------------------------

    def append(self, events: list[NewEvent]) -> None:
        """Durable when it returns; all or nothing."""
        now = time.time()
        try:
            with self._db:
                self._db.executemany(
                    "INSERT INTO events (consultation_id, event_id, seq, body, sealed, appended_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [_row(e, now) for e in events],
                )
        except sqlite3.IntegrityError:
            # The same event again (a retry after an error whose commit did land): keep one.
            self._append_one_by_one(events, now)
        except sqlite3.Error as exc:
            raise _write_failed(exc) from exc

    def _append_one_by_one(self, events: list[NewEvent], now: float) -> None:
        try:
            with self._db:
                for e in events:
                    self._db.execute(
                        "INSERT OR IGNORE INTO events"
                        " (consultation_id, event_id, seq, body, sealed, appended_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        _row(e, now),
                    )
        except sqlite3.Error as exc:
            raise _write_failed(exc) from exc

    def acknowledge(self, event_ids: list[UUID]) -> int:
        """The hub has these: they leave the outbox. Returns how many rows went."""
        if not event_ids:
            return 0
        try:
            with self._db:
                gone = self._db.executemany(
                    "DELETE FROM events WHERE event_id = ?", [(str(i),) for i in event_ids]
                ).rowcount
        except sqlite3.Error as exc:
            raise _write_failed(exc) from exc
        return max(gone, 0)

    def purge_freed_pages(self) -> None:
        """After a sealed event left: fold the WAL back so its old pages are overwritten."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def park(self, consultation_id: UUID, reason: str) -> int:
        """The hub refuses this consultation's events for good: keep them aside, not lost."""
        now = time.time()
        key = str(consultation_id)
        try:
            with self._db:
                self._db.execute(
                    "INSERT OR IGNORE INTO parked"
                    " (pos, consultation_id, event_id, seq, body, sealed, appended_at, reason,"
                    "  parked_at)"
                    " SELECT pos, consultation_id, event_id, seq, body, sealed, appended_at, ?, ?"
                    " FROM events WHERE consultation_id = ?",
                    (reason[:500], now, key),
                )
                moved = self._db.execute(
                    "DELETE FROM events WHERE consultation_id = ?", (key,)
                ).rowcount
        except sqlite3.Error as exc:
            raise _write_failed(exc) from exc
        return moved

    def unpark(self) -> int:
        """A technician sends parked events again (after the hub was fixed)."""
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO events"
                " (pos, consultation_id, event_id, seq, body, sealed, appended_at)"
                " SELECT pos, consultation_id, event_id, seq, body, sealed, appended_at FROM parked"
            )
            return self._db.execute("DELETE FROM parked").rowcount

    # --- reading ---------------------------------------------------------------------------

    def next_batch(self, limit: int, exclude: frozenset[UUID] = frozenset()) -> list[StoredEvent]:
        """The pending events of the consultation whose event waits longest, in `seq` order;
        consultations in `exclude` (being sent) are passed over."""
        skip = [str(c) for c in exclude]
        row = self._db.execute(
            "SELECT consultation_id FROM events"
            f" WHERE consultation_id NOT IN ({', '.join('?' * len(skip))})"
            " ORDER BY pos LIMIT 1",
            skip,
        ).fetchone()
        if row is None:
            return []
        rows = self._db.execute(
            "SELECT pos, consultation_id, event_id, seq, body, sealed FROM events"
            " WHERE consultation_id = ? ORDER BY seq LIMIT ?",
            (row[0], limit),
        ).fetchall()
        return [_stored(r) for r in rows]

    def pending(self) -> list[StoredEvent]:
        rows = self._db.execute(
            "SELECT pos, consultation_id, event_id, seq, body, sealed FROM events ORDER BY pos"
        ).fetchall()
        return [_stored(r) for r in rows]

    def status(self) -> StoreStatus:
        pending, consultations, oldest = self._db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT consultation_id), MIN(appended_at) FROM events"
        ).fetchone()
        (parked,) = self._db.execute("SELECT COUNT(*) FROM parked").fetchone()
        return StoreStatus(pending, consultations, oldest, parked, tuple(self.set_aside))

    def close(self) -> None:
        self._db.close()

    # --- opening ---------------------------------------------------------------------------

    def _connect_checked(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.OperationalError as exc:
            # Locked by another process, no permission, no room: the file may be sound, and
            # setting it aside would orphan what is written to it next.
            raise OutboxUnavailable(f"outbox cannot open: {exc}",
                                    disk_full=is_disk_full(exc)) from exc
        except sqlite3.DatabaseError as exc:
            log.error("the outbox %s is unreadable (%s): setting it aside", self.path, exc)
        aside = self._set_aside()
        db = self._connect()
        self._salvage(aside, db)
        return db

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None would autocommit; the default lets `with db:` make transactions.
        db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=True)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            # A purged callback number is overwritten, not left in a free page.
            db.execute("PRAGMA secure_delete=ON")
            (check,) = db.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {check}")
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"outbox schema {version} is newer than this kiosk")
            with db:
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}{self.path.suffix}")
        n = 1
        # `replace` would overwrite a file set aside earlier in the same second.
        while any(Path(f"{aside}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            n += 1
            aside = self.path.with_name(
                f"{self.path.stem}.unreadable-{stamp}-{n}{self.path.suffix}"
            )
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                source.replace(Path(f"{aside}{suffix}"))
        self.set_aside.append(str(aside))
        return aside

    def _salvage(self, aside: Path, db: sqlite3.Connection) -> None:
        """Copy whatever rows the damaged file still gives; the file itself stays."""
        try:
            old = sqlite3.connect(f"file:{aside}?mode=ro", uri=True)
        except sqlite3.Error:
            return
        copied = 0
        try:
            # A file shorter than its header says (truncated) is refused whole without this;
            # with it the pages that are there can be read.
            with contextlib.suppress(sqlite3.Error):
                old.execute("PRAGMA writable_schema=ON")
            for table in ("events", "parked"):
                with contextlib.suppress(sqlite3.Error):
                    columns = (
                        "pos, consultation_id, event_id, seq, body, sealed, appended_at"
                        + (", reason, parked_at" if table == "parked" else "")
                    )
                    marks = ", ".join("?" * len(columns.split(", ")))
                    for row in old.execute(f"SELECT {columns} FROM {table}"):
                        if not _readable(row):
                            # Torn where its ids were: it could be neither sent nor named,
                            # and would stop every read of the queue. It stays in the file.
                            continue
                        with contextlib.suppress(sqlite3.Error), db:
                            db.execute(
                                f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({marks})", row
                            )
                            copied += 1
        finally:
            old.close()
        log.warning("salvaged %d outbox rows from %s", copied, aside)


def _stored(row: tuple[int, str, str, int, bytes, int]) -> StoredEvent:
    pos, consultation_id, event_id, seq, body, sealed = row
    return StoredEvent(pos, UUID(consultation_id), UUID(event_id), seq, bytes(body), bool(sealed))


def _readable(row: tuple[object, ...]) -> bool:
    """A salvaged row the queue can read back (its body may still be damaged: see `park`)."""
    try:
        _stored(row[:6])  # type: ignore[arg-type]
    except (TypeError, ValueError, AttributeError):
        return False
    return isinstance(row[0], int) and isinstance(row[3], int)


def _row(event: NewEvent, now: float) -> tuple[str, str, int, bytes, int, float]:
    return (str(event.consultation_id), str(event.event_id), event.seq, event.body,
            int(event.sealed), now)


def _write_failed(exc: sqlite3.Error) -> OutboxUnavailable:
    return OutboxUnavailable(f"outbox write failed: {exc}", disk_full=is_disk_full(exc))
