"""The web pages: server-rendered HTML that works without JavaScript, one thin handler per page."""

from __future__ import annotations

import functools
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from clausewatch_api import present, queries, readmodel
from clausewatch_api.clause_type_page import clause_type_detail, clause_types_overview
from clausewatch_api.deps import SEVERITY_LIST, PagingDep, ResourcesDep, SessionDep, change_filter
from clausewatch_api.filters import ChangeFilter, ProvisionFilter, split_values
from clausewatch_api.provision_page import provision_detail
from clausewatch_api.record_pdf import record_filename, render_record_pdf
from clausewatch_api.subscriber_auth import signup_offer
from clausewatch_api.templating import render
from clausewatch_shared.clock import utcnow
from clausewatch_shared.models import Document, Platform, Provision

# The pages are in the OpenAPI schema too (tag "pages"), so schema-driven tests request them with odd inputs.
HTML: dict[str, Any] = {"content": {"text/html": {}}}
router = APIRouter(
    tags=["pages"],
    default_response_class=HTMLResponse,
    responses={
        200: {**HTML, "description": "An HTML page."},
        404: {**HTML, "description": "No such record."},
    },
)


def env(request: Request) -> Environment:
    """Return the template environment."""
    environment: Environment = request.app.state.templates
    return environment


EnvDep = Annotated[Environment, Depends(env)]


def not_found(request: Request, templates: Environment, what: str) -> Response:
    """Render the 404 page."""
    return render(request, templates, "not_found.html", status_code=404, what=what)


@router.get("/")
async def latest(
    request: Request,
    session: SessionDep,
    templates: EnvDep,
    paging: PagingDep,
    flt: Annotated[ChangeFilter, Depends(change_filter)],
) -> Response:
    """Latest changes, newest first, with the same filters as the API."""
    items, total = await readmodel.change_set_page(session, flt, paging.limit, paging.offset)
    platforms, _ = await queries.list_platforms(session, limit=500, offset=0)
    return render(
        request,
        templates,
        "latest.html",
        changes=items,
        total=total,
        paging=paging,
        platforms=[present.platform(p) for p in platforms],
        query=dict(request.query_params),
    )


@router.get("/changes/{change_set_id}")
async def change_page(
    request: Request, change_set_id: str, session: SessionDep, templates: EnvDep
) -> Response:
    """One change set: side-by-side word diffs, and each change's classification and reasons."""
    detail = await readmodel.change_set_detail(session, change_set_id)
    if detail is None:
        return not_found(request, templates, "change")
    return render(request, templates, "change.html", cs=detail)


@router.get("/platforms/{platform_id}")
async def platform_page(
    request: Request, platform_id: str, session: SessionDep, templates: EnvDep, res: ResourcesDep
) -> Response:
    """A platform: its documents, recent activity, severity summary and a timeline of changes."""
    detail = await readmodel.platform_detail(session, platform_id, utcnow())
    if detail is None:
        return not_found(request, templates, "platform")
    return render(request, templates, "platform.html", p=detail, signup=signup_offer(request, res))


@router.get("/platforms")
async def platforms_page(request: Request, session: SessionDep, templates: EnvDep) -> Response:
    """Every watched platform."""
    rows, _ = await queries.list_platforms(session, limit=1000, offset=0)
    return render(request, templates, "platforms.html", platforms=[present.platform(p) for p in rows])


@router.get("/documents/{document_id:path}")
async def document_page(
    request: Request, document_id: str, session: SessionDep, templates: EnvDep
) -> Response:
    """A document: its current provisions, versions and changes."""
    detail = await readmodel.document_detail(session, document_id)
    if detail is None:
        return not_found(request, templates, "document")
    return render(request, templates, "document.html", d=detail)


@router.get(
    "/provisions/{provision_id}/record.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The provision record as a PDF."}},
)
async def provision_record_pdf(
    request: Request, provision_id: str, session: SessionDep, res: ResourcesDep, templates: EnvDep
) -> Response:
    """The provision page's record as a PDF, for a compliance file or a filing (decision 0167)."""
    now = utcnow()
    detail = await provision_detail(session, provision_id, res.blobs, res.base_url, now)
    if detail is None:
        return not_found(request, templates, "provision")
    # Laying out and subsetting the font takes tens of milliseconds of CPU: off the event loop.
    pdf = await anyio.to_thread.run_sync(
        functools.partial(
            render_record_pdf, detail, font=res.pdf_font, now=now, fallbacks=res.pdf_fallback_fonts
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{record_filename(detail)}"'},
    )


@router.get("/provisions/{provision_id}")
async def provision_page(
    request: Request, provision_id: str, session: SessionDep, res: ResourcesDep, templates: EnvDep
) -> Response:
    """A provision: clause, analysis, rarity, stability, history, laws, elsewhere, and its citation record."""
    detail = await provision_detail(session, provision_id, res.blobs, res.base_url, utcnow())
    if detail is None:
        return not_found(request, templates, "provision")
    return render(request, templates, "provision.html", d=detail, signup=signup_offer(request, res))


@router.get("/clause-types")
async def clause_types_page(request: Request, session: SessionDep, templates: EnvDep) -> Response:
    """Every clause type the current documents hold, with how many platforms and provisions, and how serious."""
    return render(request, templates, "clause_types.html", d=await clause_types_overview(session))


@router.get("/clause-types/{clause_type}")
async def clause_type_page(
    request: Request, clause_type: str, session: SessionDep, templates: EnvDep
) -> Response:
    """How every watched platform states one clause type, each by its most serious provision (decision 0168)."""
    detail = await clause_type_detail(session, clause_type)
    if detail is None:
        return not_found(request, templates, "clause type")
    return render(request, templates, "clause_type.html", d=detail)


@router.get("/methodology")
async def methodology_page(request: Request, templates: EnvDep) -> Response:
    """How the records are made: capture, provisions, clause types, severity, regulations, rarity, limits."""
    return render(request, templates, "methodology.html")


@router.get("/search")
async def search_page(
    request: Request,
    session: SessionDep,
    templates: EnvDep,
    q: Annotated[str, Query(max_length=200)] = "",
    clause_type: Annotated[str, Query(max_length=200)] = "",
    severity: Annotated[str, Query(max_length=100, pattern=SEVERITY_LIST)] = "",
) -> Response:
    """Search platforms, documents and current provisions by words, clause type or severity."""
    term = q.strip()
    platforms: list[Platform] = []
    documents: list[Document] = []
    provisions: list[Provision] = []
    if term:
        platforms, documents, provisions = await queries.search(session, term, limit=50)
    flt = ProvisionFilter(clause_types=split_values(clause_type), severities=split_values(severity))
    if not term and (flt.clause_types or flt.severities):
        provisions, _ = await queries.list_provisions(session, flt, limit=50, offset=0)
    assessed = await queries.provision_assessments(session, (p.id for p in provisions))
    docs = {d.id: d for d in documents}
    docs.update(await queries.by_ids(session, Document, (p.document_id for p in provisions)))
    hits = [
        {
            **present.provision(p, assessed.get(p.id)),
            "title": present.provision_title(p, assessed.get(p.id)),
            "document_title": docs[p.document_id].title if p.document_id in docs else p.document_id,
        }
        for p in provisions
    ]
    return render(
        request,
        templates,
        "search.html",
        q=term,
        clause_type=clause_type,
        severity=severity,
        platforms=[present.platform(p) for p in platforms],
        documents=[present.document(d) for d in documents],
        provisions=hits,
        searched=bool(term or flt.clause_types or flt.severities),
    )


@router.api_route("/unsubscribe/{token}", methods=["GET", "POST"])
async def unsubscribe(request: Request, token: str, session: SessionDep, templates: EnvDep) -> Response:
    """GET asks to confirm (mail scanners follow links, so a GET changes nothing); POST stops every alert to this
    subscriber (RFC 8058 one-click unsubscribe POSTs land here too)."""
    subscriber = await queries.subscriber_by_token(session, token)
    if subscriber is None:
        return not_found(request, templates, "subscription")
    if request.method == "GET":
        return render(
            request, templates, "unsubscribe.html", token=token, done=False, active=subscriber.active
        )
    subscriber.active = False
    session.add(subscriber)
    return render(request, templates, "unsubscribe.html", token=token, done=True, active=False)
