"""Clause-type ids the trained model speaks, and how CLAUDETTE's tags map onto them."""

from __future__ import annotations

import re
from typing import Final

# CLAUDETTE tag code -> taxonomy id. Order is the order of the model's outputs.
CLAUDETTE_TYPES: Final[dict[str, str]] = {
    "a": "arbitration",
    "ch": "unilateral_change",
    "cr": "content_removal",
    "j": "jurisdiction",
    "law": "choice_of_law",
    "ltd": "limitation_of_liability",
    "ter": "unilateral_termination",
    "use": "contract_by_using",
    "pinc": "privacy_included",
}

TERMS_TYPE_IDS: Final[tuple[str, ...]] = tuple(CLAUDETTE_TYPES.values())

# Privacy-policy categories, named after the OPP-115 scheme; learnt from clausewatch's own labelled sentences.
PRIVACY_TYPE_IDS: Final[tuple[str, ...]] = (
    "first_party_collection",
    "third_party_sharing",
    "user_choice_control",
    "user_access_deletion",
    "data_retention",
    "data_security",
    "policy_change",
    "do_not_track",
    "specific_audiences",
)

# CLAUDETTE's levels: 1 fair, 2 potentially unfair, 3 clearly unfair.
LEVELS: Final[tuple[int, ...]] = (1, 2, 3)

_TAG = re.compile(r"^([a-z]+?)([123])$")


def parse_tags(line: str) -> dict[str, int]:
    """Read one CLAUDETTE tag line ("ltd2 ter3") into {taxonomy id: level}; unknown tags are dropped.

    A sentence tagged twice with the same type (never seen, but cheap to guard) keeps the highest level.
    """
    found: dict[str, int] = {}
    for token in line.split():
        match = _TAG.match(token)
        if match is None or match.group(1) not in CLAUDETTE_TYPES:
            continue  # e.g. "countrym": not part of the scheme
        type_id = CLAUDETTE_TYPES[match.group(1)]
        found[type_id] = max(found.get(type_id, 0), int(match.group(2)))
    return found
