"""Each document's current version: the newest one recorded. The API's pages and the analyzer's reassessment read
it alike."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.models import Version


async def current_version_ids(
    session: AsyncSession, document_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """Return each document's newest version id, keyed by document id."""
    newest = select(Version.document_id, func.max(Version.created_at).label("at")).group_by(
        Version.document_id
    )
    if document_ids is not None:
        newest = newest.where(col(Version.document_id).in_(document_ids))
    sub = newest.subquery()
    query = select(Version.document_id, Version.id).join(
        sub, and_(col(Version.document_id) == sub.c.document_id, col(Version.created_at) == sub.c.at)
    )
    return dict((await session.exec(query)).all())
