"""A provision is as severe as the worst thing it states of a type, not as its most confident sentence (decision
0164), and the rules that reading brought to light."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausewatch_analyzer.assess import Context, assess_change, assess_provision
from clausewatch_analyzer.classify import Classifier, Label, merge_labels
from clausewatch_analyzer.regulations import load_catalogue
from clausewatch_analyzer.severity import label_severity, provision_severity
from clausewatch_analyzer.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
RULES = Classifier(TAXONOMY)


def _label(labels: list[Label], clause_type: str) -> Label:
    return next(label for label in labels if label.clause_type == clause_type)


def test_a_later_sentence_that_states_a_more_severe_reading_is_the_evidence() -> None:
    """The browsers' Do Not Track paragraph opens with what the signal is (low, the type's default) and says two
    sentences on that the provider ignores it: the paragraph was low, read on its first sentence (session 22)."""
    text = (
        "Some web browsers have a Do Not Track feature that tells a website you do not want to be tracked. "
        "Not all browsers offer it. We currently do not respond to Do Not Track signals."
    )
    label = _label(RULES.classify_provision(text), "do_not_track")
    assert label.evidence == "We currently do not respond to Do Not Track signals."
    call = provision_severity(RULES.classify_provision(text), TAXONOMY)
    assert call.severity == "medium"
    assert call.reasons == ("Do Not Track: Do Not Track signals are ignored",)


def test_a_sentence_added_to_a_paragraph_escalates_the_change() -> None:
    """What a subscriber is told: the paragraph that gains "We currently do not respond to Do Not Track signals" is
    escalated from low to medium (read on its first sentence, the change was low before and after)."""
    old = "Some web browsers have a Do Not Track feature that tells a website you do not want to be tracked."
    new = f"{old} We currently do not respond to Do Not Track signals."
    catalogue = load_catalogue()
    before = assess_provision(old, RULES, catalogue, Context())
    after = assess_provision(new, RULES, catalogue, Context())
    change = assess_change("modified", before, after, old, new, RULES)
    assert (change.severity_before, change.severity_after, change.escalation) == (
        "low",
        "medium",
        "escalated",
    )
    assert "severity escalated from low to medium" in change.description


def test_the_contacts_a_later_sentence_syncs_make_the_paragraph_medium() -> None:
    """Pinterest's "Build your community" paragraph: suggestions from interests (low), then the contacts synced."""
    text = (
        "We use your info to suggest other people who have similar interests. If you previously chose to sync your "
        "contacts with your account, we will process certain information about your contacts to help you find them."
    )
    label = _label(RULES.classify_provision(text), "first_party_collection")
    assert label.evidence.startswith("If you previously chose to sync your contacts")
    assert label_severity(label, TAXONOMY).severity == "medium"


def _merged(first: Label, second: Label) -> Label:
    sentences = [first.evidence, second.evidence]
    (label,) = merge_labels([[first], [second]], sentences, TAXONOMY)
    return label


def test_only_a_stated_reading_raises_and_the_type_keeps_its_best_confidence() -> None:
    """Another sentence's rule raises; its default does not (a consent stated once qualifies the paragraph)."""
    consent = "Based on your consent, we may collect your biometric information for verification."
    plain = "Biometric information helps us keep accounts safe."
    assert (
        label_severity(Label("biometric_data", 0.7, "biometric", plain), TAXONOMY).severity == "high"
    )  # default
    label = _merged(
        Label("biometric_data", 0.9, "biometric", consent), Label("biometric_data", 0.7, "biometric", plain)
    )
    assert (label.evidence, label_severity(label, TAXONOMY).severity) == (consent, "medium")

    ignored = "We currently do not respond to Do Not Track signals."
    label = _merged(
        Label("do_not_track", 0.9, "Do Not Track", "Browsers may send a Do Not Track signal."),
        Label("do_not_track", 0.6, "Do Not Track", ignored),
    )
    assert (label.evidence, label.confidence, label_severity(label, TAXONOMY).severity) == (
        ignored,
        0.9,
        "medium",
    )


def test_a_denial_in_one_sentence_only_does_not_let_a_lower_statement_win() -> None:
    """The most confident sentence denies, another states the practice plainly (the type's default, high) and a third
    states it with consent (medium): the paragraph is not denied, its first sentence reads high, and the consent
    sentence is no more severe."""
    denial = Label("biometric_data", 0.9, "face scans", "We never keep face scans.", denied=True)
    plain = Label("biometric_data", 0.8, "face scans", "Face scans help us verify accounts.")
    consent = Label("biometric_data", 0.7, "face", "With your consent we scan your face.")
    assert label_severity(denial, TAXONOMY).severity == "low"
    assert label_severity(consent, TAXONOMY).severity == "medium"
    sentences = [denial.evidence, plain.evidence, consent.evidence]
    (label,) = merge_labels([[denial], [plain], [consent]], sentences, TAXONOMY)
    assert (label.denied, label.evidence, label_severity(label, TAXONOMY).severity) == (
        False,
        denial.evidence,
        "high",
    )


def test_without_the_taxonomy_merging_keeps_the_most_confident_sentence() -> None:
    """Callers that only want the types (and the yields' tests) merge as before."""
    first = Label("do_not_track", 0.9, "Do Not Track", "Browsers may send a Do Not Track signal.")
    second = Label(
        "do_not_track", 0.6, "Do Not Track", "We currently do not respond to Do Not Track signals."
    )
    (label,) = merge_labels([[first], [second]])
    assert label.evidence == first.evidence


def test_a_claudette_level_stated_by_another_sentence_raises() -> None:
    """Two sentences of a termination clause, the second rated clearly unfair by the model: the clause is high."""
    fair = Label(
        "unilateral_termination", 0.9, "terminate", "You may terminate your account at any time.", 1, "model"
    )
    unfair = Label(
        "unilateral_termination",
        0.7,
        "terminate",
        "We may terminate your account for any reason.",
        3,
        "model",
    )
    label = _merged(fair, unfair)
    assert (label.level, label_severity(label, TAXONOMY).severity) == (3, "high")


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        # a child's use of the service is not the use of a child's data (X.ai, Bumble, Grindr, session 22)
        (
            "If you are a child under the age of 13, please do not attempt to register for or otherwise use our Service.",
            "low",
        ),
        ("The Company will direct potential users under 13 years of age not to use the Services.", "low"),
        # the data named before the children
        ("We may use information about children under 13 to personalise their experience.", "medium"),
        ("We share data of minors with our service providers.", "medium"),
        # the deletion promise and a question heading are not the practice
        (
            "If we learn we have collected personal information from a child under 13, we will delete it.",
            "low",
        ),
        ("Does Example collect information from children?", "low"),
        ("We may collect information from children under 13 with their parents' consent.", "medium"),
    ],
)
def test_children_s_data_used_not_the_service_used_by_children(text: str, severity: str) -> None:
    label = _label(RULES.classify_provision(text), "specific_audiences")
    assert label_severity(label, TAXONOMY).severity == severity


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("We currently do not respond to Do Not Track signals.", "medium"),
        # Grok's wording (session 22)
        (
            'Because the effect of "Do Not Track" signals remains unclear, we do not alter our privacy practices when '
            'we detect a "Do Not Track" signal from your browser.',
            "medium",
        ),
        ("We ignore Do Not Track signals.", "medium"),
        ("We do not ignore Do Not Track signals: we stop tracking when one is received.", "low"),
        ("We operate the same way whether or not a Do Not Track signal is received.", "medium"),
        (
            'The Company honors "do not track" signals and does not track you when a signal is received.',
            "low",
        ),
        (
            "Some web browsers have a Do Not Track feature that tells a website a user does not want to be tracked.",
            "low",
        ),
    ],
)
def test_do_not_track_ignored_in_other_words(text: str, severity: str) -> None:
    label = _label(RULES.classify_provision(text), "do_not_track")
    assert label_severity(label, TAXONOMY).severity == severity


def test_you_can_is_not_the_provider_s_may_train() -> None:
    """Cursor's "unless you've explicitly agreed" paragraph ends "You can find instructions in the Service on how to
    manage your preferences regarding the use of Inputs … for training": "You" read as the provider's name made it
    a statement that content may train models, and the paragraph high (session 22)."""
    text = (
        "We do not use Inputs to train our models unless you have explicitly agreed to their use for training. You "
        "can find instructions in the Service on how to manage your preferences regarding the use of Inputs for "
        "training."
    )
    assert provision_severity(RULES.classify_provision(text), TAXONOMY).severity == "low"
    label = Label(
        "ai_training_on_user_content", 0.9, "train", "Cursor may use your Inputs to train our models."
    )
    assert label_severity(label, TAXONOMY).severity == "high"


@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_a_paragraph_is_as_severe_as_any_of_its_sentences_states(ignored: list[bool]) -> None:
    """Whatever the order and number of plain and severe sentences (the earlier, the more confident), the merged
    label is medium exactly when one sentence says the signal is ignored."""
    sentences = [
        "We currently do not respond to Do Not Track signals."
        if flag
        else "Browsers may send a Do Not Track signal."
        for flag in ignored
    ]
    per_sentence = [
        [Label("do_not_track", 0.9 - 0.01 * i, "Do Not Track", s)] for i, s in enumerate(sentences)
    ]
    (label,) = merge_labels(per_sentence, sentences, TAXONOMY)
    assert label_severity(label, TAXONOMY).severity == ("medium" if any(ignored) else "low")
