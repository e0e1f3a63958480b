"""The clause-type taxonomy, loaded from `data/taxonomy.yaml` into typed, compiled objects.

The YAML is the source of truth (ids, names, descriptions, examples, patterns, severity rules, regulations); this
module only validates it and compiles its regular expressions once, so classifying a sentence is a few regex scans.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from clausewatch_analyzer.polarity import states_practice

DATA_DIR = Path(__file__).parent / "data"
TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"
SEVERITIES = ("high", "medium", "low")
SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3}
STRONG_WEIGHT = 0.85
WEAK_WEIGHT = 0.55


class TaxonomyError(ValueError):
    """The taxonomy file is malformed: the message says which clause type and field."""


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern and how much one match counts on its own."""

    regex: re.Pattern[str]
    weight: float

    @property
    def strong(self) -> bool:
        """Whether a match is enough without the model's agreement."""
        return self.weight >= STRONG_WEIGHT


@dataclass(frozen=True)
class SeverityRule:
    """If the text matches `regex`, the severity is `severity` for `reason` (the first matching rule wins).

    `unless_denied`: the rule names a practice ("advertising", "children", "China"), and a match the same clause
    denies ("we do not share it for advertising") does not count (decision 0137), unless an exception follows it
    ("we will not share it with advertisers without your consent" still shares, 0141); nor does a match inside the
    "Do Not Track" signal's name or in a question the text reports (0189; `polarity.states_practice`).
    """

    regex: re.Pattern[str]
    severity: str
    reason: str
    unless_denied: bool = False

    def applies_to(self, text: str) -> bool:
        """Whether the rule matches `text` (at a place its clause does not deny, for an `unless_denied` rule)."""
        if not self.unless_denied:
            return self.regex.search(text) is not None
        return any(states_practice(text, m.start(), m.end()) for m in self.regex.finditer(text))


@dataclass(frozen=True)
class RegulationRef:
    """A regulation a clause type touches, and which of its articles.

    `when`, if set, limits the reference to provisions whose text matches it: a type as broad as "specific
    audiences" touches COPPA only where children are meant, not in a paragraph on complaining to a data protection
    authority (decision 0124).
    """

    id: str
    articles: tuple[str, ...]
    when: re.Pattern[str] | None = None

    def applies_to(self, text: str) -> bool:
        """Whether the reference holds for a provision with this text."""
        return self.when is None or self.when.search(text) is not None


@dataclass(frozen=True)
class ClauseType:
    """One clause type: what it means, how to spot it, how serious it is, which laws it touches."""

    id: str
    name: str
    family: str
    description: str
    examples: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    default_severity: str
    levels: dict[int, str]
    severity_rules: tuple[SeverityRule, ...]
    regulations: tuple[RegulationRef, ...]
    implies: tuple[str, ...] = ()
    claudette_code: str | None = None
    excludes: tuple[re.Pattern[str], ...] = ()
    yields_to: tuple[str, ...] = ()
    yields_unless: re.Pattern[str] | None = None
    # A provision of this type states a right or a protection users can rely on (access and deletion, a choice,
    # security, region-specific rights): removing it narrows their position whatever its own severity (0121).
    protects_users: bool = False
    # What the provider does when a provision of this type states the practice ("sell your personal data"); set
    # for the practice types a sentence can deny ("We do not sell your personal data"), so such a label reads as the
    # provider's statement that it does not (decision 0141).
    practice: str = ""

    @property
    def in_prose(self) -> str:
        """The name as it reads inside a sentence: "sale of personal data", while "AI model training on user content
        and prompts" keeps its acronym and "Do Not Track", a proper name, its capitals."""
        words = self.name.split(" ")
        if all(w[0].isupper() for w in words if w[:1].isalpha()):
            return self.name
        return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in words)


@dataclass(frozen=True)
class Taxonomy:
    """Every clause type, by id, in file order."""

    types: dict[str, ClauseType] = field(default_factory=dict)
    version: int = 1
    # A digest of the whole parsed file (patterns, severity rules, regulations): it names the rules an assessment
    # was made with, so a changed rule re-assesses stored provisions (decision 0163).
    digest: str = ""

    def __getitem__(self, type_id: str) -> ClauseType:
        return self.types[type_id]

    def __contains__(self, type_id: object) -> bool:
        return type_id in self.types

    @property
    def ids(self) -> list[str]:
        """All clause type ids, in file order."""
        return list(self.types)

    @cached_property
    def order(self) -> dict[str, int]:
        """Each clause type id's place in file order (labels are listed in it)."""
        return {type_id: index for index, type_id in enumerate(self.types)}

    def family(self, family: str) -> list[ClauseType]:
        """The clause types of one family (terms, privacy, ai)."""
        return [t for t in self.types.values() if t.family == family]


def _compile(expr: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(expr, re.IGNORECASE)
    except re.error as exc:
        msg = f"{where}: bad regular expression {expr!r}: {exc}"
        raise TaxonomyError(msg) from exc


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        msg = f"{where}: severity must be one of {SEVERITIES}, not {value!r}"
        raise TaxonomyError(msg)
    return str(value)


def _clause_type(raw: dict[str, Any]) -> ClauseType:
    type_id = raw.get("id")
    if not isinstance(type_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", type_id):
        msg = f"clause type id must be a snake_case string, not {type_id!r}"
        raise TaxonomyError(msg)
    for key in ("name", "family", "description"):
        if not raw.get(key):
            msg = f"{type_id}: missing {key}"
            raise TaxonomyError(msg)
    pats = raw.get("patterns") or {}
    patterns = tuple(
        Pattern(_compile(p, f"{type_id}.patterns"), STRONG_WEIGHT) for p in pats.get("strong") or []
    ) + tuple(Pattern(_compile(p, f"{type_id}.patterns"), WEAK_WEIGHT) for p in pats.get("weak") or [])
    if not patterns:
        msg = f"{type_id}: at least one pattern is needed"
        raise TaxonomyError(msg)
    sev = raw.get("severity") or {}
    rules = tuple(
        SeverityRule(
            _compile(r["if"], f"{type_id}.severity"),
            _severity(r["then"], f"{type_id}.severity"),
            str(r["reason"]),
            bool(r.get("unless_denied", False)),
        )
        for r in sev.get("rules") or []
    )
    levels = {int(k): _severity(v, f"{type_id}.levels") for k, v in (sev.get("levels") or {}).items()}
    regulations = tuple(
        RegulationRef(
            str(r["id"]),
            tuple(str(a) for a in r.get("articles") or []),
            _compile(str(r["when"]), f"{type_id}.regulations.{r['id']}.when") if "when" in r else None,
        )
        for r in raw.get("regulations") or []
    )
    return ClauseType(
        id=type_id,
        name=str(raw["name"]),
        family=str(raw["family"]),
        description=str(raw["description"]).strip(),
        examples=tuple(str(e) for e in raw.get("examples") or []),
        patterns=patterns,
        default_severity=_severity(sev.get("default", "medium"), f"{type_id}.severity.default"),
        levels=levels,
        severity_rules=rules,
        regulations=regulations,
        implies=tuple(str(i) for i in raw.get("implies") or []),
        claudette_code=raw.get("claudette_code"),
        excludes=tuple(_compile(p, f"{type_id}.patterns.exclude") for p in pats.get("exclude") or []),
        yields_to=tuple(str(t) for t in (raw.get("yields") or {}).get("to") or []),
        yields_unless=_compile(raw["yields"]["unless"], f"{type_id}.yields")
        if (raw.get("yields") or {}).get("unless")
        else None,
        protects_users=_flag(raw.get("protects_users", False), f"{type_id}.protects_users"),
        practice=str(raw.get("practice") or "").strip(),
    )


def _flag(value: Any, where: str) -> bool:
    """A YAML boolean, or a TaxonomyError naming the field."""
    if not isinstance(value, bool):
        msg = f"{where}: expected true or false, not {value!r}"
        raise TaxonomyError(msg)
    return value


def parse_taxonomy(data: dict[str, Any]) -> Taxonomy:
    """Build a Taxonomy from the YAML's parsed content, checking ids are unique and implications resolve."""
    types: dict[str, ClauseType] = {}
    for raw in data.get("clause_types") or []:
        clause_type = _clause_type(raw)
        if clause_type.id in types:
            msg = f"duplicate clause type id {clause_type.id!r}"
            raise TaxonomyError(msg)
        types[clause_type.id] = clause_type
    for clause_type in types.values():
        for other in clause_type.yields_to:
            if other not in types:
                msg = f"{clause_type.id}: yields to unknown type {other!r}"
                raise TaxonomyError(msg)
        for implied in clause_type.implies:
            if implied not in types:
                msg = f"{clause_type.id}: implies unknown type {implied!r}"
                raise TaxonomyError(msg)
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    digest = hashlib.blake2b(canonical, digest_size=8).hexdigest()
    return Taxonomy(types=types, version=int(data.get("version", 1)), digest=digest)


@cache
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    """Load and cache the taxonomy from its YAML file."""
    return parse_taxonomy(yaml.safe_load(path.read_text(encoding="utf-8")))
