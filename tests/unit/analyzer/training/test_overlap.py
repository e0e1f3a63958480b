"""The overlap check: sentences sharing a run of N consecutive words with a CLAUDETTE-en sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from training import overlap
from training.corpus import Document


def _document(name: str, *sentences: str) -> Document:
    return Document(name=name, sentences=sentences, labels=tuple({} for _ in sentences))


CORPUS = [
    _document(
        "Alpha", "Welcome to Alpha.", "We may revise these terms from time to time without notice to you."
    ),
    _document("Beta", "The service is provided as is and as available."),
]


def test_words_are_lowercased_word_tokens() -> None:
    assert overlap.words("We'll SHIP, as-is: 2 items.") == ("we", "ll", "ship", "as", "is", "2", "items")


def test_a_shared_run_of_n_words_is_a_hit_with_its_document_line_and_longest_run() -> None:
    index = overlap.build_index(CORPUS, 5)

    hit = overlap.match("ours-1", "Note: we may revise these terms from time to time, at will.", index)

    assert hit == overlap.Hit(
        "ours-1", ("we", "may", "revise", "these", "terms", "from", "time", "to", "time"), "Alpha", 2
    )


def test_no_shared_run_is_a_miss() -> None:
    index = overlap.build_index(CORPUS, 5)

    assert overlap.match("ours-2", "You may close your account whenever you like.", index) is None


def test_a_shared_run_shorter_than_n_is_a_miss() -> None:
    # "provided as is and as available" is six words: a hit at six, not at seven.
    text = "Everything here comes provided as is and as available to members."

    assert overlap.match("ours-3", text, overlap.build_index(CORPUS, 7)) is None
    hit = overlap.match("ours-3", text, overlap.build_index(CORPUS, 6))
    assert hit is not None
    assert (hit.document, hit.line, len(hit.run)) == ("Beta", 1, 6)


def test_case_and_punctuation_do_not_hide_a_run() -> None:
    hit = overlap.match(
        "ours-4", "THE SERVICE IS PROVIDED “AS IS” AND “AS AVAILABLE”.", overlap.build_index(CORPUS, 9)
    )

    assert hit is not None
    assert hit.run == overlap.words("the service is provided as is and as available")


def test_runs_do_not_cross_sentence_boundaries() -> None:
    # "welcome to alpha we may" spans lines 1 and 2 of Alpha: not a run of the corpus.
    assert overlap.match("ours-5", "Welcome to Alpha we may", overlap.build_index(CORPUS, 5)) is None


def test_main_prints_hits_and_counts_and_fails_only_with_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(overlap, "load_claudette", lambda: CORPUS)
    path = tmp_path / "terms.jsonl"
    rows = [
        {"id": "t-1", "text": "It comes provided as is and as available."},
        {"id": "t-2", "text": "Hello."},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    assert overlap.main([str(path), "--n", "6"]) == 0
    assert overlap.main([str(path), "--n", "6", "--fail"]) == 1
    assert overlap.main([str(path), "--n", "7", "--fail"]) == 0

    out = capsys.readouterr().out
    assert "t-1\tclaudette-en Beta line 1\t6 words: provided as is and as available" in out
    assert "terms.jsonl: 1 of 2 sentences share a run of 6 words" in out
    assert "terms.jsonl: 0 of 2 sentences share a run of 7 words" in out
