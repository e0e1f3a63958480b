"""Documents added through the API: validation (vocabulary, URL safety) and the rows they become.

The catalogue files are reviewed by the operator; a document added over HTTP is not, so its URLs must resolve to
public addresses (no cloud metadata, no NATS monitor, no intranet) unless the operator allows private ones. The
row is marked `origin: api` so the catalogue sync leaves it alone, and `public_only`, so the fetcher checks every
request and redirect hop again when it captures (DNS answers change) and never opens it in the browser, whose
subresource requests it does not vet one by one (docs/decisions/0055).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from clausewatch_shared.clock import utcnow
from clausewatch_shared.doctypes import DOC_TYPE_ALIASES, DOC_TYPES, canonical_doc_type
from clausewatch_shared.models import Document, Platform
from clausewatch_shared.netguard import UnsafeURLError, check_url

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2000)]

_MIN_INTERVAL = 3600


class DocumentIn(BaseModel):
    """A document to watch, added through the API."""

    platform_id: Slug = Field(
        description="Existing platform id, or a new one (then platform_name is required)."
    )
    platform_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Name of a new platform."
    )
    platform_website: Url | None = Field(default=None, description="Website of a new platform.")
    doc_type: str = Field(
        description="A type of the catalogue vocabulary, or a common alias (any case).",
        json_schema_extra={"enum": [*DOC_TYPES, *DOC_TYPE_ALIASES]},
    )
    title: str | None = Field(default=None, max_length=300)
    urls: list[Url] = Field(min_length=1, max_length=5, description="One or more pages, combined in order.")
    language: Language = "en"
    interval_seconds: int = Field(default=86_400, ge=_MIN_INTERVAL, description="Seconds between checks.")

    @field_validator("doc_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return canonical_doc_type(value)


class DocumentConflictError(Exception):
    """The document id is taken (by the catalogue or an earlier addition)."""


class PlatformNeededError(ValueError):
    """A new platform id without a name."""


def document_id(body: DocumentIn) -> str:
    """Return the stable id the document gets: platform id / type slug, as in the catalogue."""
    return f"{body.platform_id}/{DOC_TYPES[body.doc_type]}"


def field_error(field: tuple[str | int, ...], message: str, kind: str) -> dict[str, Any]:
    """Return one error in the shape of FastAPI's validation errors, so every 422 of this route reads alike."""
    return {"loc": ["body", *field], "msg": message, "type": kind}


async def url_errors(body: DocumentIn, *, allow_private: bool) -> list[dict[str, Any]]:
    """Return an error per URL that is not http(s) or resolves to a refused address (empty when all pass)."""
    errors = []
    for index, url in enumerate(body.urls):
        try:
            await check_url(
                url,
                require_https=False,
                allow_private=allow_private,
                what="document URLs",
                override="CLAUSEWATCH_ALLOW_PRIVATE_DOCUMENT_URLS",
            )
        except UnsafeURLError as exc:
            errors.append(field_error(("urls", index), str(exc), "unsafe_url"))
    return errors


async def add_document(session: AsyncSession, body: DocumentIn) -> Document:
    """Insert the document (and its platform when new), due for capture now; the URLs must be checked already."""
    doc_id = document_id(body)
    if await session.get(Document, doc_id) is not None:
        msg = f"document {doc_id} already exists"
        raise DocumentConflictError(msg)
    platform = await session.get(Platform, body.platform_id)
    if platform is None:
        if not body.platform_name:
            msg = f"platform {body.platform_id!r} does not exist: give platform_name to create it"
            raise PlatformNeededError(msg)
        platform = Platform(
            id=body.platform_id,
            name=body.platform_name,
            website=body.platform_website,
            jurisdictions=[],
            categories=[],
        )
        session.add(platform)
        await session.flush()  # the document's foreign key needs the platform row first
    doc = Document(
        id=doc_id,
        platform_id=platform.id,
        doc_type=body.doc_type,
        title=body.title or f"{platform.name} {body.doc_type}",
        urls=list(body.urls),
        language=body.language,
        spec={
            "select": [],
            "remove": [],
            "javascript": "auto",
            "pdf": False,
            "min_chars": 400,
            "origin": "api",
            "public_only": True,
        },
        interval_seconds=body.interval_seconds,
        next_due_at=utcnow(),
    )
    session.add(doc)
    await session.flush()
    return doc
