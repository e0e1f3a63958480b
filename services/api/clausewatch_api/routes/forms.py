"""What the pages' HTML forms share: reading an url-encoded body, describing it in the OpenAPI schema, and the
headers of a page whose address holds a token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

MAX_FORM_BYTES = 4096
HTML: dict[str, Any] = {"content": {"text/html": {}}}
# Pages whose address holds a token: never cached, and no Referer taking the token to another site.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def read_form(request: Request) -> dict[str, str]:
    """Return an url-encoded form's fields (first value of each); a body too long or not a form reads as empty."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items() if values}


def form_body(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    """Return a route's `openapi_extra` describing its url-encoded form (so schema-driven clients and tests post one)."""
    schema = {"type": "object", "required": required, "properties": properties}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }
