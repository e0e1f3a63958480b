"""Responses with strong validators: an ETag over the body, and 304 Not Modified when the client has it already."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder

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
