"""Which laws a provision touches: a clause type's regulations, narrowed by the document's jurisdictions and, where
the taxonomy says so, by what the provision's own text is about (decision 0124)."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.regulations import Mapping, load_catalogue, map_regulations
from clausewatch_analyzer.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy

TAXONOMY = load_taxonomy()
CATALOGUE = load_catalogue()
COMPLAINT = (
    "You have the right to file a complaint with a data protection authority. If you are located in the UK, you "
    "can contact the UK's data protection authority, the Information Commissioner's Office."
)
CHILDREN = "Our services are not directed to children under 13 and we do not knowingly collect their data."
CALIFORNIA = "If you are a California resident, you have additional rights under the CCPA."


def _articles(mapping: Mapping) -> dict[str, list[str]]:
    return {d["id"]: [a["id"] for a in d["articles"]] for d in mapping.details}


def _map(type_ids: list[str], text: str, jurisdictions: list[str] | None = None) -> dict[str, list[str]]:
    return _articles(map_regulations(type_ids, TAXONOMY, CATALOGUE, jurisdictions, text=text))


def test_a_complaint_right_touches_the_complaint_articles_not_childrens_law() -> None:
    """A right to complain to a data protection authority cites GDPR / UK GDPR Art. 77, not COPPA or Art. 8."""
    found = _map(["specific_audiences"], COMPLAINT)
    assert "Art. 77" in found["gdpr"]
    assert "Art. 77" in found["uk_gdpr"]
    assert "Art. 8" not in found["gdpr"] + found["uk_gdpr"]
    assert "coppa" not in found
    assert "ccpa_cpra" not in found


def test_a_childrens_provision_touches_coppa_and_the_childrens_consent_articles() -> None:
    """Children under 13 bring in COPPA, GDPR / UK GDPR Art. 8 and the CCPA's minors rule."""
    found = _map(["specific_audiences"], CHILDREN)
    assert found["coppa"] == ["16 CFR 312"]
    assert found["gdpr"] == ["Art. 8"]
    assert found["uk_gdpr"] == ["Art. 8"]
    assert found["ccpa_cpra"] == ["1798.120(c)"]


def test_a_region_provision_touches_only_the_regions_law() -> None:
    """Rights of California residents cite the CCPA, not COPPA or the GDPR."""
    assert _map(["specific_audiences"], CALIFORNIA) == {"ccpa_cpra": ["1798.100"]}


def test_articles_of_one_regulation_from_several_conditions_are_merged_in_order() -> None:
    """A text about children in the EEA that also names the authority cites GDPR Art. 8, 77 and 3 once each."""
    text = "Parents of children in the EEA may also lodge a complaint with their supervisory authority."
    assert _map(["specific_audiences"], text)["gdpr"] == ["Art. 8", "Art. 77", "Art. 3"]


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("You can unsubscribe from our marketing emails at any time.", {"can_spam", "eprivacy"}, set()),
        ("You can manage cookies in your browser settings.", {"eprivacy"}, {"can_spam", "universal_opt_out"}),
        (
            "You can turn off personalised recommendations in your account settings.",
            set(),
            {"can_spam", "eprivacy", "universal_opt_out"},
        ),
        ("We honour Global Privacy Control signals.", {"universal_opt_out"}, {"can_spam"}),
        # decision 0194: e-mail as the way to make a choice is not a choice about e-mail
        (
            "We may use your prompts to train our models; to opt out, email privacy@example.com.",
            set(),
            {"can_spam", "eprivacy"},
        ),
        (
            "To opt out, send an email to optout@example.com, email us, or contact us by email.",
            set(),
            {"can_spam", "eprivacy"},
        ),
        ("You can choose not to share your email address with other members.", set(), {"can_spam"}),
        ("You may opt out of receiving emails from us.", {"can_spam", "eprivacy"}, set()),
        ("We will send you email updates unless you opt out.", {"can_spam", "eprivacy"}, set()),
    ],
)
def test_a_choice_touches_the_email_cookie_or_signal_law_only_when_it_is_about_them(
    text: str, expected: set[str], absent: set[str]
) -> None:
    """CAN-SPAM for e-mail choices, the ePrivacy Directive for cookies and e-mail, opt-out signal rules for signals;
    the consent and objection articles of the GDPR for every choice."""
    found = _map(["user_choice_control"], text)
    assert expected <= set(found)
    assert not absent & set(found)
    assert found["gdpr"] == ["Art. 7", "Art. 21"]


def test_a_fingerprint_unlock_is_not_an_ai_act_biometric_practice() -> None:
    """Biometric data brings BIPA and GDPR Art. 9 always, the AI Act only for face scraping or recognition."""
    unlock = _map(["biometric_data"], "You may use your fingerprint to unlock the app.")
    assert {"bipa", "gdpr"} <= set(unlock)
    assert not {"eu_ai_act", "eu_ai_act_high_risk"} & set(unlock)
    faces = _map(["biometric_data"], "We use facial recognition to tag your friends in photos.")
    assert faces["eu_ai_act"] == ["Art. 5(1)(e)"]
    assert faces["eu_ai_act_high_risk"] == ["Annex III(1)"]


@pytest.mark.parametrize(
    ("text", "gdpr"),
    [
        (
            "You can contact our Data Protection Officer at dpo@example.com.",
            ["Art. 13", "Art. 37", "Art. 38"],
        ),
        ("We have appointed Rep Ltd as our representative in the European Union.", ["Art. 13", "Art. 27"]),
        ("Acme Ltd and Acme Inc. are joint controllers of your personal data.", ["Art. 13", "Art. 26"]),
        (
            "If you have any questions about this policy, please contact us at privacy@example.com.",
            ["Art. 13"],
        ),
    ],
)
def test_a_privacy_contact_touches_the_articles_of_the_contact_it_names(text: str, gdpr: list[str]) -> None:
    """Decision 0135: every privacy contact is information owed under Art. 13; a DPO, a representative or joint
    controllers add their own articles, in the UK GDPR too."""
    found = _map(["privacy_contact"], text)
    assert found["gdpr"] == gdpr
    assert found["uk_gdpr"] == gdpr
    assert "ccpa_cpra" in found


def test_the_documents_jurisdictions_still_narrow_the_laws() -> None:
    """A document for the EU only keeps the GDPR and drops COPPA and the CCPA, whatever its text names."""
    assert set(_map(["specific_audiences"], CHILDREN, ["EU"])) == {"gdpr"}


def test_a_bad_condition_is_refused_with_the_type_and_regulation_named() -> None:
    """A `when` that is not a valid regular expression fails loading, naming where it is."""
    raw = {
        "clause_types": [
            {
                "id": "x",
                "name": "X",
                "family": "privacy",
                "description": "d",
                "patterns": {"strong": ["a"]},
                "regulations": [{"id": "gdpr", "articles": ["Art. 6"], "when": "("}],
            }
        ]
    }
    with pytest.raises(TaxonomyError, match=r"x\.regulations\.gdpr\.when"):
        parse_taxonomy(raw)


def test_the_demo_complaint_paragraph_is_assessed_without_coppa() -> None:
    """Through the shipped engine, eharmony's removed complaint paragraph maps to Art. 77, not to COPPA."""
    engine = build_engine()
    result = assess_provision(
        COMPLAINT, engine.classifier, engine.catalogue, Context("eharmony", "Privacy Policy")
    )
    assert "specific_audiences" in result.clause_types
    assert "coppa" not in result.regulations
    assert "Art. 77" in _articles(Mapping(result.regulations, result.regulation_details, []))["gdpr"]


def test_an_article_is_named_once_whole_or_by_a_part() -> None:
    """Law-enforcement disclosure cites GDPR Art. 6(1)(c) and collection cites Art. 6: the landscape read "Art.
    6(1)(c), Art. 5 and Art. 6" (session 20). The first form named stays; two parts of one article stay two."""
    found = _map(
        ["law_enforcement_disclosure", "first_party_collection"], "We disclose data to comply with the law."
    )
    assert "Art. 6(1)(c)" in found["gdpr"]
    assert "Art. 6" not in found["gdpr"]
    assert "Art. 5" in found["gdpr"]
    found = _map(
        ["first_party_collection", "law_enforcement_disclosure"], "We disclose data to comply with the law."
    )
    assert "Art. 6" in found["gdpr"]
    assert "Art. 6(1)(c)" not in found["gdpr"]


def test_the_main_clause_types_articles_come_first() -> None:
    """A landscape names a few articles per law: Grok's training on public web data named the GDPR's articles on
    collection (Art. 5, 6, 13) and not its own (Art. 14, Art. 21), because collection comes first in the taxonomy."""
    result = assess_provision(
        "We use information that is publicly available on the internet to train our models.",
        build_engine(use_model=False).classifier,
        CATALOGUE,
        Context("Grok", "Grok Privacy Policy"),
    )
    assert result.primary is not None
    assert result.primary.clause_type == "ai_training_on_public_data"
    gdpr = next(d for d in result.regulation_details if d["id"] == "gdpr")
    assert [a["id"] for a in gdpr["articles"]][:3] == ["Art. 6", "Art. 14", "Art. 21"]
    landscape = next(s["text"] for s in result.texts["institutional"] if s["id"] == "regulatory_landscape")
    assert "Art. 14 (information when data is not obtained from the data subject)" in landscape
