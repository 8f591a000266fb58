"""An expert's availability changes only here, so every change is in `availability_changes`.

The subsidy report's hours available within a shift are read from that log; a
change made anywhere else would be time the report never sees.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain import Availability
from kiosk.hub.tables import AvailabilityChangeRow, ExpertRow


def set_availability(
    db: Session, expert: ExpertRow, availability: Availability, at: datetime
) -> bool:
    """Set and log it in the caller's transaction; False, and no log line, when unchanged.

    An expert the log has never seen is logged even without a change, so the
    report knows their state from then on.
    """
    if (
        expert.id is not None
        and expert.availability == availability.value
        and _logged(db, expert.id)
    ):
        return False
    expert.availability = availability.value
    if expert.id is None:
        db.flush()  # a new expert: the log line needs their id
    db.add(AvailabilityChangeRow(expert_id=expert.id, availability=availability.value, at=at))
    return True


def _logged(db: Session, expert_id: int) -> bool:
    first = db.scalar(
        select(AvailabilityChangeRow.id)
        .where(AvailabilityChangeRow.expert_id == expert_id)
        .limit(1)
    )
    return first is not None
