"""The nearest-sentence vote beside the terms types' detectors (decision 0190)."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import sparse
from training.build import model_version, training_set
from training.fit import (
    _detectors,
    fit_stage_one,
    label_matrix,
    make_vectorizer,
)
from training.neighbours import neighbour_votes, word_columns, word_rows

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.features import dot
from clausewatch_analyzer.model.labels import TERMS_TYPE_IDS
from clausewatch_analyzer.model.neighbours import nearest, vote
from tests.unit.analyzer.training.inner import SMALL, inner

VOTING = dataclasses.replace(SMALL, neighbours=3)


def test_the_vote_weighs_the_k_nearest_by_similarity_to_the_power() -> None:
    """Sentences 0 and 2 are the two nearest to the first query; only 0 carries the type: 0.9² / (0.9² + 0.5²). A
    query like nothing in the memory gets no vote."""
    similarities = np.array([[0.9, 0.1, 0.5], [0.0, 0.0, 0.0]])
    labels = np.array([[1], [1], [0]], dtype=np.uint8)
    votes = vote(similarities, labels, k=2, power=2.0)
    np.testing.assert_allclose(votes, [[0.81 / (0.81 + 0.25)], [0.0]])


def test_the_vote_as_predicted_equals_the_vote_as_trained() -> None:
    """The artefact's memory, read without SciPy, gives held-out sentences the votes the training code computes
    with a sparse product over the same single-word features."""
    terms = training_set().subset([0, 1, 2, 3])
    classifier = Classifier(fit_stage_one(terms, VOTING, "vote").artefact)
    queries = list(training_set().subset([5]).sentences)

    vectorizer = make_vectorizer(VOTING)
    features = sparse.csr_matrix(vectorizer.fit_transform(list(terms.sentences)))
    columns = word_columns(vectorizer, features, VOTING.neighbour_max_df)
    expected = neighbour_votes(
        word_rows(sparse.csr_matrix(vectorizer.transform(queries)), columns),
        word_rows(features, columns),
        label_matrix(list(terms.labels), list(TERMS_TYPE_IDS)),
        k=3,
        power=VOTING.neighbour_power,
    )
    assert classifier._neighbours is not None
    predicted = classifier._neighbours.votes(classifier._features.rows(queries))
    np.testing.assert_allclose(predicted, expected, atol=1e-6)
    assert (expected > 0).any()


def test_words_in_most_sentences_are_left_out_of_the_vote() -> None:
    """ "the" is in most sentences: it is a column of the word block but not of the memory; a word in few is."""
    terms = training_set().subset([0, 1])
    vectorizer = make_vectorizer(SMALL)
    features = sparse.csr_matrix(vectorizer.fit_transform(list(terms.sentences)))
    vocabulary = vectorizer.transformer_list[0][1].vocabulary_
    kept = set(word_columns(vectorizer, features, 0.1).tolist())
    assert vocabulary["the"] in set(word_columns(vectorizer).tolist()) - kept
    assert vocabulary["arbitration"] in kept
    assert "the law" in vocabulary
    assert vocabulary["the law"] not in set(word_columns(vectorizer).tolist())


def test_a_sentence_the_memory_holds_is_voted_its_own_types() -> None:
    """A training sentence tagged with a type, asked again, is its own nearest neighbour: with one neighbour the
    vote is exactly its types."""
    terms = training_set().subset([0, 1])
    one = dataclasses.replace(SMALL, neighbours=1)
    classifier = Classifier(fit_stage_one(terms, one, "one").artefact)
    assert classifier._neighbours is not None
    tagged = next(i for i, labels in enumerate(terms.labels) if "limitation_of_liability" in labels)
    votes = classifier._neighbours.votes(classifier._features.rows([terms.sentences[tagged]]))
    expected = [1.0 if t in terms.labels[tagged] else 0.0 for t in TERMS_TYPE_IDS]
    np.testing.assert_allclose(votes[0], expected)


def test_thresholds_are_chosen_on_the_detectors_scores_plus_the_vote() -> None:
    """The out-of-fold scores the thresholds come from are each held-out sentence's detector score plus weight × the
    vote of the other fold's sentences, computed here independently; the shipped scores add the vote likewise."""
    terms = training_set().subset([0, 1, 2, 3])
    stage = fit_stage_one(terms, VOTING, "vote")

    setup = inner(terms, VOTING)
    features, truth, folds = setup.features, setup.truth, setup.folds
    words = word_rows(features, word_columns(setup.vectorizer, features, VOTING.neighbour_max_df))
    expected = np.zeros(truth.shape)
    for fold in range(2):
        coef, intercept = _detectors(features, truth, setup.rows & (folds != fold)[:, None], VOTING)
        held, others = folds == fold, folds != fold
        votes = neighbour_votes(words[held], words[others], truth[others], 3, VOTING.neighbour_power)
        expected[held] = np.asarray(features[held] @ coef) + intercept + VOTING.neighbour_weight * votes
    np.testing.assert_allclose(stage.oof, expected, rtol=1e-5, atol=1e-5)

    classifier = Classifier(stage.artefact)
    sample = list(terms.sentences[:50])
    rows_of = classifier._features.rows(sample)
    assert classifier._neighbours is not None
    plain = dot(rows_of, stage.artefact["coef"]) + stage.artefact["intercept"]
    np.testing.assert_allclose(
        classifier.scores(sample), plain + VOTING.neighbour_weight * classifier._neighbours.votes(rows_of)
    )


def test_without_the_setting_there_is_no_memory_and_the_version_hashes_as_before() -> None:
    """Off, the artefact holds no memory, predicts from the detectors alone, and the configuration hashes as before
    the setting existed; on, the model version changes."""
    terms = training_set().subset([0, 1])
    artefact = fit_stage_one(terms, SMALL, "plain").artefact
    assert "neighbours" not in artefact
    classifier = Classifier(artefact)
    sample = list(terms.sentences[:20])
    np.testing.assert_allclose(
        classifier.scores(sample),
        dot(classifier._features.rows(sample), artefact["coef"]) + artefact["intercept"],
    )
    assert not {"neighbours", "neighbour_power", "neighbour_weight"} & set(SMALL.as_dict())
    data = [training_set()]
    assert model_version(data, SMALL) != model_version(data, VOTING)


def test_nearest_by_block_maxima_finds_the_k_largest() -> None:
    """The block shortcut returns the same indexes as a full partition, on random rows of the memory's size, when
    the largest values crowd into one block, and when the memory is smaller than k."""
    rng = np.random.default_rng(7)
    for row in rng.random((50, 35_878)):
        assert set(nearest(row, 10).tolist()) == set(np.argpartition(row, -10)[-10:].tolist())
    crowded = np.zeros(1000)
    crowded[128:138] = np.arange(1.0, 11.0)
    crowded[900] = 0.5
    assert set(nearest(crowded, 10).tolist()) == set(range(128, 138))
    assert sorted(nearest(np.array([0.3, 0.1]), 10).tolist()) == [0, 1]
