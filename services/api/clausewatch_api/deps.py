"""FastAPI dependencies: the app's resources, sessions, pagination, filters, and API keys for writes."""

from __future__ import annotations

import functools
import hmac
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_api.filters import ChangeFilter, FilterError, ProvisionFilter, check_severities, split_values
from clausewatch_api.record_pdf import find_fallback_fonts, find_font
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

    @functools.cached_property
    def pdf_font(self) -> Path | None:
        """The TrueType font PDF records embed (None: the built-in Helvetica, Latin-1 only)."""
        return find_font(self.settings.pdf_font)

    @functools.cached_property
    def pdf_fallback_fonts(self) -> tuple[Path, ...]:
        """The fonts PDF records write a character in when the main font lacks it."""
        return find_fallback_fonts(self.settings.pdf_fallback_fonts)


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


def invalid_query(name: str, message: str) -> RequestValidationError:
    """Return a 422 error in FastAPI's own shape, naming the query parameter at fault."""
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def _utc(value: datetime | Literal[""] | None) -> datetime | None:
    if not value:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _severities(raw: str | None) -> tuple[str, ...]:
    try:
        return check_severities(split_values(raw))
    except FilterError as exc:
        raise invalid_query("severity", str(exc)) from None


# Comma-separated severities; the pattern puts the rule in the OpenAPI schema, so clients see it before calling.
SEVERITY_LIST = r"^\s*(high|medium|low|none)?\s*(,\s*(high|medium|low|none)?\s*)*$"
SeverityQuery = Annotated[
    str,
    Query(
        max_length=100,
        pattern=SEVERITY_LIST,
        description="Severities (high, medium, low, none), comma-separated.",
    ),
]
# An empty form field (`since=`) means "any time", as a browser sends it when the date input is left blank.
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Refuse numbers posing as times (pydantic would read '0.5' as a Unix timestamp): ISO 8601 only."""
    if not isinstance(value, datetime) and not (isinstance(value, str) and _ISO_START.match(value)):
        msg = "use an ISO 8601 date or date-time, e.g. 2026-11-22 or 2026-11-22T06:00:00Z"
        raise ValueError(msg)
    return value


When = Annotated[datetime, BeforeValidator(_iso_only)] | Literal[""] | None

# Filters shared by the change and provision listings.
PlatformsQuery = Annotated[str | None, Query(max_length=2000, description="Platform ids, comma-separated.")]
DocumentsQuery = Annotated[str | None, Query(max_length=2000, description="Document ids, comma-separated.")]
ClauseTypesQuery = Annotated[
    str | None, Query(max_length=2000, description="Clause type ids, comma-separated.")
]
RegulationsQuery = Annotated[
    str | None, Query(max_length=2000, description="Regulation ids, comma-separated.")
]


def change_filter(
    platform: PlatformsQuery = None,
    document: DocumentsQuery = None,
    severity: SeverityQuery = "",
    clause_type: ClauseTypesQuery = None,
    regulation: RegulationsQuery = None,
    since: Annotated[
        When, Query(description="Changes at or after this date or time (ISO 8601, UTC if no zone).")
    ] = None,
    until: Annotated[When, Query(description="Changes before this date or time (ISO 8601).")] = None,
    substantive: Annotated[bool, Query(description="Only substantive change sets.")] = False,
) -> ChangeFilter:
    """Parse the change filters from the query string."""
    severities = _severities(severity)
    return ChangeFilter(
        platforms=split_values(platform),
        documents=split_values(document),
        severities=severities,
        clause_types=split_values(clause_type),
        regulations=split_values(regulation),
        since=_utc(since),
        until=_utc(until),
        substantive_only=substantive,
    )


def provision_filter(
    platform: PlatformsQuery = None,
    document: DocumentsQuery = None,
    severity: SeverityQuery = "",
    clause_type: ClauseTypesQuery = None,
    regulation: RegulationsQuery = None,
    all_versions: Annotated[bool, Query(description="Include provisions of superseded versions.")] = False,
) -> ProvisionFilter:
    """Parse the provision filters from the query string."""
    severities = _severities(severity)
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
