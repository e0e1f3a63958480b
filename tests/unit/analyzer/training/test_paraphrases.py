"""Paraphrases of CLAUDETTE's tagged lines: labelled as their source, learnt with it, never scored (decision 0193)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold
from training import evaluate
from training.corpus import Document, load_claudette
from training.dataset import from_documents
from training.paraphrases import Paraphrase, load_paraphrases, paraphrase_files, with_paraphrases

from clausewatch_analyzer.model.loading import ARTEFACT_PATH, read_artefact
from tests.unit.analyzer.training.inner import SMALL

DOCS = (
    Document(
        "Acme", ("Welcome.", "Disputes go to binding arbitration.", "Bye."), ({}, {"arbitration": 2}, {})
    ),
    Document("Bolt", ("We may end your account at any time.",), ({"unilateral_termination": 3},)),
)


def test_a_paraphrase_joins_its_document_with_its_source_lines_tags() -> None:
    docs = with_paraphrases(DOCS, [Paraphrase("Acme", 1, "Any dispute is settled by an arbitrator.")])
    assert docs[0].sentences[-1] == "Any dispute is settled by an arbitrator."
    assert docs[0].labels[-1] == {"arbitration": 2}
    assert docs[0].sentences[:3] == DOCS[0].sentences
    assert docs[1] is DOCS[1]


@pytest.mark.parametrize(
    ("paraphrase", "message"),
    [
        (Paraphrase("Nowhere", 0, "x"), "'Nowhere', which is not among the documents"),
        (Paraphrase("Acme", 3, "x"), "Acme: no line 3"),
        (Paraphrase("Acme", 0, "Hello."), "Acme: line 0 has no tag to paraphrase"),
    ],
)
def test_a_paraphrase_of_nothing_tagged_is_refused(paraphrase: Paraphrase, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        with_paraphrases(DOCS, [paraphrase])


def test_rows_without_a_text_are_refused_with_their_place(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"doc": "Acme", "line": 1, "text": "Fine."})
        + "\n\n"
        + json.dumps({"doc": "Acme", "line": 1}),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"p\.jsonl:3: expected \{doc, line, text\} with a text"):
        load_paraphrases([path])


def test_the_bundled_paraphrases_fit_the_bundled_corpus() -> None:
    """Every bundled row names a tagged line of a CLAUDETTE-en document and rewords it (never the line itself)."""
    documents = load_claudette()
    paraphrases = load_paraphrases(paraphrase_files())
    assert len(paraphrases) == 1093
    augmented = with_paraphrases(documents, paraphrases)
    added = sum(len(a.sentences) - len(d.sentences) for a, d in zip(augmented, documents, strict=True))
    assert added == len(paraphrases)
    by_name = {d.name: d for d in documents}
    assert all(p.text != by_name[p.doc].sentences[p.line].strip() for p in paraphrases)


def test_cross_validation_never_trains_on_a_paraphrase_of_a_held_out_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each fold learns the paraphrases of its training documents and none of its held-out ones; only CLAUDETTE's
    own sentences are scored."""
    documents = [replace(d, sentences=d.sentences[:60], labels=d.labels[:60]) for d in load_claudette()[:6]]
    paraphrases = [
        Paraphrase(d.name, line, f"paraphrase of {d.name} line {line}")
        for d in documents
        for line in range(len(d.sentences))
        if d.labels[line]
    ][:40]
    assert {p.doc for p in paraphrases} == {d.name for d in documents}
    plain = from_documents(documents)
    learn_from = from_documents(with_paraphrases(documents, paraphrases))
    trained_on: list[set[str]] = []
    shipped = read_artefact(ARTEFACT_PATH)  # what each fold "trains": the split is under test, not the fit

    def recording_fit(train: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        trained_on.append(set(train.sentences))
        return shipped

    monkeypatch.setattr(evaluate, "fit_classifier", recording_fit)
    result = evaluate.cross_validate(plain, SMALL, folds=3, learn_from=learn_from)

    indexes = np.arange(len(documents))
    for fold, (train_docs, test_docs) in enumerate(GroupKFold(n_splits=3).split(indexes, groups=indexes)):
        held = {documents[i].name for i in test_docs}
        learnt = {p.text for p in paraphrases if p.doc not in held}
        withheld = {p.text for p in paraphrases if p.doc in held}
        assert learnt <= trained_on[fold]
        assert not withheld & trained_on[fold]
        assert len(train_docs) + len(test_docs) == len(documents)
    assert len(result.held.documents) == len(plain.sentences)


def test_learn_from_must_hold_the_same_documents() -> None:
    plain = from_documents(list(DOCS))
    with pytest.raises(ValueError, match="same documents"):
        evaluate.cross_validate(plain, SMALL, folds=2, learn_from=from_documents(list(DOCS[:1])))
