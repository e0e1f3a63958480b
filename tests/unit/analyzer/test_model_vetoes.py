"""A clause type's exclude patterns bind the trained model as they bind the rules (decision 0130)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausewatch_analyzer.engine import build_engine
from clausewatch_analyzer.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[3]
CLAUDETTE = ROOT / "services" / "analyzer" / "training" / "data" / "claudette-en"
ENGINE = build_engine()
TAXONOMY = load_taxonomy()


@pytest.mark.parametrize(
    ("sentence", "vetoed"),
    [
        # Headings of a privacy policy's controller section, read by the model as arbitration (demo, Grok).
        ("If you live in the European Economic Area, the United Kingdom or Switzerland:", "arbitration"),
        (
            "If you live outside the European Economic Area, the United Kingdom, Switzerland and Japan:",
            "arbitration",
        ),
        # Qwen Chat's transfer notice, read by the model as a choice of law.
        (
            "These countries may have data protection laws that are different from the laws of your jurisdiction "
            "(and, in some cases, may not be as protective).",
            "choice_of_law",
        ),
        # eharmony's erasure on request, read as the provider removing content (demo, session 14).
        (
            "If you ask us to do so, we will delete your data, provided there is no legal obligation to retain "
            "this data.",
            "content_removal",
        ),
        (
            "Please note that if the deletion of your data is prevented due to a mandatory retention period, your "
            "data will be blocked and stored for no other purposes, until we can delete it.",
            "content_removal",
        ),
        # Zoom's privacy policy (decision 0204): a party that stays liable limits nothing
        (
            "If third-party agents process personal data on our behalf in a manner inconsistent with the DPF "
            "Principles, we remain liable unless we prove we are not responsible for the event giving rise to any "
            "damage.",
            "limitation_of_liability",
        ),
    ],
)
def test_the_model_does_not_label_a_sentence_its_types_exclude(sentence: str, vetoed: str) -> None:
    """The shipped model's label is dropped where the type's exclude matches; the rules' labels stay."""
    assert any(ex.search(sentence) for ex in TAXONOMY[vetoed].excludes)
    labels = {label.clause_type for label in ENGINE.classifier.classify_provision(sentence)}
    assert vetoed not in labels
    assert labels, "the sentence keeps what the rules find in it"


def test_a_real_arbitration_clause_is_still_found_by_the_model() -> None:
    """Binding arbitration is labelled, by model and rules together."""
    labels = ENGINE.classifier.classify_provision(
        "Any dispute shall be resolved by binding arbitration in Texas."
    )
    assert [(label.clause_type, label.source) for label in labels if label.clause_type == "arbitration"] == [
        ("arbitration", "model+rules")
    ]


@pytest.mark.parametrize(
    "type_id", [t.id for t in TAXONOMY.types.values() if t.claudette_code and t.excludes]
)
def test_no_claudette_sentence_of_the_type_is_excluded(type_id: str) -> None:
    """A model type's exclude never vetoes a sentence the CLAUDETTE experts tagged with that type, so it cannot
    lower the cross-validated recall; it only removes labels from other sentences."""
    code = TAXONOMY[type_id].claudette_code
    tagged = 0
    for path in sorted((CLAUDETTE / "sentences").glob("*.txt")):
        tags = (CLAUDETTE / "tags" / path.name).read_text("utf-8").splitlines()
        for sentence, line in zip(path.read_text("utf-8").splitlines(), tags, strict=False):
            if code in {re.sub(r"\d$", "", tag) for tag in line.split()}:
                tagged += 1
                assert not any(ex.search(sentence) for ex in TAXONOMY[type_id].excludes), sentence
    assert tagged > 0


_PINTEREST_CLOSING = (
    "Close your account at any time. When you close your account, we’ll deactivate it, remove your Pins and boards "
    "from Pinterest and delete your account data."
)


@pytest.mark.parametrize(
    ("sentence", "vetoed"),
    [
        # Spotify's terms (CLAUDETTE-en, untagged), read as unilateral termination, high
        ("You may terminate the Agreements at any time.", "unilateral_termination"),
        # Grammarly's Italian heirs' right, read as unilateral change, medium
        ("You may change or revoke these instructions at any time.", "unilateral_change"),
        # Pinterest's privacy policy, read as termination, high, and as content removal
        (_PINTEREST_CLOSING, "unilateral_termination"),
        (_PINTEREST_CLOSING, "content_removal"),
        # Tumblr's and Pinterest's rights to deletion and a heading of the choices, read as content removal
        (
            "**Delete:** In some US states you also have the right to delete certain information we have about you.",
            "content_removal",
        ),
        (
            "Right to Delete. You may submit a verifiable request to close your account and we will delete Personal "
            "Information about you that we have collected.",
            "content_removal",
        ),
        ("**Disable or delete your account**", "content_removal"),
    ],
)
def test_what_the_reader_may_change_or_end_is_not_the_providers_power(sentence: str, vetoed: str) -> None:
    """The reader's own act (changing or ending something, closing their account, deleting their data) makes no
    unilateral change, termination or content-removal label (decision 0200)."""
    assert vetoed not in {label.clause_type for label in ENGINE.classifier.classify_provision(sentence)}


@pytest.mark.parametrize(
    ("sentence", "power"),
    [
        (
            "You may terminate the Agreements at any time, but we may also suspend your account at any time without "
            "notice.",
            "unilateral_termination",
        ),
        (
            "You can close your account at any time, but we may also close your account at any time without notice.",
            "unilateral_termination",
        ),
        (
            "You also have the right to delete certain information, but we may remove your content at any time for "
            "any reason.",
            "content_removal",
        ),
    ],
)
def test_the_providers_power_beside_the_readers_act_is_still_found(sentence: str, power: str) -> None:
    """Where the provider's own power follows the reader's act in the sentence, the provider's power is labelled."""
    assert power in {label.clause_type for label in ENGINE.classifier.classify_provision(sentence)}
