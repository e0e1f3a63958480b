"""The institutional analysis of a provision: what a compliance or procurement reader needs, from facts we hold.

The seed pages give compliance readers five headings under "Institutional analysis": regulatory landscape,
governance exposure, jurisdiction flags, contract and vendor implications, compliance considerations; and an
"interpretive note" where the text leaves a legal question open. Each is assembled here from what the analyzer
already knows about the provision (the laws and articles mapped with their titles and enforcers, the severity and its
reasons, the routes and carve-outs found in the text, the clause type's templates) and never from a language model:
every sentence can be traced to a fact of the provision or of our catalogues (decision 0136).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from clausewatch_analyzer.carveouts import quote
from clausewatch_analyzer.optouts import OptOut

# Most regulations a landscape names, and articles per regulation: beyond that a paragraph stops being read.
MAX_LAWS = 4
MAX_ARTICLES = 3
# The words a provision uses when it states its GDPR lawful basis (Art. 6(1) (a)-(f)).
_LAWFUL_BASIS = re.compile(
    r"\b(legal|lawful) basis\b|\blegitimate interests?\b|\bconsent\b|\b(performance of|perform|necessary for) (a|the|our)"
    r" (contract|agreement)\b|\blegal obligations?\b|\bvital interests?\b|\bpublic interest\b|\bart(icle)?\.? ?6\b",
    re.IGNORECASE,
)
_DATA_FAMILIES = {"privacy", "ai"}


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


_SECTION_NAMED = re.compile(r"\bSection (\d+)$")


def _split_articles(
    name: str, articles: Sequence[Mapping[str, Any]]
) -> tuple[Mapping[str, Any] | None, list[Mapping[str, Any]]]:
    """Return (the article the law's name already is, the others): "FTC Act Section 5" is its article "s.5", which
    read "FTC Act Section 5 s.5 (…)" (demo, session 17)."""
    section = _SECTION_NAMED.search(name)
    if section is not None:
        for article in articles:
            if re.sub(r"\D", "", str(article.get("id"))) == section.group(1):
                return article, [a for a in articles if a is not article]
    return None, list(articles)


def _article(article: Mapping[str, Any]) -> str:
    # "principles (lawfulness, purpose limitation, …)" reads as "principles" inside a sentence of parentheses.
    title = str(article.get("title") or "").split(" (", 1)[0]
    return f"{article['id']} ({title})" if title else str(article["id"])


def regulatory_landscape(regulations: Sequence[Mapping[str, Any]]) -> str:
    """Name the laws the provision implicates, with their articles and titles, and who enforces them."""
    if not regulations:
        return ""
    laws = []
    for regulation in regulations[:MAX_LAWS]:
        own, others = _split_articles(
            str(regulation["name"]), (regulation.get("articles") or [])[:MAX_ARTICLES]
        )
        # A law named by its section says what that section covers: "FTC Act Section 5 (unfair or …)".
        name = str(regulation["name"]) + (_article(own).removeprefix(str(own["id"])) if own else "")
        articles = [_article(a) for a in others]
        where = regulation.get("jurisdiction_name") or regulation.get("jurisdiction") or ""
        laws.append(f"{name}{' ' + _join(articles) if articles else ''}{f' ({where})' if where else ''}")
    text = f"This provision implicates {_join(laws)}."
    if len(regulations) > MAX_LAWS:
        rest = [str(r["name"]) for r in regulations[MAX_LAWS:]]
        text += f" It also falls within {_join(rest)}."
    agencies = list(dict.fromkeys(str(a["name"]) for r in regulations for a in (r.get("agencies") or [])))
    if agencies:
        text += f" Enforcement authorities include {_join(agencies[:4])}."
    return text


def governance_exposure(
    severity: str,
    reasons: Sequence[str],
    opt_outs: Sequence[OptOut],
    carve_outs: Sequence[str],
) -> str:
    """Rate the exposure (the provision's severity) and give the facts behind it: the reasons, each naming its own
    clause type ("Biometric data: …"), then what the text offers users."""
    text = f"{severity.capitalize()}."
    if reasons:
        text += f" {'; '.join(r.rstrip('.') for r in reasons)}."
    kinds = {o.kind for o in opt_outs}
    if carve_outs:
        text += (
            " The text names uses its opt-out does not stop, so the opt-out is not a complete restriction on the use, "
            "which may not be apparent to users who rely on it."
        )
    if kinds == {"email"}:
        text += " The only route is contacting the company, not a control in the product."
    elif "setting" in kinds:
        text += (
            " An in-product control is named ("
            + next(o.value for o in opt_outs if o.kind == "setting")
            + ")."
        )
    elif not opt_outs and severity in {"high", "medium"}:
        text += " The text names no route to opt out or object."
    return text


def jurisdiction_flags(flags: Sequence[Mapping[str, Any]], regulations: Sequence[Mapping[str, Any]]) -> str:
    """Say, per jurisdiction in scope, which laws and articles reach users there."""
    by_name = {str(r["name"]): r for r in regulations}
    parts = []
    for flag in flags:
        laws = []
        for name in flag.get("regulations") or []:
            _, others = _split_articles(
                str(name), (by_name.get(name, {}).get("articles") or [])[:MAX_ARTICLES]
            )
            articles = [str(a["id"]) for a in others]
            laws.append(f"{name}{' (' + ', '.join(articles) + ')' if articles else ''}")
        if laws:
            parts.append(f"{flag.get('name') or flag.get('jurisdiction')}: {', '.join(laws)}")
    return ("Users are protected differently by place. " + "; ".join(parts) + ".") if parts else ""


def interpretive_note(
    family: str, regulations: Sequence[Mapping[str, Any]], text: str, *, denied: bool = False
) -> str:
    """Name a legal question the text leaves open, when there is one we can see: a data practice under the GDPR
    that states no lawful basis (none when the text denies the practice: nothing is processed to need one)."""
    gdpr = any(r.get("id") in {"gdpr", "uk_gdpr"} for r in regulations)
    if family in _DATA_FAMILIES and gdpr and not denied and not _LAWFUL_BASIS.search(text):
        return (
            "The provision does not state the lawful basis it relies on under the GDPR (Art. 6) for this use; the "
            "basis may be given elsewhere in the policy, and without it whether the use is lawful cannot be judged "
            "from this text."
        )
    return ""


def compliance_considerations(
    template: str,
    regulations: Sequence[Mapping[str, Any]],
    opt_outs: Sequence[OptOut],
    carve_outs: Sequence[str],
    note: str,
) -> str:
    """The type's own checks, then the checks the provision's facts call for."""
    checks = [template] if template else []
    if note:
        checks.append(
            "Verify the lawful basis documented for this processing in the records of processing (GDPR Art. 30)"
        )
    if opt_outs:
        routes = _join([o.value for o in opt_outs[:3]])
        checks.append(f"Check that the route the text names ({routes}) works and is easy to find")
    if carve_outs:
        checks.append(
            f"Assess whether the exceptions (\u201c{quote(carve_outs[0], 120)}\u201d) are disclosed where users make the choice"
        )
    if any(r.get("id") == "universal_opt_out" for r in regulations):
        checks.append(
            "Check that opt-out preference signals such as Global Privacy Control are honoured where the law requires"
        )
    return ". ".join(c.rstrip(".") for c in checks) + "." if checks else ""


def institutional_analysis(
    *,
    family: str,
    severity: str,
    reasons: Sequence[str],
    regulations: Sequence[Mapping[str, Any]],
    flags: Sequence[Mapping[str, Any]],
    opt_outs: Sequence[OptOut],
    carve_outs: Sequence[str],
    text: str,
    vendor: str,
    compliance: str,
    denied: str = "",
) -> tuple[list[dict[str, str]], str]:
    """Return (the sections, each {id, title, text}, and the interpretive note, "" when there is none).

    `denied`: the practice the provision says does not happen ("sell your personal data"), "" when it states one;
    the compliance check is then whether the statement holds (decision 0141).
    """
    note = interpretive_note(family, regulations, text, denied=bool(denied))
    if denied:
        compliance = (
            f"Check that the statement holds in practice, that the provider does not {denied}, through its data "
            "flows, tools and vendor contracts; an untrue policy statement can be a deceptive practice (FTC Act s.5)"
        )
    sections = [
        ("regulatory_landscape", "Regulatory landscape", regulatory_landscape(regulations)),
        (
            "governance_exposure",
            "Governance exposure",
            governance_exposure(severity, reasons, opt_outs, carve_outs),
        ),
        ("jurisdiction_flags", "Jurisdiction flags", jurisdiction_flags(flags, regulations)),
        ("contract_and_vendor", "Contract and vendor implications", vendor),
        (
            "compliance_considerations",
            "Compliance considerations",
            compliance_considerations(compliance, regulations, opt_outs, carve_outs, note),
        ),
    ]
    return [{"id": i, "title": t, "text": body} for i, t, body in sections if body], note


__all__ = ["institutional_analysis", "interpretive_note", "regulatory_landscape"]
