"""A version that newly announces a coming one says so on its change set (decision 0157), and a page that shows it
above the version in force is compared by the announced part (decision 0160)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from clausewatch_differ.announced import announced_end
from clausewatch_differ.blocks import parse_blocks
from clausewatch_differ.compare import compare_texts
from clausewatch_differ.files import compare_history
from clausewatch_differ.plan import Previous, VersionPlan, plan_version

CURRENT = (
    "# X Privacy Policy\n\n**Effective: November 15, 2024**\n\nWe collect the information you give us.\n"
)
# X's page during a notice period: the coming text first, then "Effective until" above the one in force.
IN_FORCE = "# X Privacy Policy\n\n**Effective: July 28, 2025**\n\nWe collect the information you give us and your prompts.\n"
NOTICE = (
    "# X Privacy Policy\n\n**This version of the Privacy Policy will go into effect on July 28, 2025. Until then, the "
    "current Privacy Policy continues to apply.**\n\nWe collect the information you give us and your prompts.\n\n"
    "# X Privacy Policy\n\n### Effective until July 28, 2025\n\nWe collect the information you give us.\n"
)


def _changed(old: str, new: str, today: date | None) -> object:
    first = plan_version(document_id="x/privacy-policy", snapshot_id="s1", text=old, previous=None)
    assert first is not None
    second = plan_version(
        document_id="x/privacy-policy",
        snapshot_id="s2",
        text=new,
        previous=Previous(first.version, first.keys()),
        today=today,
    )
    assert second is not None
    assert second.change_set is not None
    return second.change_set


def test_a_newly_announced_version_is_noted_with_its_date() -> None:
    """X's page on 2025-06-28 announced its policy of July 28: the change set carries the date and says it first."""
    change_set = _changed(CURRENT, NOTICE, date(2025, 6, 28))
    assert change_set.announces_effective_date == date(2025, 7, 28)  # type: ignore[attr-defined]
    assert change_set.summary.startswith(  # type: ignore[attr-defined]
        "Announces a new version effective 28 Jul 2025 (its changes from the version in force, shown below it). "
    )


def test_an_announcement_already_made_or_past_is_not_news() -> None:
    """The same notice captured again with an edit, a date already past, and no capture day: nothing is noted."""
    edited = NOTICE.replace("your prompts", "your prompts and images")
    assert _changed(NOTICE, edited, date(2025, 7, 1)).announces_effective_date is None  # type: ignore[attr-defined]
    assert _changed(CURRENT, NOTICE, date(2025, 8, 1)).announces_effective_date is None  # type: ignore[attr-defined]
    assert _changed(CURRENT, NOTICE, None).announces_effective_date is None  # type: ignore[attr-defined]


def test_the_first_version_in_force_under_an_announced_one_says_so() -> None:
    """X's page the day after July 28, 2025 drops the replaced text (v011): the change set says the announced version
    is in force, so its removals read as the old text going, not as terms withdrawn."""
    change_set = _changed(NOTICE, IN_FORCE, date(2025, 7, 29))
    assert change_set.takes_effect_date == date(2025, 7, 28)  # type: ignore[attr-defined]
    assert change_set.announces_effective_date is None  # type: ignore[attr-defined]
    assert change_set.summary.startswith("The version announced for 28 Jul 2025 is now in force. ")  # type: ignore[attr-defined]
    # Before its date, a page that drops the notice announces nothing in force; a notice left up past its date is not
    # yet the page of the version in force, and would otherwise mark every later change.
    assert _changed(NOTICE, IN_FORCE, date(2025, 7, 1)).takes_effect_date is None  # type: ignore[attr-defined]
    lingering = NOTICE.replace("your prompts", "your prompts and images")
    assert _changed(NOTICE, lingering, date(2025, 7, 29)).takes_effect_date is None  # type: ignore[attr-defined]


def _plans(*texts: str, today: date) -> list[VersionPlan]:
    """Record each text in turn as a version of one document, each compared with the one before."""
    plans: list[VersionPlan] = []
    for n, text in enumerate(texts):
        previous = Previous(plans[-1].version, plans[-1].keys()) if plans else None
        plan = plan_version(
            document_id="x/privacy-policy", snapshot_id=f"s{n}", text=text, previous=previous, today=today
        )
        assert plan is not None
        plans.append(plan)
    return plans


def test_the_announced_part_ends_where_the_version_in_force_starts_under_its_title() -> None:
    """X's page: the coming policy, then its title again and "Effective until July 28, 2025" above the policy in
    force. The announced part is the blocks before that title; a page with one version is all announced part."""
    blocks = parse_blocks(NOTICE)
    end = announced_end(blocks)
    assert [b.plain for b in blocks[end:]][:2] == ["X Privacy Policy", "Effective until July 28, 2025"]
    assert blocks[end - 1].plain == "We collect the information you give us and your prompts."
    assert announced_end(parse_blocks(CURRENT)) == len(parse_blocks(CURRENT))


def test_an_effective_until_label_without_the_same_announced_date_does_not_split_the_page() -> None:
    """The label must close a notice of the same date; prose that mentions such a date is no label."""
    other_date = NOTICE.replace("### Effective until July 28, 2025", "### Effective until August 1, 2025")
    in_prose = NOTICE.replace(
        "### Effective until July 28, 2025",
        "Our old terms stay effective until July 28, 2025 for existing users.",
    )
    for text in (other_date, in_prose):
        blocks = parse_blocks(text)
        assert announced_end(blocks) == len(blocks)


def test_an_announcement_reports_what_the_coming_version_changes_not_the_copy_of_the_current_one() -> None:
    """Compared whole, X's notice page added the policy in force a second time (175 additions in the bundled history);
    compared by its announced part, the change set holds what the coming policy changes, and the announced provision
    keeps the key of the provision it will replace."""
    current, notice = _plans(CURRENT, NOTICE, today=date(2025, 6, 28))
    assert notice.change_set is not None
    changes = {
        (c["kind"], c["old_text"], c["new_text"])
        for c in notice.changes
        if c["significance"] == "substantive"
    }
    assert (
        "modified",
        "We collect the information you give us.",
        "We collect the information you give us and your prompts.",
    ) in changes
    assert not any(new and "Effective until" in new for _, _, new in changes)
    assert (
        len(notice.changes) <= 3
    )  # the prompts, the notice and the dropped date line: not the copy's provisions
    collect = next(p for p in current.provisions if p["text"] == "We collect the information you give us.")
    announced = next(p for p in notice.provisions if "your prompts" in p["text"])
    assert announced["key"] == collect["key"]
    # The copy of the version in force is still part of the version's provisions: the page shows it.
    assert any("Effective until" in p["text"] for p in notice.provisions)


def test_the_version_in_force_is_compared_with_the_text_announced() -> None:
    """The day after July 28, X's page drops the copy: compared with the announced part, what changed is the notice
    giving way to the policy's own date, not the replaced policy removed."""
    *_, in_force = _plans(CURRENT, NOTICE, IN_FORCE, today=date(2025, 7, 29))
    assert in_force.change_set is not None
    assert in_force.change_set.takes_effect_date == date(2025, 7, 28)
    assert {c["kind"] for c in in_force.changes} <= {"added", "removed", "modified"}
    assert not any(c["old_text"] and "Effective until" in c["old_text"] for c in in_force.changes)
    assert all("your prompts" not in (c["old_text"] or "") for c in in_force.changes)


def test_a_page_whose_copy_of_the_version_in_force_alone_changed_is_compared_whole() -> None:
    """Nothing changed in the announced part, but the page did: that change is reported, not lost."""
    edited_copy = NOTICE.replace(
        "### Effective until July 28, 2025\n\nWe collect the information you give us.",
        "### Effective until July 28, 2025\n\nWe collect the information you give us and your contacts.",
    )
    comparison = compare_texts(NOTICE, edited_copy)
    assert [(c.kind, c.new_text) for c in comparison.changes] == [
        ("modified", "We collect the information you give us and your contacts.")
    ]


def test_x_s_bundled_notice_periods_report_what_each_coming_policy_changes() -> None:
    """X's history (tests/data/ota, Open Terms Archive, ODC-BY): the July 2025 notice (v010) reports the retention
    period going from 90 days to 12 months among five changes, not the 175 additions of the whole page; the day it
    took effect (v011) reports the notice giving way, in two changes."""
    history = compare_history(Path(__file__).resolve().parents[2] / "data" / "ota" / "X__Privacy_Policy")
    results = {(r["old"], r["new"]): r for r in history}
    notice = results[("v009.md", "v010.md")]
    substantive = [c for c in notice["changes"] if c["significance"] == "substantive"]
    assert len(substantive) <= 6
    assert any('"90 days" → "12 months"' in c["summary"] for c in substantive)
    assert "90 days" in notice["summary"]  # it leads the summary, not the notice paragraph
    assert notice["counts"]["added"] <= 3
    in_force = results[("v010.md", "v011.md")]
    assert sum(in_force["counts"].values()) <= 2
