"""The engine without its trained model: a missing artefact means rules only, logged, and tagging still works."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from clausewatch_analyzer.engine import build_engine


def test_missing_model_artefact_falls_back_to_rules_and_says_so(tmp_path: Path) -> None:
    """A model path with no artefact gives a rules-only classifier and a model_unavailable_rules_only log line."""
    with capture_logs() as logs:
        engine = build_engine(tmp_path / "absent.joblib")
    assert engine.classifier.model is None
    assert engine.classifier.version.endswith("rules")
    assert any(entry["event"] == "model_unavailable_rules_only" for entry in logs)
    labels = engine.classifier.classify_provision("All disputes go to final and binding arbitration.")
    assert [label.clause_type for label in labels] == ["arbitration"]
