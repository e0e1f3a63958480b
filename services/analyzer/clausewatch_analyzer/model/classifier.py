"""The trained clause classifier: turns sentences into clause types with a confidence, a level and evidence.

The artefact is a plain dict (built by `training.build`) of the TF-IDF blocks' vocabularies and idf and of numpy
arrays, so prediction is a sparse row times a weight matrix plus a few vector operations, with neither estimator code
nor scikit-learn at predict time (model/features.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clausewatch_analyzer.model.features import TOKEN, Row, TfidfFeatures, dot
from clausewatch_analyzer.model.neighbours import Neighbours

# 2: features as plain data (model/features.py; docs/decisions/0114); 1 held a pickled scikit-learn FeatureUnion.
ARTEFACT_FORMAT = 2


# Words that name no practice: articles, prepositions, pronouns, modals and quantifiers (decisions 0195, 0196).
_FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 (one string reads as the list it is; a list literal would take 85 lines)
        "a an the to of and or in on for with by at from as is are be been being was were that this these those it"
        " its we our us you your they their them he she his her may will can could would should shall must might not"
        " no any all such other which who whom whose what when where how if than then there here into onto upon"
        " about over under within without through per via so do does did has have had"
    ).split()
)


@dataclass(frozen=True)
class Prediction:
    """One clause type found in a text.

    `confidence` is a calibrated probability in [0, 1] that the type is present; `level` is CLAUDETTE's level
    (1 fair, 2 potentially unfair, 3 clearly unfair) for the nine terms-of-service types and None otherwise;
    `evidence` is the phrase of the text that weighed most for the type, when one can be named.
    """

    clause_type: str
    confidence: float
    level: int | None
    evidence: str | None = None


@dataclass(frozen=True)
class _LevelModel:
    """How a type's level is chosen: a fixed level, or a linear model over the same features."""

    classes: tuple[int, ...]
    coef: NDArray[np.float32] | None  # (n_features, n_classes) or None when the level is fixed
    intercept: NDArray[np.float32] | None


def _sigmoid(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The logistic function, written to stay finite for large negative inputs."""
    return 0.5 * (1.0 + np.tanh(0.5 * values))


class Classifier:
    """Predicts clause types per text from a loaded artefact (see `training.build` for how one is made)."""

    def __init__(self, artefact: Mapping[str, Any]) -> None:
        if artefact.get("format") != ARTEFACT_FORMAT:
            raise ValueError(f"unsupported classifier artefact format {artefact.get('format')!r}")
        self.version: str = str(artefact["version"])
        self.types: tuple[str, ...] = tuple(artefact["types"])
        self._features = TfidfFeatures.from_artefact(artefact["features"])
        self._coef = np.asarray(artefact["coef"], dtype=np.float32)  # (n_features, n_types)
        self._intercept = np.asarray(artefact["intercept"], dtype=np.float64)
        self._thresholds = np.asarray(artefact["thresholds"], dtype=np.float64)
        # Platt scaling fitted on cross-validated scores: confidence = sigmoid(a * score + b).
        self._calibration = np.asarray(artefact["calibration"], dtype=np.float64)  # (n_types, 2)
        self._levels: dict[str, _LevelModel] = {
            type_id: _LevelModel(
                classes=tuple(int(c) for c in spec["classes"]),
                coef=None if spec.get("coef") is None else np.asarray(spec["coef"], dtype=np.float32),
                intercept=None
                if spec.get("intercept") is None
                else np.asarray(spec["intercept"], np.float32),
            )
            for type_id, spec in artefact["levels"].items()
        }
        self._evidence_vocab, self._evidence_coef = self._word_weights()
        # the nearest-sentence vote (decision 0190); artefacts built without it have no "neighbours"
        memory = artefact.get("neighbours")
        self._neighbours = None if memory is None else Neighbours(memory, len(self._features.blocks[0].idf))

    def _word_weights(self) -> tuple[Mapping[str, int], NDArray[np.float64]]:
        """The word n-gram block of the features and each n-gram's weight per type (coefficient × idf).

        The word block comes first among the features; without one, no evidence is named.
        """
        words = next((b for b in self._features.blocks[:1] if b.analyzer == "word"), None)
        if words is None:
            return {}, np.zeros((0, len(self.types)))
        weights = self._coef[: len(words.idf)].astype(np.float64) * words.idf.astype(np.float64)[:, None]
        return words.vocabulary, weights

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Raw decision scores, one row per text and one column per type (above the threshold: predicted)."""
        return self._scores(self._features.rows(texts))

    def _scores(self, features: Sequence[Row]) -> NDArray[np.float64]:
        scores = dot(features, self._coef) + self._intercept
        return scores if self._neighbours is None else self._neighbours.add_to(scores, features)

    def predict(self, texts: Sequence[str]) -> list[list[Prediction]]:
        """The clause types of each text, most confident first; an empty list when none is found."""
        if not texts:
            return []
        features = self._features.rows(texts)
        scores = self._scores(features)
        confidence = _sigmoid(scores * self._calibration[:, 0] + self._calibration[:, 1])
        hits = scores >= self._thresholds
        results: list[list[Prediction]] = []
        for row, text in enumerate(texts):
            found = [
                Prediction(
                    clause_type=self.types[column],
                    confidence=round(float(confidence[row, column]), 4),
                    level=self._level(self.types[column], features[row]),
                    evidence=self.evidence(text, int(column)),
                )
                for column in np.flatnonzero(hits[row])
            ]
            found.sort(key=lambda p: -p.confidence)
            results.append(found)
        return results

    def _level(self, type_id: str, features: Row) -> int | None:
        """CLAUDETTE's level for a type found in one text, or None for types without levels."""
        model = self._levels.get(type_id)
        if model is None:
            return None
        if model.coef is None or model.intercept is None:
            return model.classes[0]
        columns, values = features
        level_scores = values @ model.coef[columns] + model.intercept
        return model.classes[int(np.argmax(level_scores))]

    def evidence(self, text: str, column: int) -> str | None:
        """The word or word pair of `text` whose weight for the type is highest, when it is positive.

        Why a phrase and not the sentence: subscribers are shown which words carried the decision, and a
        linear model lets us read that off its weights without a second model. Phrases of function words only
        ("to the", "you can", "we may") carry weight but say nothing to a reader, so they are passed over
        (decision 0196).
        """
        if not self._evidence_vocab:
            return None
        words = [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]
        best: tuple[float, int, int] | None = None
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                gram = [w[0].lower() for w in words[start : start + size]]
                if _FUNCTION_WORDS.issuperset(gram):
                    continue
                index = self._evidence_vocab.get(" ".join(gram))
                if index is None:
                    continue
                weight = float(self._evidence_coef[index, column])
                if weight > 0 and (best is None or weight > best[0]):
                    best = (weight, words[start][1], words[start + size - 1][2])
        return None if best is None else text[best[1] : best[2]]
