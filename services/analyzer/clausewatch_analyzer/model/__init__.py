"""The analyzer's trained clause classifier, shipped as an artefact inside this package.

    from clausewatch_analyzer.model import load_classifier
    predictions = load_classifier().predict(["Any dispute will be resolved by binding arbitration."])

Trained on CLAUDETTE-en (Galassi, Lagioia, Jabłonowska, Lippi, AI and Law 2024; Lippi et al., AI and Law 2019;
CC BY 4.0) and on labelled examples of our own; rebuilt by `uv run python -m training.build` (see
services/analyzer/training/README.md).
"""

from __future__ import annotations

from clausewatch_analyzer.model.classifier import Classifier, Prediction
from clausewatch_analyzer.model.loading import ARTEFACT_PATH, ModelNotAvailable, load_classifier

__all__ = ["ARTEFACT_PATH", "Classifier", "ModelNotAvailable", "Prediction", "load_classifier"]
