"""Reusing assessments of text already seen: the same results as a full re-classification, with less work."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.engine import Engine, build_engine
from clausewatch_analyzer.memo import LRU, rules_fingerprint
from clausewatch_analyzer.segment import split_provisions, split_sentences
from clausewatch_analyzer.taxonomy import Pattern, Taxonomy, load_taxonomy

OTA = Path(__file__).resolve().parents[2] / "data" / "ota"
CONTEXT = Context("Example", "Privacy Policy", ("EU", "US"))


def _history(document: str, versions: int) -> list[list[str]]:
    paths = sorted((OTA / document).glob("v*.md"))[:versions]
    return [[s.text for s in split_provisions(p.read_text(encoding="utf-8"))] for p in paths]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.mark.parametrize("doc_type", [None, "Privacy Policy", "terms-of-service"])
def test_memoised_assessments_equal_a_full_reclassification(engine: Engine, doc_type: str | None) -> None:
    """Successive versions assessed through the memo give exactly the results of assessing every provision afresh,
    whatever the document's type (a privacy document is read otherwise, decision 0203)."""
    memo_engine = Engine(engine.classifier, engine.catalogue)
    context = replace(CONTEXT, doc_type=doc_type)
    for document in ("Cursor__Privacy_Policy", "Bluesky__Terms_of_Service"):
        for texts in _history(document, 3):
            fresh = [assess_provision(t, engine.classifier, engine.catalogue, context) for t in texts]
            assert memo_engine.assess(texts, context) == fresh


def test_a_new_version_classifies_only_sentences_never_seen(engine: Engine) -> None:
    """After version 1, version 2 sends the classifier only its sentences that version 1 did not have."""
    memo_engine = Engine(engine.classifier, engine.catalogue)
    first, second = _history("Discord__Privacy_Policy", 2)
    memo_engine.assess(first, CONTEXT)
    before = memo_engine.memo.classified
    memo_engine.assess(second, CONTEXT)
    seen = {s for text in first for s in split_sentences(text)}
    new = {s for text in second for s in split_sentences(text)} - seen
    assert memo_engine.memo.classified - before == len(new)
    memo_engine.assess(second, Context("Another", "Terms", ()))
    assert memo_engine.memo.classified - before == len(new)  # another document: same sentences, no new work


def test_the_same_text_in_another_context_gets_that_context(engine: Engine) -> None:
    """A result is reused only within the same context: the platform name in the texts follows the context."""
    memo_engine = Engine(engine.classifier, engine.catalogue)
    text = "We may sell your personal information to advertisers."
    first = memo_engine.assess([text], Context("Alpha", "Privacy Policy", ()))[0]
    second = memo_engine.assess([text], Context("Beta", "Privacy Policy", ()))[0]
    assert first.labels == second.labels
    assert second == assess_provision(
        text, engine.classifier, engine.catalogue, Context("Beta", "Privacy Policy", ())
    )


def test_an_edited_rule_changes_the_fingerprint() -> None:
    """Changing one pattern of the taxonomy gives another rules fingerprint, so no label of the old rules is reused."""
    taxonomy = load_taxonomy()
    first = next(iter(taxonomy.types.values()))
    edited_pattern = Pattern(first.patterns[0].regex, first.patterns[0].weight - 0.1)
    edited = Taxonomy(
        {**taxonomy.types, first.id: replace(first, patterns=(edited_pattern, *first.patterns[1:]))},
        taxonomy.version,
    )
    assert rules_fingerprint(edited) != rules_fingerprint(taxonomy)
    assert rules_fingerprint(load_taxonomy()) == rules_fingerprint(taxonomy)


def test_lru_forgets_the_least_recently_used_entry() -> None:
    """Beyond its size the LRU drops the entry used longest ago, not the one just read."""
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1
    lru.put("c", 3)
    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c"), len(lru)) == (1, 3, 2)
