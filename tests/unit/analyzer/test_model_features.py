"""The classifier's TF-IDF rows from plain data equal scikit-learn's, and prediction runs without scikit-learn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from clausewatch_analyzer.model.features import TfidfFeatures, dot, plain_blocks

TRAIN = [
    "We may terminate your account at any time, for any reason.",
    "Any dispute will be resolved by binding arbitration in Boston.",
    "These Terms are governed by the laws of the State of California.",
    "We may change these Terms; continued use means you accept them.",
    "You grant us a licence to use the content you post.",
    "We may terminate or suspend the Service without notice.",
]
ODD = [
    "",
    "   \t\n ",
    "a",
    "Ok",
    "ÉCOLE  Straße\tİstanbul — naïve café",
    "Hello\u00a0world  \n again, we MAY terminate it.",
    "arbitration arbitration arbitration in Boston",
    "zzzz qqqq",  # nothing in the vocabulary: an empty row
]


def _union(**words: object) -> FeatureUnion:
    settings = {"sublinear_tf": True, "dtype": np.float32, **words}
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 3), **settings)),  # type: ignore[arg-type]
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32),
            ),
        ]
    ).fit(TRAIN)


def test_rows_equal_scikit_learns_columns_and_values() -> None:
    union = _union()
    features = TfidfFeatures.from_artefact(plain_blocks(union))
    texts = TRAIN + ODD
    reference = union.transform(texts).tocsr()

    for i, text in enumerate(texts):
        columns, values = features.row(text)
        expected = dict(zip(reference[i].indices.tolist(), reference[i].data.tolist(), strict=True))
        assert sorted(columns.tolist()) == sorted(expected), text
        assert np.allclose(values, [expected[c] for c in columns.tolist()], atol=1e-6), text

    assert features.size == reference.shape[1]


def test_scores_equal_a_sparse_product_with_scikit_learns_rows() -> None:
    union = _union()
    features = TfidfFeatures.from_artefact(plain_blocks(union))
    weights = np.random.default_rng(7).normal(size=(features.size, 3)).astype(np.float32)
    texts = TRAIN + ODD

    expected = np.asarray(union.transform(texts) @ weights, dtype=np.float64)

    assert np.allclose(dot(features.rows(texts), weights), expected, atol=1e-5)


def test_a_text_without_known_ngrams_has_an_empty_row() -> None:
    features = TfidfFeatures.from_artefact(plain_blocks(_union()))

    columns, values = features.row("")

    assert columns.size == 0
    assert values.size == 0


@pytest.mark.parametrize("setting", [{"binary": True}, {"lowercase": False}, {"token_pattern": r"\w+"}])
def test_a_vectorizer_it_cannot_reproduce_is_refused(setting: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="reproduce"):
        plain_blocks(_union(**setting))


def test_the_shipped_classifier_predicts_without_importing_scikit_learn_or_scipy() -> None:
    """Importing both took about 2 s of every process's start (decision 0114)."""
    code = (
        "import sys\n"
        "from clausewatch_analyzer.model import load_classifier\n"
        "found = load_classifier().predict(['Any dispute will be resolved by binding arbitration.'])\n"
        "assert any(p.clause_type == 'arbitration' for p in found[0]), found\n"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"
