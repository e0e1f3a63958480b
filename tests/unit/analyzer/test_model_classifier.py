"""The shipped clause classifier: it loads offline and finds obvious clauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_analyzer.model import ModelNotAvailable, Prediction, load_classifier
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS


def test_shipped_model_finds_arbitration() -> None:
    """An obvious arbitration sentence is tagged arbitration with a confidence in [0, 1] and a level."""
    [found] = load_classifier().predict(
        ["Any dispute arising out of these terms shall be resolved by final and binding arbitration."]
    )
    by_type = {p.clause_type: p for p in found}
    assert "arbitration" in by_type
    assert 0.0 <= by_type["arbitration"].confidence <= 1.0
    assert by_type["arbitration"].level in (1, 2, 3)


def test_unrelated_sentence_has_no_clause_type() -> None:
    """A sentence about nothing legal gets an empty list, one list per input text."""
    assert load_classifier().predict(["The weather was sunny in Lisbon on Tuesday.", ""]) == [[], []]


def test_version_and_types_are_named() -> None:
    """The loaded model carries a version string and speaks the nine terms-of-service type ids."""
    classifier = load_classifier()
    assert classifier.version.startswith("clausewatch-clauses-")
    assert set(TERMS_TYPE_IDS) <= set(classifier.types)


def test_loading_is_cached() -> None:
    """Loading twice returns the same object, so the artefact is read once per process."""
    assert load_classifier() is load_classifier()


def test_missing_artefact_raises_model_not_available(tmp_path: Path) -> None:
    """A missing artefact raises ModelNotAvailable, which is a FileNotFoundError."""
    with pytest.raises(FileNotFoundError) as raised:
        load_classifier(tmp_path / "absent.joblib")
    assert isinstance(raised.value, ModelNotAvailable)


def test_prediction_is_frozen() -> None:
    """A Prediction cannot be changed after it is made."""
    prediction = Prediction(clause_type="arbitration", confidence=0.9, level=2)
    with pytest.raises(AttributeError):
        prediction.confidence = 0.1  # type: ignore[misc]
