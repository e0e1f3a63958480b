"""The taxonomy and regulation catalogue as data: required ids, valid references, examples that tag as their type."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.classify import Classifier
from clausewatch_analyzer.regulations import load_catalogue
from clausewatch_analyzer.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy
from clausewatch_analyzer.texts import load_templates

REQUIRED_IDS = {
    "arbitration", "unilateral_change", "content_removal", "jurisdiction", "choice_of_law",
    "limitation_of_liability", "unilateral_termination", "contract_by_using", "privacy_included",
    "first_party_collection", "third_party_sharing", "user_choice_control", "user_access_deletion",
    "data_retention", "data_security", "policy_change", "do_not_track", "specific_audiences",
    "ai_training_on_user_content", "automated_decision_making", "indemnification", "class_action_waiver",
    "data_sale", "biometric_data", "international_transfer", "law_enforcement_disclosure",
}  # fmt: skip
REQUIRED_REGULATIONS = {
    "gdpr", "uk_gdpr", "ccpa_cpra", "eu_ai_act", "eu_ai_act_high_risk", "colorado_ai_act", "ctdpa", "icdpa",
    "kcdpa", "bipa", "can_spam", "eprivacy", "ftc_act_s5", "au_privacy_act", "universal_opt_out",
}  # fmt: skip
TAXONOMY = load_taxonomy()
RULES = Classifier(TAXONOMY)


def test_taxonomy_has_every_required_id_with_name_description_and_examples() -> None:
    """Every clause type evaluation depends on is present, named, described and has examples."""
    assert set(TAXONOMY.ids) >= REQUIRED_IDS
    for clause_type in TAXONOMY.types.values():
        assert clause_type.name
        assert clause_type.description
        assert clause_type.examples, clause_type.id


def test_a_type_name_inside_a_sentence_keeps_acronyms_and_proper_names() -> None:
    """Change lines read "now covers … ai model training on user content and prompts" (demo, session 16)."""
    assert TAXONOMY["ai_training_on_user_content"].in_prose == "AI model training on user content and prompts"
    assert TAXONOMY["do_not_track"].in_prose == "Do Not Track"
    assert TAXONOMY["data_sale"].in_prose == "sale of personal data"
    assert TAXONOMY["arbitration"].in_prose == "mandatory arbitration"


def test_claudette_types_map_levels_to_severity() -> None:
    """For the CLAUDETTE types, clearly unfair is high, potentially unfair medium and fair low."""
    claudette = [t for t in TAXONOMY.types.values() if t.claudette_code]
    assert len(claudette) == 9
    for clause_type in claudette:
        assert clause_type.levels == {1: "low", 2: "medium", 3: "high"}


@pytest.mark.parametrize(
    ("type_id", "example"), [(t.id, e) for t in TAXONOMY.types.values() for e in t.examples]
)
def test_each_example_is_tagged_with_its_type_by_the_rules(type_id: str, example: str) -> None:
    """The rules alone tag each of a type's own examples with that type."""
    labels = RULES.classify_provision(example)
    assert type_id in [label.clause_type for label in labels]


def test_every_regulation_a_type_cites_is_in_the_catalogue_with_jurisdiction_and_agencies() -> None:
    """Clause types cite only catalogued regulations, and each regulation names its jurisdiction and enforcers."""
    catalogue = load_catalogue()
    assert set(catalogue.regulations) >= REQUIRED_REGULATIONS
    for clause_type in TAXONOMY.types.values():
        for ref in clause_type.regulations:
            assert ref.id in catalogue.regulations, (clause_type.id, ref.id)
    for regulation in catalogue.regulations.values():
        assert regulation.jurisdiction in catalogue.jurisdictions
        assert regulation.agencies
        assert regulation.articles


def test_malformed_taxonomy_is_refused_with_the_type_named() -> None:
    """A bad regular expression is reported with the clause type it belongs to."""
    raw = {
        "clause_types": [
            {"id": "x", "name": "X", "family": "terms", "description": "d", "patterns": {"strong": ["("]}}
        ]
    }
    with pytest.raises(TaxonomyError, match=r"x\.patterns"):
        parse_taxonomy(raw)


def test_unknown_implied_type_is_refused() -> None:
    """An `implies` naming a type that does not exist is refused."""
    raw = {
        "clause_types": [
            {
                "id": "x",
                "name": "X",
                "family": "terms",
                "description": "d",
                "patterns": {"strong": ["a"]},
                "implies": ["y"],
            }
        ]
    }
    with pytest.raises(TaxonomyError, match="unknown type 'y'"):
        parse_taxonomy(raw)


def test_every_clause_type_has_its_own_texts_for_people() -> None:
    """Each type says in its own words why it matters, what it means for users and what to ask for; the family's
    generic sentence ("This provision says what X does with personal data about you") is only a fallback."""
    templates = load_templates()["types"]
    for type_id in TAXONOMY.ids:
        own = templates.get(type_id) or {}
        assert {"why", "impact", "request"} <= set(own), type_id


def test_a_routes_action_names_the_platform_not_a_placeholder() -> None:
    """The law-enforcement request ("ask whether {platform} publishes a transparency report") reads with the
    platform's name in the e-mail action, for every type's template."""
    text = "We may disclose your information to law enforcement agencies. Contact privacy@acme.example."
    result = assess_provision(text, RULES, load_catalogue(), Context("Acme", "Acme Privacy Policy"))
    assert "law_enforcement_disclosure" in result.clause_types
    details = " ".join(a["detail"] for a in result.texts["what_you_can_do"])
    assert "ask whether Acme publishes a transparency report" in details
    for type_id in TAXONOMY.ids:
        for key, template in load_templates()["types"][type_id].items():
            assert "{" not in template.format(platform="Acme", document="d", type_name="t"), (type_id, key)


@pytest.mark.parametrize(
    ("sentence", "audience"),
    [
        (
            "- For purposes of data security (in particular, in accordance with our obligations under the UK GDPR).",
            False,
        ),
        ("- For further data processing, Art. 6 (1) UK GDPR takes effect in its relevant littera.", False),
        (
            "Our data processing activities are carried out in accordance with the UK GDPR (as retained in UK law "
            "through Section 3 of the European Union (Withdrawal) Act 2018), as well as other UK legislation.",
            False,
        ),
        ("If you are in the EEA, you have rights under the GDPR.", True),
        (
            "Users in the European Economic Area may lodge a complaint with their data protection authority.",
            True,
        ),
        ("Do you live in California? Check out our [California Privacy Statement](/ccpa-addendum).", True),
    ],
)
def test_a_legal_basis_is_not_a_region_specific_audience_and_a_regional_notice_is(
    sentence: str, audience: bool
) -> None:
    """eharmony's legal-basis list items name the UK GDPR without being about users in a region (decision 0132);
    rights of EEA users are, and so is Tinder's pointer for Californians read without its link target (0133)."""
    labels = {label.clause_type for label in RULES.classify_provision(sentence)}
    assert ("specific_audiences" in labels) is audience


def test_a_profile_field_about_children_is_no_audience() -> None:
    """eharmony lists "Number of children" among its profile fields (demo, session 18): a field users fill in, not a
    practice about children; a statement about children's data still is one."""
    labels = {label.clause_type for label in RULES.classify_provision("- Number of children")}
    assert "specific_audiences" not in labels
    about = "We do not knowingly collect the personal data of children under 13."
    assert "specific_audiences" in {label.clause_type for label in RULES.classify_provision(about)}


@pytest.mark.parametrize(
    ("sentence", "policy_change"),
    [
        ("Last updated: May 19, 2026", False),
        ("Effective: April 4, 2026 ( [previous version](/legal/privacy-policy/previous-2025-07-10) )", False),
        ("Version: May 12th 2026", False),
        ("Tri-County Ledger Online Privacy Policy. Effective Date: March 1, 2015", False),
        ("Last updated: 2026-05-01", False),
        ("We last updated this policy on May 1, 2026 and will notify you of material changes.", True),
        (
            "This Privacy Policy applies from 01/02/2026. The previous version, available here, applied before.",
            True,
        ),
    ],
)
def test_a_bare_date_stamp_is_no_provision_on_policy_changes(sentence: str, policy_change: bool) -> None:
    """A date stamp says when, not how users are told of changes; the demo's new dates read "now covers changes to
    the privacy policy" (session 16, decision 0142). A sentence about changes or versions keeps the type."""
    labels = {label.clause_type for label in RULES.classify_provision(sentence)}
    assert ("policy_change" in labels) is policy_change


@pytest.mark.parametrize(
    ("text", "disclosure"),
    [
        (
            "| To provide customer support. | - Account Information - Cookies | - Legitimate interests (to respond to "
            "inquiries and provide customer support, where applicable) - Compliance with a legal obligation (to "
            "respond to requests to exercise data protection rights) |",
            False,
        ),
        ("We may share your information where needed to comply with the law or a valid legal process.", True),
        ("| Disclosure | We disclose personal data to comply with applicable law. |", True),
    ],
)
def test_a_legal_obligation_listed_beside_a_purpose_is_no_disclosure(text: str, disclosure: bool) -> None:
    """Qwen's legal-basis cell lists "to respond to inquiries" and "Compliance with a legal obligation" as two
    items (demo, session 19): the pattern's gaps no longer cross a listed item or a table cell; a disclosure made
    to comply with the law, inside one cell, still reads as one."""
    labels = {label.clause_type for label in RULES.classify_provision(text)}
    assert ("law_enforcement_disclosure" in labels) is disclosure
