"""The engine without its trained model: a missing artefact means rules only, logged, and tagging still works."""

from __future__ import annotations

from pathlib import Path

import yaml
from structlog.testing import capture_logs

from clausewatch_analyzer.engine import Engine, build_engine
from clausewatch_analyzer.taxonomy import TAXONOMY_PATH


def test_missing_model_artefact_falls_back_to_rules_and_says_so(tmp_path: Path) -> None:
    """A model path with no artefact gives a rules-only classifier and a model_unavailable_rules_only log line."""
    with capture_logs() as logs:
        engine = build_engine(tmp_path / "absent.joblib")
    assert engine.classifier.model is None
    assert engine.classifier.version.endswith("rules")
    assert any(entry["event"] == "model_unavailable_rules_only" for entry in logs)
    labels = engine.classifier.classify_provision("All disputes go to final and binding arbitration.")
    assert [label.clause_type for label in labels] == ["arbitration"]


def test_an_engine_can_be_built_on_another_taxonomy_file(tmp_path: Path) -> None:
    """`taxonomy_path` swaps the rules (how rule sets are compared): a type left out of the file is never tagged."""
    shipped = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    shipped["clause_types"] = [t for t in shipped["clause_types"] if t["id"] != "content_license"]
    other = tmp_path / "taxonomy.yaml"
    other.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    sentence = "You grant us a worldwide, royalty-free licence to use your content."

    def types(engine: Engine) -> set[str]:
        return {label.clause_type for label in engine.classifier.classify_provision(sentence)}

    assert "content_license" in types(build_engine(use_model=False))
    assert "content_license" not in types(build_engine(use_model=False, taxonomy_path=other))
