"""The fixed vocabulary of document types, shared by the catalogue (fetcher) and documents added through the API."""

from __future__ import annotations

from clausewatch_shared.ids import slugify

# Display name -> slug used in document ids ("openai/privacy-policy").
DOC_TYPES: dict[str, str] = {
    name: slugify(name)
    for name in (
        "Privacy Policy",
        "Terms of Service",
        "Acceptable Use Policy",
        "AI Model Training Policy",
        "Usage Policy",
        "Cookie Policy",
        "Data Processing Agreement",
        "Community Guidelines",
        "Copyright Policy",
        "Law Enforcement Guidelines",
        "Subprocessors List",
        "Developer Terms",
        "Commercial Terms",
        "Supplemental Privacy Notice",
        "Transparency Report",
    )
}

# Accepted aliases, so authors can write the common names they see on the page.
DOC_TYPE_ALIASES: dict[str, str] = {
    "ai/model training policy": "AI Model Training Policy",
    "ai policy": "AI Model Training Policy",
    "terms of use": "Terms of Service",
    "terms and conditions": "Terms of Service",
    "user agreement": "Terms of Service",
    "privacy notice": "Privacy Policy",
    "privacy statement": "Privacy Policy",
    "dpa": "Data Processing Agreement",
    "aup": "Acceptable Use Policy",
}


def canonical_doc_type(value: str) -> str:
    """Return the vocabulary's name for a type written in any case or as a known alias; ValueError otherwise."""
    wanted = value.strip().lower()
    for name in DOC_TYPES:
        if name.lower() == wanted:
            return name
    alias = DOC_TYPE_ALIASES.get(wanted)
    if alias:
        return alias
    msg = f"unknown document type {value!r}; choose one of: {', '.join(DOC_TYPES)}"
    raise ValueError(msg)
