"""The app factory: `create_api(settings, db, blobs)` builds the FastAPI app and connects nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from clausewatch_api import __doc__ as package_doc
from clausewatch_api.deps import Resources
from clausewatch_api.routes import api_v1, feeds, pages
from clausewatch_api.schemas import HealthOut
from clausewatch_api.settings import ApiSettings
from clausewatch_api.templating import build_environment, render
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import Message

Publish = Callable[[Message], Awaitable[Any]]


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/feeds/", "/healthz")) and "text/html" in request.headers.get(
        "accept", ""
    )


def create_api(
    settings: ApiSettings, db: Database, blobs: BlobStore, publish: Publish | None = None
) -> FastAPI:
    """Return the HTTP app over the given database and blob store (publish: how to send commands, if at all)."""
    app = FastAPI(
        title="clausewatch API",
        version="1",
        description=(package_doc or "").strip(),
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.resources = Resources(settings=settings, db=db, blobs=blobs, publish=publish)
    app.state.templates = build_environment()
    app.mount("/static", StaticFiles(directory=str(files("clausewatch_api") / "static")), name="static")
    app.include_router(api_v1.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)

    @app.get("/healthz", response_model=HealthOut, tags=["ops"])
    async def healthz() -> JSONResponse:
        """Say whether the app runs and the database answers (503 when it does not)."""
        ok = await db.ping()
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": ok}, status_code=200 if ok else 503
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        # People get a page, programs get JSON: browsers send Accept: text/html.
        if exc.status_code == 404 and _wants_html(request):
            return render(request, app.state.templates, "not_found.html", status_code=404, what="page")
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": "invalid request", "errors": _plain(exc.errors())}, status_code=422)

    return app


def _plain(errors: Any) -> Any:
    """Return validation errors with only JSON-safe values (inputs may hold bytes or odd objects)."""
    out = []
    for err in errors:
        out.append(
            {
                "loc": [str(x) for x in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": err.get("type"),
            }
        )
    return out
