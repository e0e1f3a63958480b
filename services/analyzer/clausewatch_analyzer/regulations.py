"""The regulation catalogue (`data/regulations.yaml`) and the mapping from clause types and jurisdictions to laws.

A regulation is in scope for a document when one of its platform's jurisdictions covers the regulation's: "US"
covers "US-CA", "EU" covers "EU"; a platform with no jurisdictions recorded (or "global") is taken to reach
everyone, which is what a public website does until the catalogue says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clausewatch_analyzer.taxonomy import DATA_DIR, Taxonomy

REGULATIONS_PATH = DATA_DIR / "regulations.yaml"
_GLOBAL = {"", "global", "world", "ww", "*"}
# Common aliases a catalogue may use for the same place.
_ALIASES = {"UK": "GB", "EEA": "EU", "USA": "US"}


@dataclass(frozen=True)
class Agency:
    """A body that enforces a regulation, and where to complain to it."""

    name: str
    role: str
    complaint_url: str | None


@dataclass(frozen=True)
class Regulation:
    """One regulation: where it applies, which articles we cite, who enforces it."""

    id: str
    name: str
    short_name: str
    jurisdiction: str
    kind: str
    url: str | None
    articles: dict[str, str]
    agencies: tuple[Agency, ...]


@dataclass(frozen=True)
class Catalogue:
    """All regulations by id, and the jurisdictions' display names and flags."""

    regulations: dict[str, Regulation]
    jurisdictions: dict[str, dict[str, str]]

    def __getitem__(self, regulation_id: str) -> Regulation:
        return self.regulations[regulation_id]


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Build the catalogue from the YAML's parsed content."""
    regulations: dict[str, Regulation] = {}
    for raw in data.get("regulations") or []:
        regulation = Regulation(
            id=str(raw["id"]),
            name=str(raw["name"]),
            short_name=str(raw.get("short_name") or raw["name"]),
            jurisdiction=str(raw["jurisdiction"]),
            kind=str(raw.get("kind", "other")),
            url=raw.get("url"),
            articles={str(k): str(v) for k, v in (raw.get("articles") or {}).items()},
            agencies=tuple(
                Agency(str(a["name"]), str(a.get("role", "")), a.get("complaint_url"))
                for a in raw.get("agencies") or []
            ),
        )
        if regulation.id in regulations:
            msg = f"duplicate regulation id {regulation.id!r}"
            raise ValueError(msg)
        regulations[regulation.id] = regulation
    jurisdictions = {
        str(k): {str(a): str(b) for a, b in v.items()} for k, v in (data.get("jurisdictions") or {}).items()
    }
    return Catalogue(regulations, jurisdictions)


@cache
def load_catalogue(path: Path = REGULATIONS_PATH) -> Catalogue:
    """Load and cache the regulation catalogue."""
    return parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))


def normalise_jurisdictions(jurisdictions: Iterable[str] | None) -> frozenset[str]:
    """Upper-case codes with aliases resolved; empty means global."""
    out: set[str] = set()
    for raw in jurisdictions or []:
        code = str(raw).strip()
        if code.lower() in _GLOBAL:
            return frozenset()
        code = code.upper()
        out.add(_ALIASES.get(code, code))
    return frozenset(out)


def in_scope(regulation_jurisdiction: str, jurisdictions: frozenset[str]) -> bool:
    """Whether a regulation's jurisdiction is covered by a document's jurisdictions (empty: everywhere)."""
    if not jurisdictions:
        return True
    return any(
        regulation_jurisdiction == j or regulation_jurisdiction.startswith(j + "-") for j in jurisdictions
    )


@dataclass(frozen=True)
class Mapping:
    """The regulations a provision touches (ids, display details) and the jurisdictions they flag."""

    ids: list[str]
    details: list[dict[str, Any]]
    flags: list[dict[str, Any]]


def map_regulations(
    clause_types: Sequence[str],
    taxonomy: Taxonomy,
    catalogue: Catalogue,
    jurisdictions: Iterable[str] | None = None,
    *,
    text: str,
) -> Mapping:
    """Return the regulations the clause types touch in the document's jurisdictions, with articles merged.

    A type's reference that carries a text condition counts only if the provision's `text` meets it.
    """
    scope = normalise_jurisdictions(jurisdictions)
    articles: dict[str, list[str]] = {}
    because: dict[str, list[str]] = {}
    for type_id in clause_types:
        if type_id not in taxonomy:
            continue
        for ref in taxonomy[type_id].regulations:
            regulation = catalogue.regulations.get(ref.id)
            if regulation is None or not in_scope(regulation.jurisdiction, scope) or not ref.applies_to(text):
                continue
            merged = articles.setdefault(ref.id, [])
            for article in ref.articles:
                if not _already_named(article, merged):
                    merged.append(article)
            because.setdefault(ref.id, []).append(type_id)
    details = [_detail(catalogue[rid], arts, because[rid], catalogue) for rid, arts in articles.items()]
    return Mapping(list(articles), details, _flags(details, catalogue))


def _detail(
    regulation: Regulation, articles: list[str], clause_types: list[str], catalogue: Catalogue
) -> dict[str, Any]:
    where = catalogue.jurisdictions.get(regulation.jurisdiction, {})
    return {
        "id": regulation.id,
        "name": regulation.short_name,
        "full_name": regulation.name,
        "jurisdiction": regulation.jurisdiction,
        "jurisdiction_name": where.get("name", regulation.jurisdiction),
        "flag": where.get("flag", ""),
        "articles": [{"id": a, "title": _article_title(regulation, a)} for a in articles],
        "agencies": [
            {"name": a.name, "role": a.role, "complaint_url": a.complaint_url} for a in regulation.agencies
        ],
        "url": regulation.url,
        "clause_types": list(dict.fromkeys(clause_types)),
    }


def _already_named(article: str, named: Sequence[str]) -> bool:
    """Whether the article, or the whole article it is part of, or a part of it, is named already: the landscape
    read "GDPR Art. 6(1)(c), Art. 5 and Art. 6". Two parts of one article ("1798.140(ae)", "1798.140(ah)") are two."""
    return any(article == other or _base(other) == article or _base(article) == other for other in named)


def _base(article: str) -> str:
    """The article a sub-provision belongs to: "Art. 5(1)(e)" → "Art. 5", "1798.140(ah)" → "1798.140"."""
    return article.split("(", 1)[0].strip()


def _article_title(regulation: Regulation, article: str) -> str:
    if article in regulation.articles:
        return regulation.articles[article]
    # "Art. 5(1)(e)" is titled by "Art. 5"; "1798.140(ah)" by "1798.140".
    return regulation.articles.get(_base(article), "")


def _flags(details: list[dict[str, Any]], catalogue: Catalogue) -> list[dict[str, Any]]:
    flags: dict[str, dict[str, Any]] = {}
    for detail in details:
        code = detail["jurisdiction"]
        flag = flags.setdefault(
            code,
            {
                "jurisdiction": code,
                "name": catalogue.jurisdictions.get(code, {}).get("name", code),
                "flag": catalogue.jurisdictions.get(code, {}).get("flag", ""),
                "regulations": [],
            },
        )
        flag["regulations"].append(detail["name"])
    return list(flags.values())
