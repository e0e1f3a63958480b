"""Atom feeds of change sets: everything, per platform, per document, per clause type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from clausewatch_api import atom, readmodel
from clausewatch_api.deps import ResourcesDep, SessionDep
from clausewatch_api.filters import ChangeFilter
from clausewatch_api.present import humanise
from clausewatch_api.respond import with_etag
from clausewatch_shared.clock import utcnow
from clausewatch_shared.models import Document, Platform

ATOM = "application/atom+xml"
router = APIRouter(prefix="/feeds", tags=["feeds"])
_FEED_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {ATOM: {}}, "description": "An Atom 1.0 feed."},
    404: {"description": "Unknown."},
}


async def _feed(
    request: Request, session: SessionDep, res: ResourcesDep, flt: ChangeFilter, title: str, alternate: str
) -> Response:
    items, _ = await readmodel.change_set_page(session, flt, res.settings.feed_size, 0)
    updated = max((i["created_at"] for i in items), default=None)
    base = res.base_url
    body = atom.feed(
        feed_id=f"{base}{request.url.path}",
        title=title,
        self_url=f"{base}{request.url.path}",
        alternate_url=f"{base}{alternate}",
        base_url=base,
        change_sets=items,
        updated=_parse(updated) if updated else utcnow().replace(microsecond=0),
    )
    return with_etag(request, body, ATOM)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@router.get("/all.atom", response_class=Response, responses=_FEED_RESPONSE)
async def all_changes(request: Request, session: SessionDep, res: ResourcesDep) -> Response:
    """Every change set, newest first."""
    return await _feed(request, session, res, ChangeFilter(), "clausewatch: all changes", "/")


@router.get("/platforms/{platform_id}.atom", response_class=Response, responses=_FEED_RESPONSE)
async def platform_changes(
    request: Request, platform_id: str, session: SessionDep, res: ResourcesDep
) -> Response:
    """One platform's change sets."""
    plat = await session.get(Platform, platform_id)
    if plat is None:
        raise HTTPException(404, f"no platform {platform_id!r}")
    flt = ChangeFilter(platforms=(platform_id,))
    return await _feed(request, session, res, flt, f"clausewatch: {plat.name}", f"/platforms/{platform_id}")


@router.get("/documents/{document_id:path}.atom", response_class=Response, responses=_FEED_RESPONSE)
async def document_changes(
    request: Request, document_id: str, session: SessionDep, res: ResourcesDep
) -> Response:
    """One document's change sets."""
    doc = await session.get(Document, document_id)
    if doc is None:
        raise HTTPException(404, f"no document {document_id!r}")
    flt = ChangeFilter(documents=(document_id,))
    return await _feed(request, session, res, flt, f"clausewatch: {doc.title}", f"/documents/{document_id}")


@router.get("/clause-types/{clause_type}.atom", response_class=Response, responses=_FEED_RESPONSE)
async def clause_type_changes(
    request: Request, clause_type: str, session: SessionDep, res: ResourcesDep
) -> Response:
    """Change sets touching one clause type (as the analyzer assessed them)."""
    flt = ChangeFilter(clause_types=(clause_type,))
    title = f"clausewatch: {humanise(clause_type)} clauses"
    return await _feed(request, session, res, flt, title, f"/search?clause_type={clause_type}")
