"""Carve-outs: what a provision says a user's choice does not stop (decision 0134)."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_change, assess_provision
from clausewatch_analyzer.carveouts import QUOTE_CHARS, added_carve_outs, carve_outs, quote
from clausewatch_analyzer.classify import Classifier
from clausewatch_analyzer.regulations import load_catalogue
from clausewatch_analyzer.taxonomy import load_taxonomy

RULES = Classifier(load_taxonomy())
CATALOGUE = load_catalogue()
CONTEXT = Context("Acme AI", "Acme AI Privacy Policy", ("EU", "US-CA"))

TRAINING = "We may use your prompts to train our models, unless you opt out in your account settings."
SAFETY = (
    "Even if you opt out, we will use prompts for model training when they are flagged for safety review."
)


@pytest.mark.parametrize(
    "sentence",
    [
        SAFETY,
        "Even if you opt out of receiving promotional emails, we may still send you messages about your account.",
        "Opting out does not prevent us from using your data for security purposes.",
        "Regardless of your settings, we may use de-identified data to improve our models.",
        "This setting does not apply to content you share publicly.",
        "If you turn off personalised ads, you will still see ads, but they may be less relevant.",
        "Notwithstanding your opt-out, we may retain your data where required by law.",
        "After you unsubscribe, we may continue to send you service announcements.",
        "Even after you remove information from your profile or delete your account, copies may still be visible.",
        "Some rules still apply even after your account is deleted.",
        "We use your IP address to infer your location, even if you don't choose to share your precise location.",
        "The opt-out applies to all uses except fraud prevention.",
    ],
)
def test_a_sentence_tying_a_choice_to_a_use_that_goes_on_is_a_carve_out(sentence: str) -> None:
    """Each form of "your choice does not stop this" is found and quoted whole."""
    assert carve_outs(f"We collect your data. {sentence}") == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "You can opt out at any time in your account settings.",
        "If you opt out, we will stop using your data for training.",
        "You may withdraw your consent at any time.",
        "Withdrawing consent does not affect the lawfulness of processing based on consent before withdrawal.",
        "We will delete your data when you close your account.",
        "If you object, we will no longer process your data unless we have compelling legitimate grounds.",
        "We still use cookies to remember your settings.",
    ],
)
def test_a_choice_without_a_use_that_goes_on_is_not_a_carve_out(sentence: str) -> None:
    """Offering a choice, or saying what it stops, carves nothing out."""
    assert carve_outs(sentence) == []


def test_a_use_that_goes_on_in_the_sentence_after_the_choice_is_a_carve_out() -> None:
    """Grok: "You can opt out of marketing emails. We may still send you non-promotional emails …"."""
    text = (
        "You can unsubscribe from marketing emails at any time. We may still send you non-promotional emails."
    )
    assert carve_outs(text) == ["We may still send you non-promotional emails."]
    assert carve_outs("We process your data. We may still send you non-promotional emails.") == []


def test_a_reworded_carve_out_is_not_added_but_a_new_one_is() -> None:
    """TikTok's "even if you subsequently delete it" rewritten is the same carve-out; a new exception is added."""
    old = "Their new content may stay on the Platform even if you subsequently delete your content."
    new = "Their new content may stay on the Platform or elsewhere even if you delete your content or your account."
    assert added_carve_outs(old, new) == []
    assert added_carve_outs(TRAINING, f"{TRAINING} {SAFETY}") == [SAFETY]


def test_long_carve_outs_are_quoted_to_a_word() -> None:
    """A quote stays under the limit, ends on a whole word and says it was cut."""
    sentence = "Even if you opt out, we will use your data " + "for one more purpose " * 30 + "anyway."
    quoted = quote(sentence)
    assert len(quoted) <= QUOTE_CHARS
    assert quoted.endswith("…")
    assert sentence.startswith(quoted[:-1] + " ")
    assert quote(SAFETY) == SAFETY


def test_the_provision_texts_tell_readers_what_their_choice_does_not_stop() -> None:
    """The opt-out is not presented as full control: why it matters quotes the carve-out, impact says it applies."""
    result = assess_provision(f"{TRAINING} {SAFETY}", RULES, CATALOGUE, CONTEXT)
    assert result.carve_outs == [SAFETY]
    assert result.texts["carve_outs"] == [SAFETY]
    assert f"\u201c{SAFETY}\u201d" in result.texts["why_it_matters"]
    assert "the exceptions the text names still apply" in result.texts["consumer_impact"]
    plain = assess_provision(TRAINING, RULES, CATALOGUE, CONTEXT)
    assert plain.carve_outs == []
    assert plain.texts["carve_outs"] == []
    assert "exceptions" not in plain.texts["consumer_impact"]


def test_a_change_that_adds_a_carve_out_to_an_opt_out_is_at_least_medium() -> None:
    """The opt-out stays, but now stops less: a loss of control, rated at least medium with the quote as reason."""
    old_text, new_text = (
        "You can opt out of sharing in your privacy settings.",
        (
            "You can opt out of sharing in your privacy settings. "
            "Opting out does not prevent us from sharing your data with our affiliates."
        ),
    )
    old = assess_provision(old_text, RULES, CATALOGUE, CONTEXT)
    new = assess_provision(new_text, RULES, CATALOGUE, CONTEXT)
    assert old.severity.severity == "low"
    change = assess_change("modified", old, new, old_text, new_text, RULES)
    assert change.severity == "medium"
    assert "exception to users' choices added" in change.description
    assert any("Opting out does not prevent us" in reason for reason in change.reasons)
    back = assess_change("modified", new, old, new_text, old_text, RULES)
    assert "exception to users' choices added" not in back.description
