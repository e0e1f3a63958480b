"""Sentence and provision splitting, and opt-out routes found in the text."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.classify import Classifier
from clausewatch_analyzer.optouts import find_opt_outs, find_routes
from clausewatch_analyzer.regulations import load_catalogue
from clausewatch_analyzer.segment import split_provisions, split_sentences
from clausewatch_analyzer.taxonomy import load_taxonomy
from clausewatch_analyzer.texts import possessive

DPA_LIST = "https://ec.europa.eu/justice/article-29/structure/data-protection-authorities/index_en.htm"
COMPLAINT = (
    "You have the right to complain to a supervisory authority about our use of your personal information. "
    f"Contact details for supervisory authorities in the EEA and the UK are available [here]({DPA_LIST})."
)


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    """ "e.g." and "Inc." do not end a sentence; a full stop before a capital does."""
    text = "We share data with partners, e.g. Acme Inc. and others. You can opt out. Contact us."
    assert split_sentences(text) == [
        "We share data with partners, e.g. Acme Inc. and others.",
        "You can opt out.",
        "Contact us.",
    ]


def test_sentences_are_the_words_a_reader_sees() -> None:
    """A link is its label, so its target is never read as words (decision 0133): Grok's pointer to its FAQs, whose
    address "x.ai" the AI-training pattern read as "AI", is no longer a training clause."""
    text = (
        "More information about xAI's development and training of Grok and data controls is available in our "
        "[Consumer FAQs](https://x.ai/legal/faq) , [Enterprise FAQs](https://x.ai/legal/faq-enterprise) ."
    )
    (sentence,) = split_sentences(text)
    assert "https://" not in sentence
    assert sentence.endswith("in our Consumer FAQs, Enterprise FAQs.")
    labels = Classifier(load_taxonomy()).classify_provision(text)
    assert "ai_training_on_user_content" not in {label.clause_type for label in labels}


def test_an_abbreviation_after_a_bracket_does_not_end_the_sentence() -> None:
    """ "(Art. 6 (4) UK GDPR …)" and "(e.g. Facebook)" stay in one sentence."""
    assert len(split_sentences("Records are anonymised for training (Art. 6 (4) UK GDPR applies here.)")) == 1
    assert split_sentences("We share data (e.g. Facebook) with partners. You can opt out.") == [
        "We share data (e.g. Facebook) with partners.",
        "You can opt out.",
    ]


def test_a_section_named_by_number_and_title_does_not_end_the_sentence() -> None:
    """Qwen's "as described in sectionI. How We Collect Your Personal Data to some countries" (no space in its HTML)
    was two sentences, and the second, "How We Collect Your Personal Data …", read as collection (demo, session 19)."""
    text = (
        "We transfer your personal data as described in sectionI. How We Collect Your Personal Data to some "
        "countries with adequacy decisions. See section 4.2. It explains more."
    )
    assert split_sentences(text) == [
        "We transfer your personal data as described in sectionI. How We Collect Your Personal Data to some "
        "countries with adequacy decisions.",
        "See section 4.2.",
        "It explains more.",
    ]
    labels = {label.clause_type for label in Classifier(load_taxonomy()).classify_provision(text)}
    assert "first_party_collection" not in labels


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


def test_underlined_headings_set_the_path_and_a_rule_splits() -> None:
    """Grammarly's and Tumblr's pages underline their headings ("Information We Collect" over "-----"): the CLI's
    document mode classified "Information We Collect ------" as a provision of its own (session 26)."""
    doc = (
        "Privacy Policy\n==============\n\nInformation We Collect\n----------------------\n\nWe collect your name.\n"
        "***\n\nA closing note.\n"
    )
    assert [(s.heading_path, s.text) for s in split_provisions(doc)] == [
        (("Privacy Policy", "Information We Collect"), "We collect your name."),
        (("Privacy Policy", "Information We Collect"), "A closing note."),
    ]


def test_each_table_row_is_a_provision_as_the_differ_makes_it() -> None:
    """A table read as one provision joined one row's words to another's (a purposes table's "To share promo cards"
    read as sensitive data shared, session 21): each row is a provision, the delimiter row none."""
    doc = (
        "## Purposes\n\nWe use data as follows.\n\n| Purpose | Data |\n| --- | :---: |\n"
        "| To share promo cards | Name |\n| To verify you | Face geometry |\nWe keep it safe.\n"
    )
    assert [s.text for s in split_provisions(doc)] == [
        "We use data as follows.",
        "| Purpose | Data |",
        "| To share promo cards | Name |",
        "| To verify you | Face geometry |",
        "We keep it safe.",
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


def test_an_address_markdown_escaped_is_found_whole() -> None:
    """Markdown escapes an underscore in an address ("rep\\_tinder@…"): the address is read whole and given
    unescaped, never cut at the escape ("_tinder@…")."""
    text = (
        "> UK GDPR Representative: Prighter Group > > [rep\\_tinder@prighter.com](mailto:rep_tinder@prighter.com) "
        "> > 20 Mortlake High Street. Write to DPO\\_qwenlm-intl@service.alibaba.com to exercise your rights."
    )
    assert [(o.kind, o.value) for o in find_opt_outs(text)] == [
        ("email", "rep_tinder@prighter.com"),
        ("email", "DPO_qwenlm-intl@service.alibaba.com"),
    ]


def test_text_without_routes_yields_none() -> None:
    """A clause that names no route gives no opt-out."""
    assert find_opt_outs("We may use your content to train our models.") == []


@pytest.mark.parametrize(
    ("text", "value", "purpose"),
    [
        (COMPLAINT, DPA_LIST, "complaint"),
        (
            "You have the right to file a complaint with a data protection authority. If you are in the UK, you can "
            "contact the ICO at casework@ico.org.uk.",
            "casework@ico.org.uk",
            "complaint",
        ),
        (
            "For details about our use of cookies, please read our Cookies Notice at https://qwen.ai/cookies.",
            "https://qwen.ai/cookies",
            "information",
        ),
        (
            "If you do not want your content used for this purpose, you may opt out by contacting us at "
            "privacy@leonardo.ai.",
            "privacy@leonardo.ai",
            "control",
        ),
        (
            "To object, or for more information, email privacy@acme.example.",
            "privacy@acme.example",
            "control",
        ),
        # session 26: a web address with nothing said about it is a page to read; one whose path is a way to act
        # (settings, choices, requests, contact) or whose sentence says how to act is a control
        ("Our address is https://acme.example.", "https://acme.example", "information"),
        (
            "Our address is https://acme.example/settings/privacy.",
            "https://acme.example/settings/privacy",
            "control",
        ),
        ("Write to privacy@acme.example.", "privacy@acme.example", "control"),
        (
            "We may remove or restrict access to any content, including yours, if we reasonably believe it is in "
            "breach of our Community Guidelines (https://acme.example/community-guidelines).",
            "https://acme.example/community-guidelines",
            "information",
        ),
        (
            "Unless otherwise stated in our Cookies Policy (https://acme.example/cookies), the controller of your "
            "personal data is Acme Ltd.",
            "https://acme.example/cookies",
            "information",
        ),
        (
            "Tools and account settings can help you access, rectify or remove information that you provided to us "
            "(https://acme.example/help).",
            "https://acme.example/help",
            "control",
        ),
        (
            "If you don't want to be contacted, just tell our Customer Support Team via our Feedback Page "
            "(https://acme.example/feedback).",
            "https://acme.example/feedback",
            "control",
        ),
        # Reddit's entire-agreement clause: the company's "failure to exercise or enforce any right" is no way to act
        (
            "These Terms, together with the Privacy Policy (https://acme.example/privacy), constitute the entire "
            "agreement. Our failure to exercise or enforce any right will not operate as a waiver of such right.",
            "https://acme.example/privacy",
            "information",
        ),
        (
            "You can exercise your region-specific rights through our form (https://acme.example/forms/1).",
            "https://acme.example/forms/1",
            "control",
        ),
        (
            "Download My Data: https://accounts.acme.example/download.",
            "https://accounts.acme.example/download",
            "control",
        ),
        # a web address is a control by its own sentence (or page), not by its provision's words
        (
            "You can manage your settings at any time. Further, we are part of the Acme Group family of businesses "
            "(https://group.acme.example/).",
            "https://group.acme.example/",
            "information",
        ),
        (
            "If you receive unwanted messages, you can always [block](https://help.acme.example/a1) them.",
            "https://help.acme.example/a1",
            "control",
        ),
        (
            "You can download a copy of your information by following the instructions [here](https://help.acme.example/dl).",
            "https://help.acme.example/dl",
            "control",
        ),
        (
            "[Print or download as PDF file](https://acme.example/policy.pdf)",
            "https://acme.example/policy.pdf",
            "information",
        ),
        (
            "For details, see your [ad settings](https://acme.example/settings/ads).",
            "https://acme.example/settings/ads",
            "control",
        ),
        (
            "You have the right to complain to the Data Protection Commission (https://dpc.example/contact).",
            "https://dpc.example/contact",
            "complaint",
        ),
        (
            "Please note you can object to our use of your information to train our models in your settings. See "
            "[Consumer FAQs](https://x.ai/legal/faq).",
            "https://x.ai/legal/faq",
            "information",
        ),
        (
            "See our opt-out page at https://acme.example/opt-out to opt out.",
            "https://acme.example/opt-out",
            "control",
        ),
    ],
)
def test_each_route_says_what_it_is_for(text: str, value: str, purpose: str) -> None:
    """An authority's address is for complaints, a pointer to further reading is information, and a way to act on
    the data is control (so is an e-mail address with nothing said about it, not a web page); only control routes
    are opt-outs."""
    routes = {r.value: r.purpose for r in find_routes(text)}
    assert routes[value] == purpose
    assert (value in [o.value for o in find_opt_outs(text)]) == (purpose == "control")


def test_a_complaint_link_is_offered_as_a_complaint_route_never_as_an_opt_out() -> None:
    """The demo's Grok provision: no "opt-out or control route" claim, no "object to this use" through the list of
    authorities, but an action pointing to it for complaints."""
    result = assess_provision(
        COMPLAINT, Classifier(load_taxonomy()), load_catalogue(), Context("Grok", "Grok Privacy Policy")
    )
    assert result.opt_outs == []
    assert "opt-out" not in result.texts["what_it_is"]
    assert "take action yourself" not in result.texts["consumer_impact"]
    actions = {a["route"]: a for a in result.texts["what_you_can_do"]}
    assert actions[DPA_LIST]["title"] == "Contact the authority"


@pytest.mark.parametrize(
    ("text", "route"),
    [
        # protections: Match's access row, Hugging Face's security provision
        (
            "You may access, correct or delete your personal data by writing to privacy@acme.example.",
            "an email to privacy@acme.example",
        ),
        (
            "We protect your data with encryption. Report security issues to security@acme.example.",
            "an email to security@acme.example",
        ),
        # a contract term whose provision names a setting for something else (Cursor's limitation of liability)
        (
            "To the maximum extent permitted by law, we are not liable for any indirect or consequential damages. "
            "You can review your privacy settings at any time.",
            "an in-product setting",
        ),
    ],
)
def test_a_route_that_is_no_way_out_is_not_called_one(text: str, route: str) -> None:
    """These read "To avoid it you must take action yourself (…)" (session 26): a protection's route is how to use
    it, and a contract term's route is a way out only when the text offers it as one."""
    result = assess_provision(
        text, Classifier(load_taxonomy()), load_catalogue(), Context("Acme", "Acme Terms")
    )
    assert result.opt_outs
    assert "take action yourself" not in result.texts["consumer_impact"]
    assert f"The route the text gives: {route}." in result.texts["consumer_impact"]
    assert "opt-out" not in result.texts["what_it_is"]


@pytest.mark.parametrize(
    ("text", "route"),
    [
        (
            "We may use your prompts to train our models. You can opt out by emailing privacy@acme.example.",
            "an email to privacy@acme.example",
        ),
        # a data practice's control route is a way out without the words "opt out"
        (
            "We may use your prompts to train our models. You can manage this in your account settings.",
            "an in-product setting",
        ),
        # a contract term's, when the text offers it as one
        (
            "Any dispute will be resolved by binding arbitration. You may opt out of arbitration by emailing "
            "legal@acme.example within 30 days.",
            "an email to legal@acme.example",
        ),
    ],
)
def test_a_practices_route_is_still_how_to_avoid_it(text: str, route: str) -> None:
    result = assess_provision(
        text, Classifier(load_taxonomy()), load_catalogue(), Context("Acme", "Acme Terms")
    )
    assert f"To avoid it you must take action yourself ({route})" in result.texts["consumer_impact"]


def test_the_platform_is_not_named_twice_in_the_document_phrase() -> None:
    """A title that repeats the platform's name reads "Acme AI's Privacy Policy", not "Acme AI's Acme AI ..."."""
    assert possessive("Acme AI", "Acme AI Privacy Policy") == "Acme AI's Privacy Policy"
    assert possessive("Acme AI", "acme ai privacy policy") == "Acme AI's privacy policy"
    assert possessive("Acme AI", "Privacy Policy") == "Acme AI's Privacy Policy"
    assert possessive("X", "Xbox Terms") == "X's Xbox Terms"


DENIAL = (
    "We do not sell your personal information or use it for marketing: we do not sell personal information or share "
    "personal information for targeted or cross-contextual advertising purposes."
)


def _provision(text: str) -> object:
    context = Context(
        platform_name="Grok", document_title="Grok Privacy Policy", jurisdictions=("EU", "US-CA")
    )
    return assess_provision(text, Classifier(load_taxonomy()), load_catalogue(), context)


def test_a_provision_that_denies_a_practice_reads_as_the_commitment_it_is() -> None:
    """Grok's "We do not sell … or share … for targeted … advertising" had the targeted-advertising texts: "Your
    activity may be used to profile you for advertising", medium (demo, session 15). A denied practice is the
    provider's statement that it does not happen: low, said so, and no lawful-basis question (decision 0141)."""
    result = _provision(DENIAL)
    assert result.severity.severity == "low"
    assert all(label.denied for label in result.labels if label.source != "implied")
    assert "Targeted advertising: the provider states it does not use your data to target advertising" in (
        result.severity.reasons
    )
    texts = result.texts
    assert texts["what_it_is"].endswith(
        "it states that Grok does not " + texts["what_it_is"].split(" does not ")[1]
    )
    assert "profile you for advertising" not in texts["why_it_matters"]
    assert texts["consumer_impact"] == "None from this provision as written: it rules the practice out."
    assert "mitigation" not in texts["caveat"]
    assert texts["interpretive_note"] == ""
    compliance = next(s["text"] for s in texts["institutional"] if s["id"] == "compliance_considerations")
    assert compliance.startswith("Check that the statement holds in practice, that the provider does not ")


@pytest.mark.parametrize(
    "text",
    [
        "We share your personal information with our advertising partners for targeted advertising.",
        "We do not sell your data. We share it with advertising partners for targeted advertising.",
        "We do not share your personal information except with our advertising partners.",
        "We will not share your personal information with advertisers without your consent.",
    ],
)
def test_a_practice_stated_anywhere_in_the_provision_is_not_a_denial(text: str) -> None:
    """One sentence that states the practice, an exception after a denial, or a condition ("without your consent")
    keeps the practice's own reading."""
    result = _provision(text)
    sharing = next(label for label in result.labels if label.clause_type == "third_party_sharing")
    assert not sharing.denied
    assert "states that Grok does not" not in result.texts["what_it_is"]


def test_a_denial_inside_the_rules_phrase_reads_as_a_commitment() -> None:
    """The sharing rule's phrase "We never pass your details on to" holds its own denial; it was read before the
    phrase only, so the provision said Grok shares the details it promises not to pass on (decision 0189)."""
    result = _provision("We never pass your details on to third parties.")
    sharing = next(label for label in result.labels if label.clause_type == "third_party_sharing")
    assert sharing.denied
    assert "states that Grok does not" in result.texts["what_it_is"]
