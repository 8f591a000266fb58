"""The durable queue of session records: SQLite on the kiosk, uploaded to the hub exactly once.

`Outbox` keeps events (durable when `append` returns), `ConsultationLog` makes
them for one consultation, `Uploader` sends them. See ARCHITECTURE.md, "The
data that must never be lost".
"""

from kiosk.outbox.keeper import ConsultationLog, MediaTally
from kiosk.outbox.outbox import Batch, Outbox, OutboxHealth
from kiosk.outbox.seal import Sealer, load_sealer
from kiosk.outbox.store import OutboxStore, OutboxUnavailable
from kiosk.outbox.upload import Uploader, UploadState, UploadStatus, full_jitter

__all__ = [
    "Batch",
    "ConsultationLog",
    "MediaTally",
    "Outbox",
    "OutboxHealth",
    "OutboxStore",
    "OutboxUnavailable",
    "Sealer",
    "UploadState",
    "UploadStatus",
    "Uploader",
    "full_jitter",
    "load_sealer",
]
