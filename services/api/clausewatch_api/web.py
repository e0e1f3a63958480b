"""The app factory: `create_api(settings, db, blobs)` builds the FastAPI app and connects nothing."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from clausewatch_api import __doc__ as package_doc
from clausewatch_api.deps import Resources
from clausewatch_api.routes import api_v1, feeds, pages, preferences_pages, signup_pages, subscriptions
from clausewatch_api.schemas import HealthOut
from clausewatch_api.settings import ApiSettings
from clausewatch_api.templating import build_environment, render
from clausewatch_shared.blobstore import BlobStore
from clausewatch_shared.db import Database
from clausewatch_shared.events import Message

Publish = Callable[[Message], Awaitable[Any]]


def _is_page(request: Request) -> bool:
    """True for the web pages' address space (everything but the JSON API, feeds, health and static files)."""
    return not request.url.path.startswith(
        ("/api/", "/feeds/", "/healthz", "/openapi.json", "/static/", "/docs")
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
    app.include_router(subscriptions.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.include_router(signup_pages.router)
    app.include_router(preferences_pages.router)

    @app.get("/healthz", response_model=HealthOut, tags=["ops"], responses={503: {"model": HealthOut}})
    async def healthz() -> JSONResponse:
        """Say whether the app runs and the database answers (503 when it does not)."""
        ok = await db.ping()
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": ok}, status_code=200 if ok else 503
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        # Under the pages' addresses a missing thing is a page too; the API and feeds answer JSON.
        if exc.status_code == 404 and _is_page(request):
            return render(request, app.state.templates, "not_found.html", status_code=404, what="page")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _allowed_methods(request: Request) -> str:
    """Return every method served at the request's path (Starlette's 405 names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if route.matches(request.scope)[0] is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """Return the OpenAPI document, with one operationId per method of routes that serve several methods."""
    if app.openapi_schema is None:
        with warnings.catch_warnings():
            # FastAPI names every method of a multi-method route alike and warns; we rename them just below.
            warnings.simplefilter("ignore", UserWarning)
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
        for operations in schema["paths"].values():
            if len(operations) > 1:
                for method, operation in operations.items():
                    operation["operationId"] = f"{operation.get('operationId', 'op')}_{method}".replace(
                        "_get_", "_"
                    )
        app.openapi_schema = schema
    return app.openapi_schema
