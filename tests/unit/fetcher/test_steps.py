"""Page steps as catalogue data (decision 0173): what validates, what is refused with the file and field, and what
the document's spec and capture target carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausewatch_fetcher.capture import Target
from clausewatch_fetcher.catalogue import CatalogueError, load_catalogue
from clausewatch_fetcher.steps import Step, parse_steps, parse_wait

DOCUMENT = """id: acme
name: Acme
documents:
  - type: Privacy Policy
    urls: [https://acme.example/privacy]
"""


def _catalogue(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(DOCUMENT + extra)
    return path


def test_declared_steps_reach_the_spec_and_the_capture_target(tmp_path: Path) -> None:
    """Steps are read in order with their options, stored in the spec, and rebuilt from it for the capture."""
    path = _catalogue(
        tmp_path,
        "    steps:\n"
        "      - click: '#accept-cookies'\n"
        "        optional: true\n"
        "      - click_all: 'button.toggle'\n"
        "      - wait_for: '#section-12'\n"
        "      - scroll: bottom\n"
        "      - wait: 500ms\n",
    )
    doc = load_catalogue(path).document("acme/privacy-policy")
    spec = doc.decl.spec()
    assert spec["steps"] == [
        {"click": "#accept-cookies", "optional": True},
        {"click_all": "button.toggle"},
        {"wait_for": "#section-12"},
        {"scroll": "bottom"},
        {"wait": 0.5},
    ]
    target = Target.from_spec(doc.id, "acme", list(doc.decl.urls), spec, "en")
    assert [step.describe() for step in target.steps] == [
        "click '#accept-cookies'",
        "click all 'button.toggle'",
        "wait for '#section-12'",
        "scroll to the bottom",
        "wait 0.5s",
    ]
    assert target.steps[0].optional
    assert not target.steps[1].optional
    # Steps are done in the browser: HTTP is not tried for this document, though its javascript is "auto".
    assert target.javascript == "auto"
    assert target.browser_only


def test_a_document_without_steps_keeps_the_spec_it_had(tmp_path: Path) -> None:
    """No `steps` key is added to documents that declare none, so their stored rows do not change on upgrade."""
    doc = load_catalogue(_catalogue(tmp_path, "")).document("acme/privacy-policy")
    assert "steps" not in doc.decl.spec()
    target = Target.from_spec(doc.id, "acme", list(doc.decl.urls), doc.decl.spec(), "en")
    assert target.steps == ()
    assert not target.browser_only


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            "      - click: '#a'\n        scroll: bottom\n",
            "exactly one of click, click_all, wait_for, scroll, wait, select, fill; got click, scroll",
        ),
        ("      - select: '#region'\n", "'option' goes with 'select'"),
        ("      - click: '#a'\n        option: UK\n", "'option' goes with 'select'"),
        ("      - fill: '#year'\n", "'text' goes with 'fill'"),
        ("      - select: '#region'\n        text: UK\n", "'option' goes with 'select'"),
        ("      - optional: true\n", "got none"),
        ("      - tap: '#a'\n", "steps[0].tap: Extra inputs are not permitted"),
        ("      - click: '  '\n", "click: empty selector"),
        ("      - scroll: top\n", "steps[0].scroll: Input should be 'bottom'"),
        ("      - wait: 30s\n", "at most 10 seconds"),
        ("      - wait: soon\n", "not a wait: 'soon'"),
    ],
)
def test_malformed_steps_are_refused_naming_the_file_and_the_field(
    tmp_path: Path, steps: str, message: str
) -> None:
    """Each mistake is reported with where it is, before any capture runs."""
    path = _catalogue(tmp_path, "    steps:\n" + steps)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    text = str(caught.value)
    assert "acme.yaml: platforms[0].documents[0].steps" in text or "acme.yaml: documents[0].steps" in text, (
        text
    )
    assert message in text, text


def test_choosing_and_typing_steps_read_with_their_operands() -> None:
    """A select step names its option and a fill step its field (not what it types), in messages and evidence."""
    choose = Step.model_validate({"select": "#region", "option": "United Kingdom"})
    typed = Step.model_validate({"fill": "#birth-year", "text": "1990", "optional": True})
    assert (choose.action, choose.describe()) == ("select", "select 'United Kingdom' in '#region'")
    assert (typed.action, typed.describe()) == ("fill", "fill '#birth-year'")
    assert parse_steps(
        [choose.model_dump(exclude_defaults=True), typed.model_dump(exclude_defaults=True)]
    ) == [
        choose,
        typed,
    ]


@pytest.mark.parametrize("setting", ["    javascript: false\n", "    pdf: true\n"])
def test_steps_need_the_browser(tmp_path: Path, setting: str) -> None:
    """A document read without the browser cannot declare steps: they would silently never run."""
    path = _catalogue(tmp_path, setting + "    steps:\n      - click: '#more'\n")
    with pytest.raises(CatalogueError, match="steps are done in the browser"):
        load_catalogue(path)


def test_too_many_steps_are_refused(tmp_path: Path) -> None:
    """Twenty steps at most: a longer script is a page the catalogue should point at differently."""
    path = _catalogue(tmp_path, "    steps:\n" + "      - wait: 1\n" * 21)
    with pytest.raises(CatalogueError, match="at most 20 items"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(2, 2.0), (0.25, 0.25), ("500ms", 0.5), ("2s", 2.0), (" 1.5 S ", 1.5), ("10", 10.0)],
)
def test_waits_read_as_seconds(value: object, seconds: float) -> None:
    """A wait is seconds, given as a number or with 'ms' or 's'."""
    assert parse_wait(value) == seconds


@pytest.mark.parametrize("value", [0, -1, "0ms", "11s", True, None, [1]])
def test_waits_out_of_bounds_are_refused(value: object) -> None:
    """No pause of nothing, none over ten seconds, nothing that is not a duration."""
    with pytest.raises(ValueError, match="wait"):
        parse_wait(value)


def test_stored_steps_are_validated_again_when_read() -> None:
    """A spec edited by hand in the database cannot smuggle in a step the catalogue would refuse."""
    assert parse_steps(None) == []
    assert parse_steps([{"wait_for": "main"}]) == [Step(wait_for="main")]
    with pytest.raises(ValueError, match="exactly one"):
        parse_steps([{"wait_for": "main", "click": "a"}])
    with pytest.raises(ValueError, match="steps must be a list"):
        parse_steps("click")
