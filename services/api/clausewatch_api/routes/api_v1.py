"""The JSON API under /api/v1: thin handlers over `readmodel` and `queries`, each answer with an ETag."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from clausewatch_api import evidence, present, queries, readmodel
from clausewatch_api.added_documents import (
    DocumentConflictError,
    DocumentIn,
    PlatformNeededError,
    add_document,
    field_error,
    url_errors,
)
from clausewatch_api.clause_type_page import clause_type_detail, clause_types_overview
from clausewatch_api.deps import (
    PagingDep,
    ResourcesDep,
    SessionDep,
    change_filter,
    provision_filter,
    require_api_key,
)
from clausewatch_api.filters import ChangeFilter, ProvisionFilter
from clausewatch_api.provision_page import provision_detail
from clausewatch_api.respond import json_response, page_response
from clausewatch_api.schemas import (
    AssessmentOut,
    CaptureRequestOut,
    ChangeSetDetailOut,
    ChangeSetOut,
    ClauseTypeOut,
    ClauseTypesOut,
    DocumentOut,
    ErrorOut,
    EvidenceOut,
    Page,
    PlatformDetailOut,
    PlatformOut,
    ProvisionDetailOut,
    ProvisionOut,
    VersionOut,
)
from clausewatch_shared.clock import utcnow
from clausewatch_shared.events import CaptureRequested
from clausewatch_shared.ids import derived_id
from clausewatch_shared.models import Document, Platform, Snapshot, Version

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such record."}}
router = APIRouter(prefix="/api/v1", tags=["api"])


def _missing(what: str, ident: str) -> HTTPException:
    return HTTPException(404, f"no {what} {ident!r}")


@router.get("/platforms", response_model=Page[PlatformOut], summary="List platforms")
async def list_platforms(request: Request, session: SessionDep, paging: PagingDep) -> Response:
    """Return the watched platforms, by name."""
    rows, total = await queries.list_platforms(session, paging.limit, paging.offset)
    return page_response(request, [present.platform(p) for p in rows], total, paging)


@router.get("/platforms/{platform_id}", response_model=PlatformDetailOut, responses=NOT_FOUND)
async def get_platform(request: Request, platform_id: str, session: SessionDep) -> Response:
    """Return a platform with its documents, activity, severity summary and timeline."""
    detail = await readmodel.platform_detail(session, platform_id, utcnow())
    if detail is None:
        raise _missing("platform", platform_id)
    return json_response(request, detail)


@router.get("/documents", response_model=Page[DocumentOut], summary="List documents")
async def list_documents(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    platform: Annotated[
        str | None, Query(max_length=200, description="Only this platform's documents.")
    ] = None,
) -> Response:
    """Return the watched documents."""
    rows, total = await queries.list_documents(session, platform, paging.limit, paging.offset)
    return page_response(request, [present.document(d) for d in rows], total, paging)


@router.get("/documents/{document_id:path}/versions", response_model=Page[VersionOut], responses=NOT_FOUND)
async def list_versions(
    request: Request, document_id: str, session: SessionDep, paging: PagingDep
) -> Response:
    """Return a document's versions, newest first (without their text)."""
    if await session.get(Document, document_id) is None:
        raise _missing("document", document_id)
    rows, total = await queries.list_versions(session, document_id, paging.limit, paging.offset)
    return page_response(request, [present.version(v) for v in rows], total, paging)


@router.post(
    "/documents",
    response_model=DocumentOut,
    status_code=201,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    dependencies=[Depends(require_api_key)],
)
async def create_document(body: DocumentIn, session: SessionDep, res: ResourcesDep) -> DocumentOut:
    """Watch a new document (needs an API key). Its URLs must resolve to public addresses; it is due at once.

    Refusals are 422s shaped like validation errors, naming the field: `["body", "urls", 1]` for a URL that
    resolves to a private address, `["body", "platform_name"]` for a new platform without a name.
    """
    errors = await url_errors(body, allow_private=res.settings.allow_private_document_urls)
    if errors:
        raise HTTPException(422, errors)
    try:
        doc = await add_document(session, body)
    except PlatformNeededError as exc:
        raise HTTPException(422, [field_error(("platform_name",), str(exc), "missing")]) from None
    except DocumentConflictError as exc:
        raise HTTPException(409, str(exc)) from None
    return DocumentOut(**present.document(doc))


@router.post(
    "/documents/{document_id:path}/captures",
    response_model=CaptureRequestOut,
    status_code=202,
    responses={**NOT_FOUND, 401: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    dependencies=[Depends(require_api_key)],
)
async def request_capture(document_id: str, session: SessionDep, res: ResourcesDep) -> CaptureRequestOut:
    """Ask the fetcher to capture a document now (needs an API key)."""
    if await session.get(Document, document_id) is None:
        raise _missing("document", document_id)
    if res.publish is None:
        raise HTTPException(503, "this api instance is not connected to the event bus")
    # One manual capture per document per minute: a double click publishes a duplicate JetStream drops.
    slot = "manual-" + utcnow().strftime("%Y-%m-%dT%H:%MZ")
    event = CaptureRequested(
        event_id=derived_id("capture-requested", document_id, slot),
        correlation_id=derived_id("capture", document_id, slot),
        document_id=document_id,
        slot=slot,
        reason="manual",
    )
    queued = bool(await res.publish(event))
    return CaptureRequestOut(document_id=document_id, queued=queued, event_id=event.event_id)


@router.get("/documents/{document_id:path}", response_model=DocumentOut, responses=NOT_FOUND)
async def get_document(request: Request, document_id: str, session: SessionDep) -> Response:
    """Return one document."""
    doc = await session.get(Document, document_id)
    if doc is None:
        raise _missing("document", document_id)
    return json_response(request, present.document(doc))


@router.get("/versions/{version_id}", response_model=VersionOut, responses=NOT_FOUND)
async def get_version(request: Request, version_id: str, session: SessionDep) -> Response:
    """Return one version with its normalised text."""
    row = await session.get(Version, version_id)
    if row is None:
        raise _missing("version", version_id)
    return json_response(request, present.version(row, include_text=True))


@router.get("/versions/{version_id}/provisions", response_model=Page[ProvisionOut], responses=NOT_FOUND)
async def version_provisions(
    request: Request, version_id: str, session: SessionDep, paging: PagingDep
) -> Response:
    """Return a version's provisions in document order."""
    if await session.get(Version, version_id) is None:
        raise _missing("version", version_id)
    rows = await queries.version_provisions(session, version_id)
    page = rows[paging.offset : paging.offset + paging.limit]
    assessed = await queries.provision_assessments(session, (p.id for p in page))
    return page_response(request, [present.provision(p, assessed.get(p.id)) for p in page], len(rows), paging)


@router.get("/provisions", response_model=Page[ProvisionOut])
async def list_provisions(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    flt: Annotated[ProvisionFilter, Depends(provision_filter)],
) -> Response:
    """Return provisions (of current versions unless all_versions), filtered by platform, clause type, severity…"""
    rows, total = await queries.list_provisions(session, flt, paging.limit, paging.offset)
    assessed = await queries.provision_assessments(session, (p.id for p in rows))
    return page_response(request, [present.provision(p, assessed.get(p.id)) for p in rows], total, paging)


@router.get("/provisions/{provision_id}", response_model=ProvisionDetailOut, responses=NOT_FOUND)
async def get_provision(
    request: Request, provision_id: str, session: SessionDep, res: ResourcesDep
) -> Response:
    """Return everything about a provision, by id or stable key (the newest version holding that key)."""
    detail = await provision_detail(session, provision_id, res.blobs, res.base_url, utcnow())
    if detail is None:
        raise _missing("provision", provision_id)
    return json_response(request, detail)


@router.get("/provisions/{provision_id}/assessment", response_model=AssessmentOut, responses=NOT_FOUND)
async def get_provision_assessment(request: Request, provision_id: str, session: SessionDep) -> Response:
    """Return a provision's newest assessment in normalised form (null if not assessed yet)."""
    prov = await queries.find_provision(session, provision_id)
    if prov is None:
        raise _missing("provision", provision_id)
    found = (await queries.provision_assessments(session, [prov.id])).get(prov.id)
    return json_response(
        request, {"provision_id": prov.id, "assessment": present.provision_assessment(found)}
    )


@router.get("/clause-types", response_model=ClauseTypesOut)
async def list_clause_types(request: Request, session: SessionDep) -> Response:
    """Return every clause type that is the main type of a current provision, the most widespread first."""
    return json_response(request, await clause_types_overview(session))


@router.get("/clause-types/{clause_type}", response_model=ClauseTypeOut, responses=NOT_FOUND)
async def get_clause_type(request: Request, clause_type: str, session: SessionDep) -> Response:
    """Return how every platform states one clause type, each by its most serious provision (decision 0168)."""
    detail = await clause_type_detail(session, clause_type)
    if detail is None:
        raise _missing("clause type", clause_type)
    return json_response(request, detail)


@router.get("/changes", response_model=Page[ChangeSetOut])
async def list_changes(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    flt: Annotated[ChangeFilter, Depends(change_filter)],
) -> Response:
    """Return change sets, newest first, filtered by platform, document, severity, clause type, regulation, date."""
    items, total = await readmodel.change_set_page(session, flt, paging.limit, paging.offset)
    return page_response(request, list(items), total, paging)


@router.get("/changes/{change_set_id}", response_model=ChangeSetDetailOut, responses=NOT_FOUND)
async def get_change(request: Request, change_set_id: str, session: SessionDep) -> Response:
    """Return a change set with its changes, word diffs and classifications."""
    detail = await readmodel.change_set_detail(session, change_set_id)
    if detail is None:
        raise _missing("change set", change_set_id)
    return json_response(request, detail)


@router.get("/evidence/{snapshot_id}", response_model=EvidenceOut, responses=NOT_FOUND)
async def get_evidence(
    request: Request,
    snapshot_id: str,
    session: SessionDep,
    res: ResourcesDep,
    verify: Annotated[bool, Query(description="Hash the stored bytes again and report the result.")] = False,
) -> Response:
    """Return a snapshot's evidence record; with verify=true, re-read its blobs and check their SHA-256."""
    snap = await session.get(Snapshot, snapshot_id)
    if snap is None:
        raise _missing("snapshot", snapshot_id)
    verification = await evidence.verify_snapshot(res.blobs, snap) if verify else None
    body = {"snapshot": present.snapshot(snap), "verification": verification}
    # A verification is a fresh measurement (its time differs each run), so it is never answered with a 304.
    return json_response(request, body, conditional=not verify)


@router.get("/activity", response_model=Page[ChangeSetOut], responses=NOT_FOUND)
async def activity(
    request: Request,
    session: SessionDep,
    paging: PagingDep,
    platform: Annotated[str | None, Query(max_length=200, description="Only this platform.")] = None,
    days: Annotated[int, Query(ge=1, le=3650, description="How far back to look.")] = 30,
) -> Response:
    """Return the change sets recorded in the last `days` days (of one platform, or all)."""
    if platform and await session.get(Platform, platform) is None:
        raise _missing("platform", platform)
    flt = ChangeFilter(platforms=(platform,) if platform else (), since=utcnow() - timedelta(days=days))
    items, total = await readmodel.change_set_page(session, flt, paging.limit, paging.offset)
    return page_response(request, list(items), total, paging)
