"""The institutional analysis: regulatory landscape, governance exposure, jurisdiction flags, contract and vendor
implications, compliance considerations and the interpretive note, each from facts of the provision (decision 0136)."""

from __future__ import annotations

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.classify import Classifier
from clausewatch_analyzer.institutional import (
    governance_exposure,
    interpretive_note,
    jurisdiction_flags,
    regulatory_landscape,
)
from clausewatch_analyzer.regulations import load_catalogue
from clausewatch_analyzer.taxonomy import load_taxonomy

RULES = Classifier(load_taxonomy())
CATALOGUE = load_catalogue()
EVERYWHERE = Context("Acme AI", "Acme AI Privacy Policy", ("EU", "GB", "US", "US-CA"))
TRAINING_BY_EMAIL = (
    "We may use the prompts and images you submit to train our AI models. "
    "If you do not want your content used for this purpose, you may opt out by contacting us at privacy@acme.test."
)


def _sections(text: str, context: Context = EVERYWHERE) -> tuple[dict[str, str], str]:
    result = assess_provision(text, RULES, CATALOGUE, context)
    return {s["id"]: s["text"] for s in result.texts["institutional"]}, result.texts["interpretive_note"]


def test_every_section_is_written_for_a_serious_provision() -> None:
    """An AI-training clause gets all five sections, in the seed pages' order of reading."""
    result = assess_provision(TRAINING_BY_EMAIL, RULES, CATALOGUE, EVERYWHERE)
    assert [s["id"] for s in result.texts["institutional"]] == [
        "regulatory_landscape",
        "governance_exposure",
        "jurisdiction_flags",
        "contract_and_vendor",
        "compliance_considerations",
    ]
    assert result.texts["institutional"][0]["title"] == "Regulatory landscape"


def test_the_landscape_names_laws_articles_their_subjects_and_enforcers() -> None:
    """GDPR Art. 6 is named with what it is about, and the authorities that enforce the laws in scope follow."""
    sections, _ = _sections(TRAINING_BY_EMAIL)
    landscape = sections["regulatory_landscape"]
    assert landscape.startswith("This provision implicates GDPR ")
    assert "Art. 6 (lawful basis for processing)" in landscape
    assert "CCPA/CPRA" in landscape
    assert (
        "Enforcement authorities include EU national data protection authorities (EDPB members)" in landscape
    )


def test_the_landscape_lists_only_a_readable_number_of_laws_in_full() -> None:
    """Past four laws the rest are named without their articles."""
    regulations = [
        {
            "id": f"law{i}",
            "name": f"Law {i}",
            "articles": [{"id": f"Art. {i}", "title": "a subject"}],
            "agencies": [],
        }
        for i in range(6)
    ]
    landscape = regulatory_landscape(regulations)
    assert "Law 3 Art. 3 (a subject)" in landscape
    assert "It also falls within Law 4 and Law 5." in landscape
    assert regulatory_landscape([]) == ""


def test_exposure_says_how_users_can_act_and_what_the_opt_out_leaves() -> None:
    """The severity and its reason, then the facts: an e-mail-only route; a setting; carve-outs; no route at all."""
    sections, _ = _sections(TRAINING_BY_EMAIL)
    exposure = sections["governance_exposure"]
    assert exposure.startswith("High. AI model training on user content and prompts: ")
    assert "The only route is contacting the company" in exposure
    with_exception = TRAINING_BY_EMAIL + " Even if you opt out, we will use content you report to us."
    assert "not a complete restriction" in _sections(with_exception)[0]["governance_exposure"]
    silent, _ = _sections("We may use the prompts and images you submit to train our AI models.")
    assert "The text names no route to opt out or object." in silent["governance_exposure"]


def test_jurisdiction_flags_follow_the_documents_jurisdictions() -> None:
    """An EU-only document is flagged for the European Union only, with the articles that reach users there."""
    sections, _ = _sections(TRAINING_BY_EMAIL, Context("Acme AI", "Acme AI Privacy Policy", ("EU",)))
    flags = sections["jurisdiction_flags"]
    assert "European Union: GDPR (" in flags
    assert "California" not in flags


def test_contract_and_compliance_texts_come_from_the_type_and_the_facts() -> None:
    """The vendor text names the platform; compliance checks add the route found and the lawful basis to verify."""
    sections, _ = _sections(TRAINING_BY_EMAIL)
    assert "whose staff or clients use Acme AI" in sections["contract_and_vendor"]
    compliance = sections["compliance_considerations"]
    assert "whether data already used for training can be erased" in compliance
    assert "Check that the route the text names (privacy@acme.test) works" in compliance
    assert "Verify the lawful basis documented" in compliance


def test_the_interpretive_note_flags_a_data_use_without_a_lawful_basis() -> None:
    """Under the GDPR a data practice that names no lawful basis leaves its lawfulness open; one that does, not."""
    _, note = _sections(TRAINING_BY_EMAIL)
    assert note.startswith(
        "The provision does not state the lawful basis it relies on under the GDPR (Art. 6)"
    )
    _, stated = _sections(
        TRAINING_BY_EMAIL.replace(
            "train our AI models", "train our AI models, based on our legitimate interests"
        )
    )
    assert stated == ""
    gdpr = [{"id": "gdpr"}]
    assert interpretive_note("terms", gdpr, "All disputes go to arbitration.") == ""
    assert interpretive_note("privacy", [{"id": "ccpa_cpra"}], "We sell data.") == ""


def test_a_provision_of_no_type_has_no_institutional_analysis() -> None:
    """Nothing to analyse: no sections and no note (texts stay empty)."""
    result = assess_provision("Welcome to our website.", RULES, CATALOGUE, EVERYWHERE)
    assert result.texts == {}


def test_each_reason_keeps_its_own_clause_type() -> None:
    """A provision rated by two types gives each reason under its own name, not all under the primary type's."""
    exposure = governance_exposure(
        "high",
        [
            "AI model training on user content and prompts: user content may be used",
            "Biometric data: high by default",
        ],
        [],
        [],
    )
    assert exposure.startswith(
        "High. AI model training on user content and prompts: user content may be used; "
    )
    assert "Biometric data: high by default." in exposure


def test_a_law_named_by_its_section_is_not_followed_by_that_section_again() -> None:
    """The demo's pages read "FTC Act Section 5 s.5 (unfair or deceptive …)" and "FTC Act Section 5 (s.5)" (session
    17): the name is the section, so its subject follows the name and no article number repeats it."""
    ftc = {
        "id": "ftc_act_s5", "name": "FTC Act Section 5", "jurisdiction_name": "United States (federal)",
        "articles": [{"id": "s.5", "title": "unfair or deceptive acts or practices"}], "agencies": [],
    }  # fmt: skip
    gdpr = {
        "id": "gdpr",
        "name": "GDPR",
        "articles": [{"id": "Art. 6", "title": "lawful basis"}],
        "agencies": [],
    }
    landscape = regulatory_landscape([gdpr, ftc])
    assert "FTC Act Section 5 (unfair or deceptive acts or practices) (United States (federal))" in landscape
    assert "s.5" not in landscape
    assert "GDPR Art. 6 (lawful basis)" in landscape
    flags = jurisdiction_flags(
        [{"name": "United States (federal)", "regulations": ["FTC Act Section 5", "GDPR"]}], [ftc, gdpr]
    )
    assert (
        flags
        == "Users are protected differently by place. United States (federal): FTC Act Section 5, GDPR (Art. 6)."
    )
