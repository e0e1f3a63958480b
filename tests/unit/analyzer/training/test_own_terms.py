"""Our own labelled terms files as training documents: reading them, and keeping their documents apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from training.dataset import Dataset, concat
from training.own_terms import load_own_terms, training_terms_files


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_each_file_is_one_document_with_the_claudette_types_and_their_levels(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "terms_sentences_a.jsonl",
        [
            {
                "text": "We may end your account at any time.",
                "labels": ["unilateral_termination"],
                "levels": {"unilateral_termination": 3},
            },
            {"text": "You grant us a licence to your content.", "labels": ["content_license"], "levels": {}},
            {"text": "Welcome.", "labels": [], "levels": {}},
        ],
    )

    (document,) = load_own_terms([path])

    assert document.name == "own-terms_sentences_a"
    assert document.sentences[0] == "We may end your account at any time."
    # content_license is not a type the model learns: the sentence is kept, unlabelled, as a negative
    assert document.labels == ({"unilateral_termination": 3}, {}, {})


def test_a_claudette_type_without_a_level_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.jsonl", [{"text": "Governed by Irish law.", "labels": ["choice_of_law"]}])

    with pytest.raises(ValueError, match=r"b\.jsonl:1: choice_of_law has no level"):
        load_own_terms([path])


def test_concatenated_documents_keep_distinct_groups() -> None:
    first = Dataset(("a", "b", "c"), ({}, {}, {}), (0, 0, 3), ("d0", "d1", "d2", "d3"))
    second = Dataset(("x", "y"), ({}, {}), (0, 1), ("e0", "e1"))

    both = concat(first, second)

    assert both.sentences == ("a", "b", "c", "x", "y")
    assert both.groups == (0, 0, 3, 4, 5)
    assert both.document_names == ("d0", "d1", "d2", "d3", "e0", "e1")


def test_the_shipped_labelled_terms_load_as_sixty_six_documents_real_ones_first() -> None:
    files = training_terms_files()

    documents = load_own_terms(files)

    assert [p.parent.name for p in files] == ["own-terms"] * 4 + ["invented-terms"] * 62
    assert len(documents) == 66
    # the shipped model learns from every tag (0111 measured key sentences only and did not adopt it)
    assert all(d.ignored == () for d in documents)
    assert all(d.sentences and len(d.sentences) == len(d.labels) for d in documents)
