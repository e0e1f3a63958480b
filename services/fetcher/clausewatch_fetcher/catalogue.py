"""The catalogue: which platforms and documents we watch, declared as YAML data and validated with pydantic.

A catalogue is a YAML file or a directory of them. A file holds one platform (its fields at the top level) or
several (`platforms: [...]`). Validation errors name the file and the field (`openai.yaml: platforms[0].documents[1]
.urls: ...`), so an operator can fix a typo without reading a traceback. See docs/catalogue.md for the format.

Pure module: no I/O beyond reading the YAML files it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from selectolax.lexbor import LexborHTMLParser

from clausewatch_fetcher.steps import Step
from clausewatch_shared.doctypes import DOC_TYPES, canonical_doc_type

BUNDLED_CATALOGUE = Path(__file__).parent / "data" / "catalogue"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2000)]
JavaScript = Literal["auto", True, False]

# RFC 6265: a cookie name is an HTTP token; a value is cookie-octets (no controls, spaces, quotes, commas, ';', '\').
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}")
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{0,4096}")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class CatalogueError(ValueError):
    """The catalogue does not validate; the message lists every problem with its file and field."""


def parse_duration(value: object) -> int:
    """Return seconds from an int or a string such as '90s', '15m', '6h', '1d', '1w'."""
    if isinstance(value, bool):
        msg = "a duration is a number of seconds or a string like '6h' or '1d'"
        raise ValueError(msg)
    if isinstance(value, int | float):
        seconds = int(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower()
        unit = text[-1]
        if unit.isdigit():
            seconds = int(text)
        elif unit in _DURATION_UNITS and text[:-1].strip().replace(".", "", 1).isdigit():
            seconds = int(float(text[:-1]) * _DURATION_UNITS[unit])
        else:
            msg = f"not a duration: {value!r} (use e.g. '90s', '15m', '6h', '1d', '1w')"
            raise ValueError(msg)
    else:
        msg = f"not a duration: {value!r}"
        raise ValueError(msg)
    if seconds < 1:
        msg = "a duration must be at least one second"
        raise ValueError(msg)
    return seconds


class DocumentDecl(BaseModel):
    """One governance document of a platform: where it is, what part of the page is the document, how to fetch it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(description="A document type from the fixed vocabulary (DOC_TYPES).")
    slug: Slug | None = Field(default=None, description="Overrides the type's slug when a platform has two.")
    title: str | None = Field(default=None, max_length=300)
    urls: list[HttpUrl] = Field(min_length=1, description="One or more pages, combined in this order.")
    select: list[str] = Field(default_factory=list, description="CSS selectors of the document's content.")
    remove: list[str] = Field(default_factory=list, description="CSS selectors removed before extraction.")
    javascript: JavaScript = "auto"
    steps: list[Step] = Field(
        default_factory=list,
        max_length=20,
        description="What the browser does before reading the page (click, click_all, wait_for, scroll, wait).",
    )
    cookies: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="Cookies sent with every request for the document (a consent or region choice).",
    )
    pdf: bool = False
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$")] = "en"
    interval: int | None = Field(default=None, description="Seconds between checks; default: the fetcher's.")
    min_chars: int = Field(default=400, ge=0, description="Fewer extracted characters than this is 'empty'.")
    active: bool = True

    @field_validator("type", mode="before")
    @classmethod
    def _known_type(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return canonical_doc_type(value)

    @field_validator("interval", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @field_validator("select", "remove", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("select", "remove")
    @classmethod
    def _css(cls, value: list[str]) -> list[str]:
        probe = LexborHTMLParser("<p></p>")
        for selector in value:
            if not selector.strip():
                msg = "empty CSS selector"
                raise ValueError(msg)
            try:
                probe.css(selector)
            except Exception as exc:  # selectolax raises its own error type for a selector it cannot parse
                msg = f"invalid CSS selector {selector!r}"
                raise ValueError(msg) from exc
        return value

    @field_validator("cookies")
    @classmethod
    def _cookie_pairs(cls, value: dict[str, str]) -> dict[str, str]:
        for name, content in value.items():
            if not _COOKIE_NAME.fullmatch(name):
                msg = f"not a cookie name: {name!r} (letters, digits and !#$%&'*+-.^_`|~ only)"
                raise ValueError(msg)
            if not _COOKIE_VALUE.fullmatch(content):
                msg = f"cookie {name}: a value of up to 4096 characters without spaces, quotes, commas, ';' or '\\'"
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _steps_need_the_browser(self) -> DocumentDecl:
        if self.steps and (self.javascript is False or self.pdf):
            msg = "steps are done in the browser: a document with steps cannot set javascript: false or pdf: true"
            raise ValueError(msg)
        return self

    @property
    def type_slug(self) -> str:
        """The slug that, after the platform id, makes the document id."""
        return self.slug or DOC_TYPES[self.type]

    def spec(self) -> dict[str, Any]:
        """Return the extraction/fetch spec stored on the Document row (the differ reads select/remove)."""
        spec: dict[str, Any] = {
            "select": list(self.select),
            "remove": list(self.remove),
            "javascript": self.javascript,
            "pdf": self.pdf,
            "min_chars": self.min_chars,
        }
        # Only when declared: the rows of documents without them stay as they were.
        if self.steps:
            spec["steps"] = [step.model_dump(exclude_defaults=True) for step in self.steps]
        if self.cookies:
            spec["cookies"] = dict(self.cookies)
        return spec


class PlatformDecl(BaseModel):
    """A platform and the documents of it we watch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    name: str = Field(min_length=1, max_length=200)
    website: HttpUrl | None = None
    jurisdictions: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    documents: list[DocumentDecl] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_documents(self) -> PlatformDecl:
        seen: set[str] = set()
        for doc in self.documents:
            if doc.type_slug in seen:
                msg = f"two documents with id {self.id}/{doc.type_slug}: give one a distinct 'slug'"
                raise ValueError(msg)
            seen.add(doc.type_slug)
        return self


class CatalogueDocument(BaseModel):
    """A document with its platform, as the rest of the fetcher sees it."""

    model_config = ConfigDict(frozen=True)

    id: str
    platform: PlatformDecl
    decl: DocumentDecl

    @property
    def title(self) -> str:
        """A readable title: the declared one, else '<Platform> <Type>'."""
        return self.decl.title or f"{self.platform.name} {self.decl.type}"


class Catalogue(BaseModel):
    """Every platform declared, with lookups by id."""

    model_config = ConfigDict(frozen=True)

    platforms: list[PlatformDecl]
    sources: dict[str, str] = Field(default_factory=dict, description="platform id -> file it came from")

    def documents(self) -> list[CatalogueDocument]:
        """Return every document, in catalogue order."""
        return [
            CatalogueDocument(id=f"{p.id}/{d.type_slug}", platform=p, decl=d)
            for p in self.platforms
            for d in p.documents
        ]

    def platform(self, platform_id: str) -> PlatformDecl:
        """Return a platform by id (or by name, case-insensitively); KeyError if absent."""
        for p in self.platforms:
            if platform_id in (p.id, p.name) or p.name.lower() == platform_id.lower():
                return p
        raise KeyError(platform_id)

    def document(self, document_id: str) -> CatalogueDocument:
        """Return a document by its id; KeyError if absent."""
        for doc in self.documents():
            if doc.id == document_id:
                return doc
        raise KeyError(document_id)


def _format_errors(source: str, prefix: str, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = prefix
        for part in err["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        lines.append(f"{source}: {loc or '(top level)'}: {err['msg']}")
    return lines


def _platform_entries(data: object) -> tuple[list[Any], str] | None:
    if isinstance(data, dict) and "platforms" in data:
        entries = data["platforms"]
        return (entries if isinstance(entries, list) else [entries]), "platforms"
    if isinstance(data, dict):
        return [data], ""
    return None


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
    return [path]


def load_catalogue(paths: Path | str | Iterable[Path | str] = BUNDLED_CATALOGUE) -> Catalogue:
    """Load and validate the catalogue from YAML files or directories; raise CatalogueError listing every problem."""
    roots = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    problems: list[str] = []
    platforms: list[PlatformDecl] = []
    sources: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            problems.append(f"{root}: no such file or directory")
            continue
        for file in _files(root):
            name = str(file)
            try:
                data = yaml.safe_load(file.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                problems.append(f"{name}: not valid YAML: {exc}")
                continue
            found = _platform_entries(data)
            if found is None:
                problems.append(f"{name}: expected a platform mapping or 'platforms: [...]'")
                continue
            entries, key = found
            for index, entry in enumerate(entries):
                prefix = f"{key}[{index}]" if key else ""
                try:
                    platform = PlatformDecl.model_validate(entry)
                except ValidationError as exc:
                    problems.extend(_format_errors(name, prefix, exc))
                    continue
                if platform.id in sources:
                    problems.append(
                        f"{name}: {prefix or 'id'}: platform id {platform.id!r} also in {sources[platform.id]}"
                    )
                    continue
                sources[platform.id] = name
                platforms.append(platform)
    if problems:
        raise CatalogueError("invalid catalogue:\n  " + "\n  ".join(problems))
    return Catalogue(platforms=platforms, sources=sources)
