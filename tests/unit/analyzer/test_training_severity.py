"""Severity of AI-training language: who trains on whose content decides whether it is an alarm."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.classify import Label
from clausewatch_analyzer.severity import label_severity
from clausewatch_analyzer.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()


def _severity(sentence: str) -> str:
    return label_severity(Label("ai_training_on_user_content", 0.85, "train", sentence), TAXONOMY).severity


@pytest.mark.parametrize(
    "sentence",
    [
        "You shall not use the Services or any output to train a machine learning model.",
        "You may not use Output to develop models that compete with OpenAI.",
        "Customers must not use the API to build or improve a competing AI system.",
        "Users agree not to scrape the Services to train artificial intelligence models.",
    ],
)
def test_a_restriction_on_the_user_is_low(sentence: str) -> None:
    """Forbidding the user to train on the service's output is a usage restriction, not training on their content."""
    assert _severity(sentence) == "low"


@pytest.mark.parametrize(
    "sentence",
    [
        "We may use the content you generate, upload, or submit, including prompts and generated images, to train "
        "our AI models.",
        "Your conversations may be used to improve our machine learning systems.",
        "You grant us the right to use your inputs to train and improve our models.",
    ],
)
def test_training_on_the_users_content_stays_high(sentence: str) -> None:
    """The provider training on the user's content is high, even when the sentence is long."""
    assert _severity(sentence) == "high"


def test_a_provider_promise_not_to_train_is_low() -> None:
    """'We do not use your prompts to train our models' is the favourable version."""
    assert _severity("We do not use your prompts or outputs to train our models.") == "low"
