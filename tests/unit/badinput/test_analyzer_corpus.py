"""Bad input corpus, analyzer side: provisions that are empty, huge, in other scripts or full of control and
zero-width characters are assessed without error, and noise alone never raises a severity."""

from __future__ import annotations

from functools import cache

import pytest

from clausewatch_analyzer.assess import Context, ProvisionResult, assess_provision
from clausewatch_analyzer.engine import Engine, build_engine
from clausewatch_analyzer.segment import split_provisions

CASES = {
    "empty": "",
    "whitespace": " \n\t \u00a0 ",
    "punctuation-only": "... ;;; --- !!! ???",
    "huge-provision": "We may share your personal data with our partners for advertising purposes. " * 3000,
    "cyrillic": "Мы можем передавать ваши персональные данные нашим партнёрам для рекламы.",
    "cjk": "我们可能会与合作伙伴共享您的个人数据，用于广告目的。",
    "arabic-rtl": "قد نشارك بياناتك الشخصية مع شركائنا لأغراض إعلانية.",
    "control-characters": "We may\x07 share\x1b[31m your data\x00 with partners.\x7f",
    "zero-width": "We\u200b may\u200c share\u200d your\ufeff data with partners.",
    "emoji": "We 💙 your data 🔒 and may share it with partners 🤝 for ads 📈.",
    "html-leftovers": "<div class='x'>We may &amp; will share &lt;your&gt; data</div><script>alert(1)</script>",
    "one-enormous-word": "x" * 200_000,
}


@cache
def engine() -> Engine:
    """The analyzer's rules-only engine (the model is covered by the analyzer's own tests)."""
    return build_engine(use_model=False)


def _assess(text: str) -> ProvisionResult:
    e = engine()
    return assess_provision(text, e.classifier, e.catalogue, Context())


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_provision_is_assessed_without_error(name: str) -> None:
    """Empty, huge, non-Latin, control-character and markup-laden provisions get an assessment, not an exception."""
    result = _assess(CASES[name])
    assert result.severity.severity in {"none", "low", "medium", "high"}


@pytest.mark.parametrize("name", ["zero-width", "control-characters", "emoji"])
def test_invisible_noise_does_not_raise_severity(name: str) -> None:
    """Zero-width, control and emoji noise around a clause never makes it more severe than the clean clause."""
    rank = {"none": 0, "low": 1, "medium": 2, "high": 3}
    clean = _assess("We may share your data with partners.")
    noisy = _assess(CASES[name])
    assert rank[noisy.severity.severity] <= rank[clean.severity.severity]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_document_splits_into_well_formed_provisions(name: str) -> None:
    """Splitting hostile text into provisions gives non-empty, numbered segments."""
    segments = split_provisions(CASES[name])
    assert all(s.text.strip() for s in segments)
    assert [s.ordinal for s in segments] == list(range(len(segments)))
