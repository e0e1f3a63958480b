"""Saved cross-validation predictions (training.predictions) and the paired comparison of two runs (training.compare)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from training import compare, evaluate
from training.metrics import macro_f1, score_types
from training.predictions import HeldOutPredictions, load, save

from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS

DOCUMENTS = tuple(f"doc{i}" for i in range(6) for _ in range(4))
GOLD: tuple[dict[str, int], ...] = tuple(
    {"arbitration": 2} if j == 0 else {"choice_of_law": 1} if j == 1 else {}
    for _ in range(6)
    for j in range(4)
)


def _run(found_arbitration: int, config: dict[str, object] | None = None) -> HeldOutPredictions:
    """A run that finds every choice of law and the arbitration sentence of the first `found_arbitration` documents."""
    model: list[dict[str, int | None]] = []
    for i, truth in enumerate(GOLD):
        document = i // 4
        if "arbitration" in truth:
            model.append({"arbitration": 2} if document < found_arbitration else {})
        else:
            model.append(dict(truth))
    return HeldOutPredictions(config or {"c_type": 10.0}, DOCUMENTS, GOLD, tuple(model), tuple(model))


def test_saved_predictions_load_back_equal(tmp_path: Path) -> None:
    """What `training.evaluate --predictions` writes reads back as the same run, configuration included."""
    run = _run(3, {"c_type": 10.0, "nb_c": 1.0})
    save(run, tmp_path / "run.json")
    assert load(tmp_path / "run.json") == run


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "not JSON"), (json.dumps({"rows": []}), "not a predictions file")],
)
def test_load_refuses_other_files_with_the_reason(tmp_path: Path, content: str, reason: str) -> None:
    """A file that is not JSON, or JSON of another kind, is refused with a message naming the file."""
    path = tmp_path / "other.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=reason):
        load(path)


def test_predictions_refuse_misaligned_rows() -> None:
    """One document, one tag set and two predictions per sentence, or a clear error."""
    with pytest.raises(ValueError, match="differ in length"):
        HeldOutPredictions({}, DOCUMENTS[:-1], GOLD, (), ())


def test_compare_reports_each_figure_with_its_pooled_difference() -> None:
    """B finds arbitration in two more documents: every figure's row shows A's and B's macro-F1 and their
    difference, as score_types computes them, and the per-type table shows arbitration's change."""
    a, b = _run(2), _run(4)
    report = compare.compare(a, b, rounds=200)
    rows = {
        line.split(" | ")[0].strip("| "): line.split(" | ")
        for line in report.splitlines()
        if line.startswith("| ")
    }
    for name, level in (("any_level", 1), ("unfair", 2), ("cli_any_level", 1), ("cli_unfair", 2)):
        pooled_a = macro_f1(score_types(a.gold, a.model, TERMS_TYPE_IDS, min_level=level))
        pooled_b = macro_f1(score_types(b.gold, b.model, TERMS_TYPE_IDS, min_level=level))
        assert rows[name][1:4] == [f"{pooled_a:.3f}", f"{pooled_b:.3f}", f"{pooled_b - pooled_a:+.3f}"]
        assert pooled_b > pooled_a
    assert rows["arbitration"][1] == "0.500 → 0.800"


def test_compare_refuses_runs_over_other_sentences() -> None:
    """Runs whose held-out tags differ (other data, another order) are not compared."""
    other = HeldOutPredictions({}, DOCUMENTS, tuple(reversed(GOLD)), GOLD, GOLD)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="different held-out sentences"):
        compare.compare(_run(2), other)


def test_command_prints_both_configurations_and_exits_2_on_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m training.compare A B` names both runs' configurations; mismatched runs exit 2 with the reason."""
    save(_run(2), tmp_path / "a.json")
    save(_run(4, {"c_type": 3.0}), tmp_path / "b.json")
    monkeypatch.setattr(
        sys, "argv", ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--rounds", "50"]
    )
    compare.main()
    out = capsys.readouterr().out
    assert "{'c_type': 3.0}" in out
    assert "| any_level | " in out
    save(HeldOutPredictions({}, DOCUMENTS[:4], GOLD[:4], GOLD[:4], GOLD[:4]), tmp_path / "c.json")  # type: ignore[arg-type]
    monkeypatch.setattr(sys, "argv", ["compare", str(tmp_path / "a.json"), str(tmp_path / "c.json")])
    with pytest.raises(SystemExit) as exit_info:
        compare.main()
    assert exit_info.value.code == 2
    assert "different held-out sentences" in capsys.readouterr().err


def test_evaluate_reports_a_saved_run_without_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`training.evaluate --report FILE` prints the saved run's tables: its macro figures, as score_types computes
    them, and LexGLUE's counting (eight types at levels 2-3 and the no-clause class)."""
    run = _run(2)
    save(run, tmp_path / "run.json")
    monkeypatch.setattr(sys, "argv", ["evaluate", "--report", str(tmp_path / "run.json")])
    evaluate.main()
    out = capsys.readouterr().out
    any_level = macro_f1(score_types(run.gold, run.model, TERMS_TYPE_IDS))
    assert f"| **macro, 9 types** | **{any_level:.3f}** |" in out
    # Arbitration found in 2 of 6 documents (F1 0.5), the other seven unfair types absent and never predicted (1.0
    # each); no clause: 18 sentences, 4 arbitration misses predicted as none (P 18/22, R 1).
    lexglue = (0.5 + 7 * 1.0 + 2 * 18 / (2 * 18 + 4)) / 9
    assert f"{lexglue:.3f}" in out.split("LexGLUE's counting")[1].splitlines()[0]
