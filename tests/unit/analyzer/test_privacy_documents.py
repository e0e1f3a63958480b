"""A privacy document is read as one (decision 0203): the clause model's terms types need a rule's agreement there,
and the provider changing its privacy policy is the privacy category `policy_change`, rated by the notice it gives."""

from __future__ import annotations

import pytest

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.engine import build_engine

ENGINE = build_engine()
PRIVACY = Context(doc_type="Privacy Policy")


def _labels(text: str, context: Context) -> dict[str, str]:
    [result] = ENGINE.assess([text], context)
    return {label.clause_type: label.source for label in result.labels}


def _severity(text: str, context: Context) -> str:
    [result] = ENGINE.assess([text], context)
    return result.severity.severity


@pytest.mark.parametrize(
    ("text", "clause_type"),
    [
        # Paragraphs of the bundled privacy policies that the clause model alone read as terms clauses, at medium.
        ("Regularly change your password.", "unilateral_change"),
        (
            "Maintain and enhance the safety, security, and stability of the Service by identifying and addressing "
            "technical or security issues or problems (such as technical bugs, spam accounts, and detecting abuse, "
            "fraud, and illegal activities).",
            "unilateral_termination",
        ),
        (
            "Public posts may be retained by Discord for use as described elsewhere in this policy. Also, in limited "
            "circumstances, we may have a legal obligation to retain certain information, even if you delete the "
            "information or your account.",
            "content_removal",
        ),
    ],
)
def test_a_terms_type_only_the_model_finds_is_dropped_in_a_privacy_document(
    text: str, clause_type: str
) -> None:
    """The model's lone label stands where the document's type is unknown (the CLI, CLAUDETTE's lines) and goes
    in a privacy policy, with the medium it brought."""
    assert _labels(text, Context()).get(clause_type) == "model"
    assert clause_type not in _labels(text, PRIVACY)
    assert _severity(text, PRIVACY) in {"low", "none"}


@pytest.mark.parametrize(
    "text",
    [
        "If you post anything that is inconsistent with our Terms and Conditions of Use, we reserve the right to "
        "terminate or restrict access to your Account.",
        # the rules read these two since decision 0203, where the model alone found them before
        "We retain personal information for as long as it is needed for the purposes for which we collected it. If "
        "your account is inactive for more than two years, we may delete it, and we may delete or anonymize any "
        "personal information associated with your account.",
        "We may also share user information with other Match Group companies to remove users who violate our terms "
        "of service, or have been reported for criminal activity and/or bad behavior. In some instances, we may "
        "remove that user from all platforms.",
    ],
)
def test_a_termination_power_a_rule_confirms_stands_in_a_privacy_document(text: str) -> None:
    """Where a rule of the type agrees with the model, a privacy policy's termination power is still read."""
    assert _labels(text, PRIVACY).get("unilateral_termination") == "model+rules"
    assert _severity(text, PRIVACY) in {"medium", "high"}


def test_continued_use_making_a_changed_policy_apply_is_contract_by_using() -> None:
    """Pinterest's "If you continue to use Pinterest after those changes are in effect, the new policy applies to
    you" is acceptance by use, which a rule now confirms in a privacy policy."""
    text = (
        "We may change this policy from time to time and if we do, we’ll post any changes on this page. If you "
        "continue to use Pinterest after those changes are in effect, the new policy applies to you."
    )
    labels = _labels(text, PRIVACY)
    assert labels.get("contract_by_using") == "model+rules"
    assert "policy_change" in labels


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        (
            "We may change this Privacy Policy from time to time. But when we do, we’ll let you know one way or "
            "another.",
            "low",
        ),
        (
            "We reserve the right to update or modify this Privacy Policy at any time and from time to time without "
            "prior notice.",
            "medium",
        ),
        (
            "Anysphere may change its privacy policy from time to time, and in Anysphere's sole discretion.",
            "medium",
        ),
        (
            "To the maximum extent permissible under applicable law, you agree to be bound by the prevailing terms of "
            "the Privacy Policy as modified from time to time.",
            "medium",
        ),
    ],
)
def test_a_privacy_policy_changing_itself_is_rated_by_the_notice_it_gives(text: str, severity: str) -> None:
    """In a privacy policy, a change of the policy is `policy_change` and not also a terms-of-service change at
    medium: with notice it is low; without notice, at the provider's sole discretion or binding by itself, medium."""
    labels = _labels(text, PRIVACY)
    assert "policy_change" in labels
    assert "unilateral_change" not in labels
    assert _severity(text, PRIVACY) == severity


def test_terms_of_service_keep_the_model_and_its_change_type() -> None:
    """Outside privacy documents nothing changes: a change of the terms read by the model stays unilateral change,
    and a terms document's lone model label stands (a CLAUDETTE-en sentence its experts tagged `cr`, in words no
    rule of the type reads)."""
    terms = Context(doc_type="Terms of Service")
    assert "unilateral_change" in _labels("We may change these Terms from time to time.", terms)
    removal = "EA may, in its sole discretion, remove, edit or disable UGC for any reason."
    assert _labels(removal, terms).get("content_removal") == "model"
