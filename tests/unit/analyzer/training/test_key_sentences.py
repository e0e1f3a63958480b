"""Invented terms teach a type from the sentence that states a clause, not from the sentences that continue it."""

from __future__ import annotations

import json
from pathlib import Path

from training.corpus import Document
from training.dataset import Dataset, concat, from_documents
from training.fit import _training_rows
from training.key_sentences import continuation_types
from training.own_terms import load_own_terms

RUN = [
    {"text": "Disputes.", "labels": [], "levels": {}},
    {"text": "You agree to arbitrate.", "labels": ["arbitration"], "levels": {"arbitration": 2}},
    {"text": "The arbitrator decides.", "labels": ["arbitration"], "levels": {"arbitration": 2}},
    {
        "text": "In Boston, under our rules; we are not liable.",
        "labels": ["arbitration", "limitation_of_liability"],
        "levels": {"arbitration": 3, "limitation_of_liability": 2},
    },
    {"text": "Contact us.", "labels": [], "levels": {}},
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_sentences_after_the_first_of_a_run_are_continuations_of_its_type_only() -> None:
    labels = [
        {},
        {"arbitration": 2},
        {"arbitration": 2},
        {"arbitration": 3, "limitation_of_liability": 2},
        {},
    ]

    assert continuation_types(labels) == (
        frozenset(),
        frozenset(),
        frozenset({"arbitration"}),
        frozenset({"arbitration"}),  # limitation_of_liability starts here, so it is kept
        frozenset(),
    )


def test_a_type_that_comes_back_after_a_gap_starts_a_new_run() -> None:
    labels = [{"jurisdiction": 3}, {}, {"jurisdiction": 1}]

    assert continuation_types(labels) == (frozenset(), frozenset(), frozenset())


def test_with_key_sentences_invented_files_ignore_continuations_and_real_ones_keep_every_tag(
    tmp_path: Path,
) -> None:
    invented = _write(tmp_path / "terms_invented_acme.jsonl", RUN)
    real = _write(tmp_path / "terms_sentences_acme.jsonl", RUN)

    by_name = {d.name: d for d in load_own_terms([invented, real], key_sentences=True)}

    assert by_name["own-terms_invented_acme"].ignored[2:4] == (frozenset({"arbitration"}),) * 2
    assert by_name["own-terms_sentences_acme"].ignored == ()
    # the labels themselves are untouched: the level models still see every tagged sentence
    assert by_name["own-terms_invented_acme"].labels == by_name["own-terms_sentences_acme"].labels


def test_by_default_every_tag_of_every_file_is_a_training_example(tmp_path: Path) -> None:
    invented = _write(tmp_path / "terms_invented_acme.jsonl", RUN)

    (document,) = load_own_terms([invented])

    assert document.ignored == ()


def test_an_ignored_sentence_is_no_training_row_of_that_type_but_stays_one_of_the_others() -> None:
    claudette = Document("c", ("We may change these terms.",), ({"unilateral_change": 2},))
    ours = Document(
        "own-terms_invented_acme",
        ("You agree to arbitrate.", "The arbitrator decides."),
        ({"arbitration": 2}, {"arbitration": 2}),
        ignored=(frozenset(), frozenset({"arbitration"})),
    )
    data = from_documents([claudette, ours])

    rows = _training_rows(data, None, ["arbitration", "unilateral_change"])

    assert rows[:, 0].tolist() == [True, True, False]
    assert rows[:, 1].tolist() == [True, True, True]


def test_ignored_types_follow_their_sentences_through_concat_and_subset() -> None:
    plain = Dataset(("a", "b"), ({}, {}), (0, 1), ("d0", "d1"))
    marked = Dataset(
        ("x", "y"),
        ({"arbitration": 2}, {"arbitration": 2}),
        (0, 0),
        ("e0",),
        (frozenset(), frozenset({"arbitration"})),
    )

    both = concat(plain, marked)

    assert both.ignored == (frozenset(), frozenset(), frozenset(), frozenset({"arbitration"}))
    assert both.subset([2]).ignored == (frozenset(), frozenset({"arbitration"}))
    assert plain.ignored_types() == (frozenset(), frozenset())


def test_a_dataset_that_ignores_nothing_keeps_its_fingerprint_and_one_that_does_changes_it() -> None:
    labels = ({"arbitration": 2}, {"arbitration": 2})
    plain = Dataset(("x", "y"), labels, (0, 0), ("e0",))
    empty_sets = Dataset(("x", "y"), labels, (0, 0), ("e0",), (frozenset(), frozenset()))
    marked = Dataset(("x", "y"), labels, (0, 0), ("e0",), (frozenset(), frozenset({"arbitration"})))

    assert plain.fingerprint() == empty_sets.fingerprint()
    assert marked.fingerprint() != plain.fingerprint()
    assert plain.ignored_types() == empty_sets.ignored
