"""Texts for people, built deterministically from templates (`data/texts.yaml`) and facts found in the provision.

"What it is", "why it matters", "consumer impact" and "what you can do" never need a language model: they are
assembled from the clause types, the severity, the opt-out routes in the text and the regulations in scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clausewatch_analyzer.carveouts import quote
from clausewatch_analyzer.classify import Label
from clausewatch_analyzer.optouts import OptOut
from clausewatch_analyzer.taxonomy import DATA_DIR, ClauseType, Taxonomy

TEXTS_PATH = DATA_DIR / "texts.yaml"
CAVEAT = (
    "These actions may provide transparency or partial mitigation but may not fully address the underlying issue. "
    "Effectiveness varies by jurisdiction and individual circumstances."
)
DISCLAIMER = (
    "This analysis describes what the document states, permits, or reserves. It does not constitute a legal "
    "determination about enforceability."
)


@cache
def load_templates(path: Path = TEXTS_PATH) -> dict[str, Any]:
    """Load and cache the text templates."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _template(type_id: str, family: str, key: str) -> str:
    templates = load_templates()
    own = (templates.get("types") or {}).get(type_id) or {}
    return str(own.get(key) or (templates.get("families") or {}).get(family, {}).get(key) or "")


def _fill(template: str, platform: str, document: str, type_name: str) -> str:
    return template.format(platform=platform, document=document, type_name=type_name)


def filled(clause_type: ClauseType, key: str, platform: str, document: str) -> str:
    """Return the clause type's template `key` (else its family's), with the platform and document filled in."""
    return _fill(_template(clause_type.id, clause_type.family, key), platform, document, clause_type.name)


def _route_phrase(opt_outs: Sequence[OptOut]) -> str:
    kinds = {o.kind for o in opt_outs}
    parts = []
    if "setting" in kinds:
        parts.append("an in-product setting")
    if "email" in kinds:
        parts.append("an email to " + next(o.value for o in opt_outs if o.kind == "email"))
    if "url" in kinds or "link" in kinds:
        parts.append("a link or web form")
    return " or ".join(parts)


def possessive(platform: str, document: str) -> str:
    """Return "Acme AI's Privacy Policy" for ("Acme AI", "Acme AI Privacy Policy").

    Catalogue titles usually repeat the platform's name; without this the sentence read "Acme AI's Acme AI Privacy
    Policy".
    """
    prefix = platform.strip() + " "
    rest = document[len(prefix) :] if document.lower().startswith(prefix.lower()) else document
    return f"{platform}'s {rest}"


def build_texts(
    labels: Sequence[Label],
    main: Label | None,
    severity: str,
    opt_outs: Sequence[OptOut],
    regulations: Sequence[dict[str, Any]],
    taxonomy: Taxonomy,
    platform: str = "The platform",
    document: str = "document",
    other_routes: Sequence[OptOut] = (),
    carve_outs: Sequence[str] = (),
) -> dict[str, Any]:
    """Return what_it_is, why_it_matters, consumer_impact, what_you_can_do (actions), the carve-outs and the caveats.

    `opt_outs` are the routes that let users act on the provision; `other_routes` the addresses it gives for
    complaints or further reading, listed as actions but never called an opt-out; `carve_outs` the sentences that
    say what a user's choice does not stop (decision 0134), quoted because their exact scope is the point.
    """
    primary = [lab for lab in labels if lab.source != "implied"]
    if not primary or main is None:
        return {}
    clause_type = taxonomy[main.clause_type]

    def fill(key: str) -> str:
        return filled(clause_type, key, platform, document)

    other_types = [taxonomy[lab.clause_type].name for lab in primary if lab is not main]
    routes = _route_phrase(opt_outs)
    if main.denied:
        texts = _denial_texts(
            clause_type, platform, document, fill("request"), opt_outs, regulations, other_routes
        )
        return texts | {"other_types": other_types}
    what = f"{possessive(platform, document)} contains a provision on {clause_type.in_prose}: {clause_type.description}"
    # A protection's routes are how to use it, not a way out of it: "To avoid it you must take action yourself" read
    # after a security provision's contact address (session 26). A data practice's control routes are ways out of it
    # ("manage this in your account settings"); a contract term's are only when the text offers one ("opt out of
    # arbitration"): a limitation of liability whose provision named the privacy settings read "To avoid it" too.
    offered = clause_type.family != "terms" or any(o.offers_a_way_out for o in opt_outs)
    escape = routes if offered and not clause_type.protects_users else ""
    if escape:
        what += f" The text offers an opt-out or control route: {routes}."
    elif routes:
        what += f" The text gives a route to act on it: {routes}."
    why = fill("why")
    if severity == "high" and escape and {o.kind for o in opt_outs} == {"email"}:
        why += " The opt-out places the burden on users to contact the company rather than a setting in the product."
    elif severity == "high" and not escape:
        why += " The text names no way to opt out."
    if carve_outs:
        why += f" Your choices have limits the text spells out: \u201c{quote(carve_outs[0])}\u201d"
    impact = fill("impact")
    if escape:
        impact += f" To avoid it you must take action yourself ({routes})"
        impact += ", and the exceptions the text names still apply." if carve_outs else "."
    else:
        if routes:
            impact += f" The route the text gives: {routes}."
        if carve_outs:
            impact += " Some uses continue whatever you choose, as the text says."
    return {
        "what_it_is": what,
        "why_it_matters": why,
        "consumer_impact": impact,
        "what_you_can_do": actions(fill("request"), opt_outs, regulations, other_routes),
        "carve_outs": [quote(sentence) for sentence in carve_outs],
        "caveat": CAVEAT,
        "disclaimer": DISCLAIMER,
        "other_types": other_types,
        "generated_by": "templates",
    }


def _denial_texts(
    clause_type: ClauseType,
    platform: str,
    document: str,
    request: str,
    opt_outs: Sequence[OptOut],
    regulations: Sequence[dict[str, Any]],
    other_routes: Sequence[OptOut],
) -> dict[str, Any]:
    """The texts of a provision whose main label is denied: it says the practice does not happen (decision 0141).

    The type's own templates describe the practice ("Your activity may be used to profile you for advertising"):
    read beside "We do not … share personal information for targeted … advertising" they said the opposite of the
    text (Grok, demo, session 15).
    """
    practice = clause_type.practice
    return {
        "what_it_is": f"{possessive(platform, document)} contains a provision on {clause_type.in_prose}: it "
        f"states that {platform} does not {practice}.",
        "why_it_matters": f"A commitment in so many words: {platform} says it does not {practice}. Companies are "
        "held to what their policies state (FTC Act s.5 in the US; GDPR Art. 5 and 13 in the EU), and clausewatch "
        "reports it when a later version drops or narrows this statement.",
        "consumer_impact": "None from this provision as written: it rules the practice out.",
        "what_you_can_do": actions(request, opt_outs, regulations, other_routes),
        "carve_outs": [],
        # Nothing to mitigate: the rights are a way to check the statement holds for your data.
        "caveat": "These rights apply whatever this provision says; they let you check that the statement holds "
        "for your own data.",
        "disclaimer": DISCLAIMER,
        "denied": True,
        "generated_by": "templates",
    }


def _action(title: str, detail: str, route: str) -> dict[str, str]:
    return {"title": title, "detail": detail, "route": route}


def actions(
    request: str,
    opt_outs: Sequence[OptOut],
    regulations: Sequence[dict[str, Any]],
    other_routes: Sequence[OptOut] = (),
) -> list[dict[str, str]]:
    """Return concrete actions: the routes the text gives first, then rights and complaints from the laws in scope.

    `request` is what to ask for through a route ("request that your content not be used for AI model training"),
    its platform already filled in: it was once used as written and showed "{platform}" to readers.
    """
    request = request or "make your request"
    out: list[dict[str, str]] = []
    for route in opt_outs:
        if route.kind == "email":
            detail = f"Email {route.value} to {request}. State your account details and your request clearly."
            out.append(_action("Email the company", detail, route.value))
        elif route.kind == "setting":
            out.append(_action("Change your settings", f"Go to {route.value} to {request}.", route.value))
        elif route.kind in {"url", "link"}:
            out.append(_action("Use the link", f"Use {route.value} to {request}.", route.value))
    for route in other_routes:
        if route.purpose == "complaint":
            detail = f"The text gives {route.value} for complaints to a data protection authority."
            out.append(_action("Contact the authority", detail, route.value))
        else:
            detail = f"The text points to {route.value} for more information."
            out.append(_action("Read more", detail, route.value))
    ids = {r["id"] for r in regulations}
    if ids & {"gdpr", "uk_gdpr"}:
        out.append(
            {
                "title": "Use your data-protection rights",
                "detail": "In the EU/EEA and the UK you can object to processing or withdraw consent (GDPR Art. 21, Art. 7) "
                "and ask for access or erasure (Art. 15, Art. 17).",
                "route": "rights request",
            }
        )
    if "ccpa_cpra" in ids:
        out.append(
            {
                "title": "Use your California privacy rights",
                "detail": "California residents can ask to know, delete and correct data and opt out of its sale or sharing.",
                "route": "rights request",
            }
        )
    for regulation in regulations:
        for agency in regulation.get("agencies") or []:
            if agency.get("complaint_url") and not any(
                a.get("route") == agency["complaint_url"] for a in out
            ):
                out.append(
                    {
                        "title": f"Complain to {agency['name']}",
                        "detail": f"{agency['name']} {agency.get('role', '')}.".strip(),
                        "route": agency["complaint_url"],
                    }
                )
                break
        if len(out) >= 6:
            break
    return out
