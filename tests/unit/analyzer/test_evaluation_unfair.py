"""The evaluation module's unfair-only reading: gold at levels 2-3, predictions where severity is medium or high."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch_analyzer.evaluation import main, score, unfair_gold, unfair_predicted


def test_only_levels_two_and_three_count_as_unfair_gold() -> None:
    levels = {"jurisdiction": 1, "choice_of_law": 2, "limitation_of_liability": 3}
    labels = ["choice_of_law", "jurisdiction", "limitation_of_liability", "content_license"]

    assert unfair_gold(labels, levels) == {"choice_of_law", "limitation_of_liability"}


def test_predicted_types_count_as_unfair_only_at_medium_or_high_severity() -> None:
    assert unfair_predicted(["arbitration"], "high") == {"arbitration"}
    assert unfair_predicted(["arbitration"], "medium") == {"arbitration"}
    assert unfair_predicted(["arbitration"], "low") == set()
    assert unfair_predicted(["arbitration"], "none") == set()


def test_a_fair_clause_predicted_at_low_severity_is_a_true_negative_in_the_unfair_reading() -> None:
    gold = [
        unfair_gold(["jurisdiction"], {"jurisdiction": 1}),
        unfair_gold(["jurisdiction"], {"jurisdiction": 3}),
    ]
    predicted = [unfair_predicted(["jurisdiction"], "low"), unfair_predicted(["jurisdiction"], "high")]

    result = score(gold, predicted, ["jurisdiction"])["jurisdiction"]

    assert (result.tp, result.fp, result.fn) == (1, 0, 0)


def test_the_command_scores_a_labelled_terms_file_in_both_readings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {
            "text": "These Terms are governed by the laws of the State of California.",
            "labels": ["choice_of_law"],
            "levels": {"choice_of_law": 2},
        },
        {"text": "Welcome to our service.", "labels": [], "levels": {}},
    ]
    path = tmp_path / "terms.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    main([str(path), "--rules-only", "--types", "choice_of_law"])
    any_level = capsys.readouterr().out
    main([str(path), "--rules-only", "--unfair"])
    unfair = capsys.readouterr().out

    # The governing-law sentence is found (severity medium: CLAUDETTE's level 2), the greeting is left alone.
    for printed in (any_level, unfair):
        line = next(x for x in printed.splitlines() if x.startswith("choice_of_law"))
        assert line.split()[1:4] == ["1.000", "1.000", "1.000"]
