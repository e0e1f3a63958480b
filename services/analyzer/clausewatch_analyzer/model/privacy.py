"""The privacy-category model: reads a paragraph and gives each of the nine OPP-115-named categories a probability.

It works beside the privacy rules, not instead of them (docs/decisions/0188): a category a rule found stands unless
the model gives it less than its `keep` (0 for the categories the model never overrules), and the model adds a
category the rules missed when it gives it `add` or more. Rules are precise on the phrasings they were written for and blind to others; the model, trained on our labelled
paragraphs, reads phrasings no rule names (collection stated as a list of fields, sharing as "passed to our
vendors") and knows when a rule's words sit in a paragraph about something else.

It learnt from paragraphs of 25–1,069 characters: on a longer text its TF-IDF row spreads over many topics and its
probabilities drift, so it stays silent there (`MAX_CHARS`) and the rules alone decide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clausewatch_analyzer.model.classifier import Classifier

MAX_CHARS = 1500
# A provision that is only a link ("[Your Rights](#CH8)", a contents entry) points to a practice without stating one
# (decision 0158); the model read "[How Match Group Companies Work Together](#CH6)" as sharing.
_LINK_ONLY = re.compile(r"^[\s*\-\d.)]*\[[^\]]+\]\([^)]*\)[\s.]*$")
# The source a label carries when this model added it (the clause model's labels say "model").
PRIVACY_MODEL = "privacy-model"


@dataclass(frozen=True)
class PrivacyReading:
    """The model's reading of one text: each category's probability, and the words that weighed most for a
    category it adds (None when it names none)."""

    probabilities: Mapping[str, float]
    evidence: Mapping[str, str | None]

    def keeps(self, clause_type: str, keep: Mapping[str, float]) -> bool:
        """Whether a rule's category stands: the model does not know it, or does not rule it out (its probability
        is at least the category's `keep`)."""
        return self.probabilities.get(clause_type, 1.0) >= keep.get(clause_type, 0.0)


SILENT = PrivacyReading({}, {})


class PrivacyModel:
    """The loaded artefact (`training.privacy_model` builds it) and its two cut-offs."""

    def __init__(self, artefact: Mapping[str, Any]) -> None:
        self._classifier = Classifier(artefact)
        self.version = self._classifier.version
        self.types = self._classifier.types
        self.keep: dict[str, float] = {str(t): float(v) for t, v in artefact["keep"].items()}
        self.add = float(artefact["add"])

    def read(self, texts: Sequence[str]) -> list[PrivacyReading]:
        """One reading per text; a text too long for the model, empty, or only a link gets the silent reading."""
        readable = [
            i
            for i, text in enumerate(texts)
            if text.strip() and len(text) <= MAX_CHARS and not _LINK_ONLY.match(text)
        ]
        out = [SILENT] * len(texts)
        if not readable:
            return out
        scores = self._classifier.scores([texts[i] for i in readable])
        probabilities = 0.5 * (1.0 + np.tanh(0.5 * scores))  # the logistic regressions' own probabilities
        for row, index in enumerate(readable):
            found = {t: float(p) for t, p in zip(self.types, probabilities[row], strict=True)}
            evidence = {
                t: self._classifier.evidence(texts[index], column)
                for column, t in enumerate(self.types)
                if found[t] >= self.add
            }
            out[index] = PrivacyReading(found, evidence)
        return out
