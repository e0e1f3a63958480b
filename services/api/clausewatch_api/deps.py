"""FastAPI dependencies: the app's resources, sessions, pagination, filters, and API keys for writes."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api.filters import ChangeFilter, FilterError, ProvisionFilter, check_severities, split_values
from clausewatch_api.settings import ApiSettings
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database

MAX_LIMIT = 200


@dataclass
class Resources:
    """What the routes need, built once by the app factory and kept on app.state."""

    settings: ApiSettings
    db: Database
    blobs: BlobStore
    publish: Any = None  # an async callable taking an event, when the app runs inside a runtime

    @property
    def base_url(self) -> str:
        """The public address pages and feeds link to, without a trailing slash."""
        return self.settings.public_base_url.rstrip("/")


def resources(request: Request) -> Resources:
    """Return the app's resources."""
    res: Resources = request.app.state.resources
    return res


async def session(res: Annotated[Resources, Depends(resources)]) -> AsyncIterator[AsyncSession]:
    """Yield a database session for one request."""
    async with res.db.session() as s:
        yield s


@dataclass(frozen=True)
class Paging:
    """A page request: how many items and from where."""

    limit: int
    offset: int


def paging(
    request: Request,
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> Paging:
    """Return the page asked for, with the configured default size."""
    return Paging(limit=limit or resources(request).settings.page_size, offset=offset)


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"{name}: not an ISO 8601 date or date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def change_filter(
    platform: Annotated[
        str | None, Query(max_length=2000, description="Platform ids, comma-separated.")
    ] = None,
    document: Annotated[
        str | None, Query(max_length=2000, description="Document ids, comma-separated.")
    ] = None,
    severity: Annotated[
        str | None,
        Query(max_length=100, description="Severities (high, medium, low, none), comma-separated."),
    ] = None,
    clause_type: Annotated[
        str | None, Query(max_length=2000, description="Clause type ids, comma-separated.")
    ] = None,
    regulation: Annotated[
        str | None, Query(max_length=2000, description="Regulation ids, comma-separated.")
    ] = None,
    since: Annotated[str | None, Query(max_length=40, description="Changes at or after (ISO 8601).")] = None,
    until: Annotated[str | None, Query(max_length=40, description="Changes before (ISO 8601).")] = None,
    substantive: Annotated[bool, Query(description="Only substantive change sets.")] = False,
) -> ChangeFilter:
    """Parse the change filters from the query string."""
    try:
        severities = check_severities(split_values(severity))
    except FilterError as exc:
        raise HTTPException(422, str(exc)) from None
    return ChangeFilter(
        platforms=split_values(platform),
        documents=split_values(document),
        severities=severities,
        clause_types=split_values(clause_type),
        regulations=split_values(regulation),
        since=_when(since, "since"),
        until=_when(until, "until"),
        substantive_only=substantive,
    )


def provision_filter(
    platform: Annotated[
        str | None, Query(max_length=2000, description="Platform ids, comma-separated.")
    ] = None,
    document: Annotated[
        str | None, Query(max_length=2000, description="Document ids, comma-separated.")
    ] = None,
    severity: Annotated[str | None, Query(max_length=100, description="Severities, comma-separated.")] = None,
    clause_type: Annotated[
        str | None, Query(max_length=2000, description="Clause type ids, comma-separated.")
    ] = None,
    regulation: Annotated[
        str | None, Query(max_length=2000, description="Regulation ids, comma-separated.")
    ] = None,
    all_versions: Annotated[bool, Query(description="Include provisions of superseded versions.")] = False,
) -> ProvisionFilter:
    """Parse the provision filters from the query string."""
    try:
        severities = check_severities(split_values(severity))
    except FilterError as exc:
        raise HTTPException(422, str(exc)) from None
    return ProvisionFilter(
        platforms=split_values(platform),
        documents=split_values(document),
        severities=severities,
        clause_types=split_values(clause_type),
        regulations=split_values(regulation),
        current_only=not all_versions,
    )


def require_api_key(
    res: Annotated[Resources, Depends(resources)],
    x_api_key: Annotated[str | None, Header(description="An API key allowed to write.")] = None,
    authorization: Annotated[
        str | None, Header(description="`Bearer <api key>`, instead of X-API-Key.")
    ] = None,
) -> str:
    """Accept the request only with a configured write key (X-API-Key or Authorization: Bearer)."""
    offered = x_api_key or (
        authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
    )
    keys = res.settings.write_keys()
    if not offered or not any(hmac.compare_digest(offered.encode(), k.encode()) for k in keys):
        raise HTTPException(
            401, "a valid API key is required to write", headers={"WWW-Authenticate": "Bearer"}
        )
    return offered


SessionDep = Annotated[AsyncSession, Depends(session)]
ResourcesDep = Annotated[Resources, Depends(resources)]
PagingDep = Annotated[Paging, Depends(paging)]
