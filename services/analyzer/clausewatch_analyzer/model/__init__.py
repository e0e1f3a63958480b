"""The analyzer's trained models, shipped as artefacts inside this package: the clause classifier (terms-of-service
types, per sentence) and the privacy-category model (per paragraph, beside the privacy rules: decision 0188).

    from clausewatch_analyzer.model import load_classifier
    predictions = load_classifier().predict(["Any dispute will be resolved by binding arbitration."])

Trained on CLAUDETTE-en (Galassi, Lagioia, Jabłonowska, Lippi, AI and Law 2024; Lippi et al., AI and Law 2019;
CC BY 4.0) and on labelled examples of our own; rebuilt by `uv run python -m training.build` (see
services/analyzer/training/README.md).
"""

from __future__ import annotations

from clausewatch_analyzer.model.classifier import Classifier, Prediction
from clausewatch_analyzer.model.loading import (
    ARTEFACT_PATH,
    PRIVACY_ARTEFACT_PATH,
    ModelNotAvailable,
    load_classifier,
    load_privacy_model,
)
from clausewatch_analyzer.model.privacy import PrivacyModel, PrivacyReading

__all__ = [
    "ARTEFACT_PATH",
    "PRIVACY_ARTEFACT_PATH",
    "Classifier",
    "ModelNotAvailable",
    "Prediction",
    "PrivacyModel",
    "PrivacyReading",
    "load_classifier",
    "load_privacy_model",
]
