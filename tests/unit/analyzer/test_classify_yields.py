"""`apply_yields`: a type yields only to labels that are kept, so a dropped label removes nothing (chains)."""

from __future__ import annotations

from typing import Any

from clausewatch_analyzer.classify import Classifier, Label, apply_yields, merge_labels
from clausewatch_analyzer.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy

# Hugging Face privacy policy (real2-045 in tests/unit/analyzer/data/privacy_segments_real2.jsonl): a transfer
# paragraph whose "appropriate safeguards" are the transfer mechanism, not a security practice.
TRANSFER = (
    "In particular, if you provide Personal Information, it may be transferred to and processed on computers in "
    "the U.S. and other countries. We strive to take appropriate safeguards to ensure that your Personal "
    "Information will remain protected in a manner consistent with standard applicable data protection laws."
)


def _types(labels: list[Label]) -> set[str]:
    return {label.clause_type for label in labels}


def _taxonomy(yields: dict[str, list[str]], unless: dict[str, str] | None = None) -> Taxonomy:
    """A small taxonomy of types a..e where each type yields as given."""

    def raw(type_id: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": type_id,
            "name": type_id,
            "family": "privacy",
            "description": type_id,
            "patterns": {"weak": [rf"\b{type_id}\b"]},
            "severity": {"default": "low"},
        }
        if type_id in yields:
            entry["yields"] = {"to": yields[type_id]}
            if unless and type_id in unless:
                entry["yields"]["unless"] = unless[type_id]
        return entry

    return parse_taxonomy({"version": 1, "clause_types": [raw(t) for t in "abcde"]})


def _label(clause_type: str, source: str = "rules", phrase: str = "") -> Label:
    return Label(clause_type, 0.6, phrase or clause_type, "evidence", None, source)


def test_real_transfer_paragraph_keeps_collection_when_security_yields_to_the_transfer() -> None:
    labels = Classifier(load_taxonomy()).classify_provision(TRANSFER)
    assert "data_security" not in _types(labels)
    assert "first_party_collection" in _types(labels)


def test_chain_a_dropped_label_removes_nothing() -> None:
    taxonomy = _taxonomy({"a": ["b"], "b": ["c"]})
    assert _types(apply_yields([_label("a"), _label("b"), _label("c")], taxonomy)) == {"a", "c"}
    # a longer chain alternates: d is kept, so c yields, so b is kept, so a yields
    taxonomy = _taxonomy({"a": ["b"], "b": ["c"], "c": ["d"]})
    assert _types(apply_yields([_label(t) for t in "abcd"], taxonomy)) == {"b", "d"}


def test_chain_without_its_head_is_unchanged() -> None:
    taxonomy = _taxonomy({"a": ["b"], "b": ["c"]})
    assert _types(apply_yields([_label("a"), _label("b")], taxonomy)) == {"b"}
    assert _types(apply_yields([_label("a"), _label("c")], taxonomy)) == {"a", "c"}


def test_label_kept_by_unless_or_model_still_takes_precedence() -> None:
    taxonomy = _taxonomy({"a": ["b"], "b": ["c"]}, unless={"b": "named measure"})
    kept_by_unless = [_label("a"), _label("b", phrase="a named measure"), _label("c")]
    assert _types(apply_yields(kept_by_unless, taxonomy)) == {"b", "c"}
    by_model = [_label("a"), _label("b", source="model"), _label("c")]
    assert _types(apply_yields(by_model, taxonomy)) == {"b", "c"}


def test_implied_labels_are_not_present_but_can_yield() -> None:
    taxonomy = _taxonomy({"a": ["b"], "b": ["c"]})
    assert _types(apply_yields([_label("a"), _label("b", source="implied")], taxonomy)) == {"a", "b"}
    assert _types(apply_yields([_label("b", source="implied"), _label("c")], taxonomy)) == {"c"}


def test_cycle_members_yield_to_each_other_when_present() -> None:
    taxonomy = _taxonomy({"a": ["b"], "b": ["a"]})
    assert _types(apply_yields([_label("a"), _label("b"), _label("c")], taxonomy)) == {"c"}
    # whatever order the labels come in
    assert _types(apply_yields([_label("b"), _label("a")], taxonomy)) == set()
    # a model label in the cycle stays and the other member yields to it
    assert _types(apply_yields([_label("a", source="model"), _label("b")], taxonomy)) == {"a"}


def test_outside_a_cycle_only_kept_labels_count() -> None:
    # e yields to a, a member of the cycle a <-> b: both are dropped, so e stays
    taxonomy = _taxonomy({"a": ["b"], "b": ["a"], "e": ["a"]})
    assert _types(apply_yields([_label("a"), _label("b"), _label("e")], taxonomy)) == {"e"}
    # inside the cycle presence decides, even when b would drop anyway for the kept c outside it: a drops too,
    # and d, which yields to a, stays
    taxonomy = _taxonomy({"a": ["b"], "b": ["a", "c"], "d": ["a"]})
    assert _types(apply_yields([_label(t) for t in "abcd"], taxonomy)) == {"c", "d"}


def test_unless_is_checked_against_every_sentence_phrase_of_the_type() -> None:
    """The most confident sentence's phrase does not match `unless`, a later sentence's does: the label is kept."""
    taxonomy = _taxonomy({"a": ["b"]}, unless={"a": "named measure"})
    first = [_label("a", phrase="plain"), _label("b")]
    later = [Label("a", 0.5, "a named measure", "evidence")]
    merged = merge_labels([first, later])
    assert [label.phrase for label in merged if label.clause_type == "a"] == ["plain"]
    assert _types(apply_yields(merged, taxonomy)) == {"a", "b"}
    assert _types(apply_yields(merge_labels([first]), taxonomy)) == {"b"}


def test_real_access_paragraph_keeps_choice_named_in_a_later_sentence() -> None:
    """Decision 0106 (real6-060's case): "Account Settings" alone yields to access; browser settings do not."""
    classifier = Classifier(load_taxonomy())
    access = "You can review and update your profile information in Account Settings."
    labels = classifier.classify_provision(access)
    assert "user_choice_control" not in _types(labels)
    labels = classifier.classify_provision(
        f"{access} You can also delete cookies through your web browser settings."
    )
    assert {"user_access_deletion", "user_choice_control"} <= _types(labels)
