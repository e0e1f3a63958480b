"""What names the rules and code an assessment was made with (decision 0163).

A provision's assessment is stored once per classifier version, and the service assesses a version again only under
a new one. That version named the taxonomy by a number set by hand (1 since the first session) and the trained model
by its hash: twenty sessions of rule changes kept "t1-…", so no stored assessment was ever made again. It now names
the taxonomy's content and the analyzer's code as installed, so an upgrade that changes how provisions are read
re-assesses them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from clausewatch_analyzer.taxonomy import Taxonomy

PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest() -> str:
    """A digest of the analyzer's source and data files (the taxonomy aside: it is named by its own content, so a
    taxonomy loaded from elsewhere is named for what it holds)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in (".py", ".yaml") or path.name == "taxonomy.yaml":
            continue
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def rules_version(taxonomy: Taxonomy, privacy_model: str = "none") -> str:
    """Six hex digits naming the installed analyzer's code with this taxonomy's rules and the privacy-category
    model's version (it decides privacy categories beside the rules: decision 0188)."""
    named = f"{code_digest()}{taxonomy.digest}" + ("" if privacy_model == "none" else privacy_model)
    return hashlib.blake2b(named.encode(), digest_size=3).hexdigest()
