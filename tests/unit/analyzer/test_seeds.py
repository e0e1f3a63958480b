"""The acceptance clauses from the team's seed pages (ConductAtlas records of Leonardo AI and Anthropic), copied here.

Each must come out as AI training on user content, severity high, with GDPR Art. 6 and CCPA/CPRA among the
regulations and the opt-out route of the text found (the privacy@ address; the account settings).
"""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context, assess_provision
from clausewatch_analyzer.engine import Engine, build_engine

LEONARDO = (
    "We may use the content you generate, upload, or submit through our Services, including prompts and generated "
    "images, to train, improve, and develop our AI models and Services. If you do not want your content used for "
    "this purpose, you may opt out by contacting us at privacy@leonardo.ai."
)
ANTHROPIC_PRIVACY = (
    "We may use your Inputs and Outputs to train our models and improve our Services, unless you opt out through "
    "your account settings. Even if you opt-out, we will use Inputs and Outputs for model improvement when: (1) your "
    "conversations are flagged for safety review to improve our ability to detect harmful content, enforce our "
    "policies, or advance AI safety research, or (2) you've explicitly reported the materials to us (for example "
    "via our feedback mechanisms)."
)
ANTHROPIC_TERMS = (
    "We may use Materials to provide, maintain, and improve the Services and to develop other products and "
    "services, including training our models, unless you opt out of training through your account settings. Even "
    "if you opt out, we will use Materials for model training when: (1) you provide Feedback to us regarding any "
    "Materials, or (2) your Materials are flagged for safety review to improve our ability to detect harmful "
    "content, enforce our policies, or advance our safety research."
)
CASES = [
    pytest.param(LEONARDO, "Leonardo AI", "email", "privacy@leonardo.ai", id="leonardo-privacy-policy"),
    pytest.param(
        ANTHROPIC_PRIVACY, "Anthropic", "setting", "your account settings", id="anthropic-privacy-policy"
    ),
    pytest.param(ANTHROPIC_TERMS, "Anthropic", "setting", "your account settings", id="claude-terms"),
]


@pytest.fixture(scope="module", params=["model", "rules-only"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The analyzer's engine with the shipped model (when its artefact is there) and without it."""
    return build_engine(use_model=request.param == "model")


@pytest.mark.parametrize(("text", "platform", "route_kind", "route"), CASES)
def test_seed_clause_is_high_severity_ai_training_with_laws_and_opt_out(
    engine: Engine, text: str, platform: str, route_kind: str, route: str
) -> None:
    """A seed clause is tagged ai_training_on_user_content, high, with GDPR Art. 6, CCPA/CPRA and its opt-out route."""
    result = assess_provision(text, engine.classifier, engine.catalogue, Context(platform, "Privacy Policy"))

    assert result.primary is not None
    assert result.primary.clause_type == "ai_training_on_user_content"
    assert result.severity.severity == "high"
    assert any(
        "train" in label.phrase.lower()
        for label in result.labels
        if label.clause_type == result.primary.clause_type
    )
    gdpr = next(r for r in result.regulation_details if r["id"] == "gdpr")
    assert "Art. 6" in [a["id"] for a in gdpr["articles"]]
    assert "ccpa_cpra" in result.regulations
    assert (route_kind, route) in [(o.kind, o.value) for o in result.opt_outs]
    assert any(route in action["detail"] for action in result.texts["what_you_can_do"])


def test_seed_clause_in_eu_only_document_keeps_gdpr_and_drops_ccpa(engine: Engine) -> None:
    """Jurisdictions narrow the mapping: an EU-only platform gets GDPR but not the Californian law."""
    result = assess_provision(
        LEONARDO, engine.classifier, engine.catalogue, Context("Leonardo AI", jurisdictions=["EU"])
    )

    assert "gdpr" in result.regulations
    assert "ccpa_cpra" not in result.regulations
    assert [f["jurisdiction"] for f in result.jurisdiction_flags] == ["EU"]


@pytest.mark.parametrize(
    ("text", "carve_out"),
    [
        (LEONARDO, None),
        (ANTHROPIC_PRIVACY, "Even if you opt-out, we will use Inputs and Outputs for model improvement when"),
        (ANTHROPIC_TERMS, "Even if you opt out, we will use Materials for model training when"),
    ],
    ids=["leonardo-privacy-policy", "anthropic-privacy-policy", "claude-terms"],
)
def test_seed_clause_says_what_the_opt_out_does_not_stop(
    engine: Engine, text: str, carve_out: str | None
) -> None:
    """The seed page's point about Anthropic: the opt-out has exceptions (flagged and reported content) that it
    does not stop. Both Anthropic clauses quote theirs in "why it matters"; Leonardo's opt-out has none."""
    result = assess_provision(
        text, engine.classifier, engine.catalogue, Context("Anthropic", "Privacy Policy")
    )
    if carve_out is None:
        assert result.carve_outs == []
        return
    assert [c[: len(carve_out)] for c in result.carve_outs] == [carve_out]
    assert carve_out in result.texts["why_it_matters"]


@pytest.mark.parametrize(("text", "platform", "route_kind", "route"), CASES)
def test_seed_clause_has_the_institutional_analysis_of_the_seed_pages(
    engine: Engine, text: str, platform: str, route_kind: str, route: str
) -> None:
    """The seed pages' institutional analysis, from our facts: GDPR Art. 6 in the landscape, a high exposure with the
    route's burden or the opt-out's limits, the lawful basis to verify and the route to check."""
    result = assess_provision(
        text, engine.classifier, engine.catalogue, Context(platform, "Privacy Policy", ("EU", "US", "US-CA"))
    )
    sections = {s["id"]: s["text"] for s in result.texts["institutional"]}
    assert "Art. 6 (lawful basis for processing)" in sections["regulatory_landscape"]
    assert sections["governance_exposure"].startswith("High.")
    if route_kind == "email":
        assert "The only route is contacting the company" in sections["governance_exposure"]
    else:
        assert "not a complete restriction" in sections["governance_exposure"]
    assert f"({route})" in sections["compliance_considerations"]
    assert result.texts["interpretive_note"].startswith("The provision does not state the lawful basis")
