"""Training the clause classifier: data loading, determinism, and the privacy categories' training rows."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import sparse
from training.build import model_version, training_set
from training.config import TrainingConfig
from training.corpus import load_claudette
from training.dataset import Dataset
from training.fit import fit_classifier
from training.privacy import load_privacy_examples
from training.quick import document_counts, with_previous

from clausewatch_analyzer.model import Classifier, load_classifier
from clausewatch_analyzer.model.labels import PRIVACY_TYPE_IDS, TERMS_TYPE_IDS
from clausewatch_analyzer.model.loading import dump_artefact

# A small, quick configuration: the tests check the mechanics, not the quality (that is training.evaluate's job).
SMALL = dataclasses.replace(
    TrainingConfig(), char_ngrams=(3, 4), c_type=1.0, c_level=1.0, inner_folds=2, n_jobs=1
)


def _small_sets() -> tuple[Dataset, Dataset]:
    """Three CLAUDETTE documents cut to their tagged sentences and 40 untagged ones each, and the privacy examples."""
    terms = training_set()
    chosen = {terms.document_names.index(n) for n in ("Dropbox", "Booking", "Grindr")}
    rows, untagged = [], dict.fromkeys(chosen, 0)
    for i, (group, labels) in enumerate(zip(terms.groups, terms.labels, strict=True)):
        if group in chosen and (labels or untagged[group] < 40):
            rows.append(i)
            untagged[group] += not labels
    small = Dataset(
        sentences=tuple(terms.sentences[i] for i in rows),
        labels=tuple(terms.labels[i] for i in rows),
        groups=tuple(terms.groups[i] for i in rows),
        document_names=terms.document_names,
    )
    return small, load_privacy_examples()


@pytest.fixture(scope="module")
def small_artefact() -> dict[str, Any]:
    """One artefact trained on the small sets, shared by the tests of this module."""
    terms, privacy = _small_sets()
    return fit_classifier(terms, SMALL, model_version([terms, privacy], SMALL), privacy=privacy)


def test_corpus_has_35_documents_with_aligned_tags() -> None:
    """The copied CLAUDETTE-en corpus loads 35 documents whose sentences and tag lines line up."""
    documents = load_claudette()
    assert len(documents) == 35
    assert all(len(d.sentences) == len(d.labels) for d in documents)
    tagged = {t for d in documents for labels in d.labels for t in labels}
    assert tagged == set(TERMS_TYPE_IDS)


def test_privacy_examples_cover_every_category_in_every_group() -> None:
    """Each privacy category has examples in each of the five groups, so every fold can score it."""
    examples = load_privacy_examples()
    for category in PRIVACY_TYPE_IDS:
        groups = {g for g, labels in zip(examples.groups, examples.labels, strict=True) if category in labels}
        assert len(groups) == 5, category


_FIT_AND_HASH = """
import hashlib
from clausewatch_analyzer.model.loading import dump_artefact
from tests.unit.analyzer.test_model_training import SMALL, _small_sets
from training.build import model_version
from training.fit import fit_classifier
terms, privacy = _small_sets()
artefact = fit_classifier(terms, SMALL, model_version([terms, privacy], SMALL), privacy=privacy)
print(hashlib.sha256(dump_artefact(artefact)).hexdigest())
"""


def test_training_is_deterministic_across_processes() -> None:
    """Two trainings in processes with different hash seeds dump byte-identical artefacts."""
    root = Path(__file__).resolve().parents[3]
    digests = [
        subprocess.run(
            [sys.executable, "-c", _FIT_AND_HASH],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    ]
    assert len(digests[0]) == 64
    assert digests[0] == digests[1]


def test_version_changes_with_configuration() -> None:
    """A different hyper-parameter gives a different model version."""
    terms, privacy = _small_sets()
    other = dataclasses.replace(SMALL, c_type=SMALL.c_type * 2)
    assert model_version([terms, privacy], SMALL) != model_version([terms, privacy], other)


def test_small_model_predicts_terms_and_privacy_types(small_artefact: dict[str, Any]) -> None:
    """A model trained on a few documents and the privacy examples finds both kinds of types with levels as agreed."""
    classifier = Classifier(small_artefact)
    texts = [
        "You agree that any dispute will be resolved by binding arbitration administered by the American "
        "Arbitration Association.",
        "We share your personal information with our advertising partners and service providers.",
    ]
    arbitration, sharing = ({p.clause_type: p for p in found} for found in classifier.predict(texts))
    assert arbitration["arbitration"].level in (1, 2, 3)
    assert sharing["third_party_sharing"].level is None
    assert np.all([0 <= p.confidence <= 1 for p in [*arbitration.values(), *sharing.values()]])


def test_artefact_file_loads_back_the_same_model(small_artefact: dict[str, Any], tmp_path: Path) -> None:
    """What `dump_artefact` writes, `load_classifier` reads: same version, same predictions."""
    path = tmp_path / "model.pickle.gz"
    path.write_bytes(dump_artefact(small_artefact))
    loaded = load_classifier(path)
    texts = ["Any dispute will be settled by binding arbitration.", "We may change these terms at any time."]
    assert loaded.version == small_artefact["version"]
    assert loaded.predict(texts) == Classifier(small_artefact).predict(texts)


def test_quick_counts_documents_per_feature() -> None:
    """The development loop's document count per feature counts each document once, however often it occurs."""
    features = sparse.csr_matrix(np.array([[1.0, 0.5, 0.0], [1.0, 0.2, 0.0], [0.0, 0.4, 0.3]]))
    assert document_counts(features, np.array([0, 0, 1])).tolist() == [1, 2, 1]


def test_quick_previous_line_features_stop_at_document_start() -> None:
    """Each line gets the previous line's features appended, except the first line of a document."""
    features = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]]))
    combined = with_previous(features, np.array([0, 0, 1]), 0.5).toarray()
    assert combined.tolist() == [[1.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.5, 0.0], [3.0, 0.0, 0.0, 0.0]]
