"""Reading back a change's one-line description: what happened, and its severity part."""

from __future__ import annotations

from clausewatch_shared.descriptions import (
    split_severity,
    split_summary_head,
    summary_head,
    without_type_list,
)


def test_the_severity_part_is_split_off_whatever_its_wording() -> None:
    """Every wording assess_change ends a description with, including two parts in a row."""
    cases = {
        "reworded; severity unchanged (medium)": ("reworded", "severity unchanged (medium)"),
        "removed; user protection removed; severity medium for the lost protection (the provision itself: low)": (
            "removed; user protection removed",
            "severity medium for the lost protection (the provision itself: low)",
        ),
        "reworded; safeguard dropped (end-to-end encryption); severity unchanged (low); change rated medium for the "
        "lost protection": (
            "reworded; safeguard dropped (end-to-end encryption)",
            "severity unchanged (low); change rated medium for the lost protection",
        ),
        "expanded; severity escalated from low to high": ("expanded", "severity escalated from low to high"),
        "moved to another place in the document": ("moved to another place in the document", ""),
    }
    for description, parts in cases.items():
        assert split_severity(description) == parts, description


def test_an_added_or_removed_provisions_types_are_dropped_and_nothing_else() -> None:
    """The types' own parentheses ("(children, region-specific rights)") go with them."""
    assert (
        without_type_list(
            "removed (specific audiences (children, region-specific rights)); user protection removed"
        )
        == "removed; user protection removed"
    )
    assert without_type_list("reworded (see above); severity low") == "reworded (see above); severity low"


def test_a_summarys_opening_sentence_is_read_back_as_written() -> None:
    """The analyzer writes it, the notifier's subject replaces it with its own count."""
    summary = (
        f"{summary_head(16, 'medium')} Removed; promise removed — Sale of personal data; severity medium."
    )
    assert split_summary_head(summary) == (
        16,
        "Removed; promise removed — Sale of personal data; severity medium.",
    )
    assert summary_head(1, "low") == "1 change assessed; highest severity low."
    assert split_summary_head("AI training on your prompts, with an e-mail-only opt-out") is None
