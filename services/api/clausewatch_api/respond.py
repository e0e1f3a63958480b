"""Responses with strong validators: an ETag over the body, and 304 Not Modified when the client has it already."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder

if TYPE_CHECKING:  # deps imports this module (through the templates); the page request is only an annotation
    from clausewatch_api.deps import Paging


# Clients may keep a copy but must ask again each time; the ETag makes asking cheap (a 304 has no body).
CACHE_CONTROL = "no-cache"


def etag_for(body: bytes) -> str:
    """Return a strong ETag for a response body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    if header.strip() == "*":
        return True
    candidates = {c.strip().removeprefix("W/") for c in header.split(",") if c.strip()}
    return etag in candidates


def with_etag(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str] | None = None,
    conditional: bool = True,
) -> Response:
    """Return the body with its ETag, or an empty 304 if the request already holds that version."""
    etag = etag_for(body)
    all_headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if conditional and request.method in ("GET", "HEAD") and _matches(request, etag):
        return Response(status_code=304, headers=all_headers)
    return Response(content=body, media_type=media_type, headers=all_headers)


def json_body(payload: Any) -> bytes:
    """Serialise a payload to compact, key-sorted JSON (so equal data gives an equal ETag)."""
    return json.dumps(
        jsonable_encoder(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def json_response(
    request: Request, payload: Any, headers: dict[str, str] | None = None, conditional: bool = True
) -> Response:
    """Return a JSON response with an ETag (conditional=False: always the full body, for fresh measurements)."""
    return with_etag(request, json_body(payload), "application/json", headers, conditional)


def page_response(request: Request, items: list[object], total: int, paging: Paging) -> Response:
    """Answer with one page and a link to the next (also as an RFC 8288 Link header)."""
    nxt = None
    headers: dict[str, str] = {"X-Total-Count": str(total)}
    if paging.offset + paging.limit < total:
        params = dict(request.query_params)
        params.update(limit=str(paging.limit), offset=str(paging.offset + paging.limit))
        nxt = f"{request.url.path}?{urlencode(params)}"
        headers["Link"] = f'<{nxt}>; rel="next"'
    body = {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset, "next": nxt}
    return json_response(request, body, headers)
