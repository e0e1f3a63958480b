"""Sentence and provision splitting, and opt-out routes found in the text."""

from __future__ import annotations

from clausewatch_analyzer.optouts import find_opt_outs
from clausewatch_analyzer.segment import split_provisions, split_sentences
from clausewatch_analyzer.texts import possessive


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    """ "e.g." and "Inc." do not end a sentence; a full stop before a capital does."""
    text = "We share data with partners, e.g. Acme Inc. and others. You can opt out. Contact us."
    assert split_sentences(text) == [
        "We share data with partners, e.g. Acme Inc. and others.",
        "You can opt out.",
        "Contact us.",
    ]


def test_blank_text_has_no_sentences() -> None:
    """Whitespace alone gives no sentence."""
    assert split_sentences("  \n ") == []


def test_provisions_follow_headings_paragraphs_and_list_items() -> None:
    """Markdown headings set the path; paragraphs and list items are separate provisions."""
    doc = "# Privacy\n\n## Sharing\n\nWe share data\nwith partners.\n\n- With advertisers.\n- With police.\n\n## Rights\n\nYou may ask.\n"
    segments = split_provisions(doc)
    assert [(s.heading_path, s.text) for s in segments] == [
        (("Privacy", "Sharing"), "We share data with partners."),
        (("Privacy", "Sharing"), "With advertisers."),
        (("Privacy", "Sharing"), "With police."),
        (("Privacy", "Rights"), "You may ask."),
    ]


def test_opt_out_routes_are_emails_settings_urls_and_links() -> None:
    """Each kind of route the text names is found once, with the sentence around it."""
    text = (
        "Email privacy@example.com or dpo@example.co.uk. Turn this off in Settings > Privacy > Training. "
        "You can also change your privacy settings, visit https://example.com/choices, or use the unsubscribe link."
    )
    routes = [(o.kind, o.value) for o in find_opt_outs(text)]
    assert routes == [
        ("email", "privacy@example.com"),
        ("email", "dpo@example.co.uk"),
        ("setting", "Settings > Privacy > Training"),
        ("setting", "your privacy settings"),
        ("url", "https://example.com/choices"),
        ("link", "unsubscribe link"),
    ]
    email = find_opt_outs(text)[0]
    assert email.context == "Email privacy@example.com or dpo@example.co.uk."


def test_text_without_routes_yields_none() -> None:
    """A clause that names no route gives no opt-out."""
    assert find_opt_outs("We may use your content to train our models.") == []


def test_the_platform_is_not_named_twice_in_the_document_phrase() -> None:
    """A title that repeats the platform's name reads "Acme AI's Privacy Policy", not "Acme AI's Acme AI ..."."""
    assert possessive("Acme AI", "Acme AI Privacy Policy") == "Acme AI's Privacy Policy"
    assert possessive("Acme AI", "acme ai privacy policy") == "Acme AI's privacy policy"
    assert possessive("Acme AI", "Privacy Policy") == "Acme AI's Privacy Policy"
    assert possessive("X", "Xbox Terms") == "X's Xbox Terms"
