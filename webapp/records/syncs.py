"""When each learner last synced from Anki: a plain query, so instructor pages can read it
without importing the import machinery (which writes through study's service)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.platform.models import AnkiImport


def last_synced(session: Session, user_ids: list[int]) -> dict[int, dt.datetime]:
    """When each learner's latest successful Anki import finished (learners never synced are absent)."""
    rows = session.execute(
        select(AnkiImport.user_id, func.max(AnkiImport.finished_at))
        .where(AnkiImport.user_id.in_(user_ids), AnkiImport.status == "done").group_by(AnkiImport.user_id)
    )
    return {int(uid): at for uid, at in rows if at is not None}
