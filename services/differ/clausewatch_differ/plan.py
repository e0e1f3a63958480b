"""From a new text and the previous version to the rows to write: Version, Provisions, ChangeSet, Changes.

Pure: it builds table rows in memory and writes nothing. Every id is derived from its inputs, so planning the
same snapshot twice gives the same rows and a rerun after a crash cannot create anything twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clausewatch_differ.blocks import Block, parse_blocks
from clausewatch_differ.compare import Comparison, compare_blocks, compare_versions
from clausewatch_differ.extract import extractor_version
from clausewatch_differ.normalize import canonical_dates, fingerprint_text
from clausewatch_shared.ids import derived_id, sha256_hex
from clausewatch_shared.models.versions import ChangeSet, Version
from clausewatch_shared.stated_dates import announced_dates, first_after

_DATE_LINE = re.compile(
    r"(last\s+(?:updated|modified|revised|changed)|effective(?:\s+date|\s+as\s+of|\s+from|\s+on)?|updated(?:\s+on)?"
    r"|revised|date\s+of\s+last\s+revision)",
    re.IGNORECASE,
)
_CANON = re.compile(r"cwdate (\d{4}|y) (\d\d) (\d\d)")


@dataclass
class Previous:
    """The document's latest version and its provisions' keys in order."""

    version: Version
    keys: list[str]


# A Provision or Change row as its column values: every column of the table, as the model would hold them. A version
# has dozens of them, and building a table model per row (to read its columns back for the INSERT) cost more CPU
# than writing it (decision 0090).
Row = dict[str, Any]


@dataclass
class VersionPlan:
    """Rows to write for one new version (and its change set if there was a previous version)."""

    version: Version
    provisions: list[Row]
    change_set: ChangeSet | None = None
    changes: list[Row] = field(default_factory=list)
    comparison: Comparison | None = None

    def keys(self) -> list[str]:
        """Return the new version's provision keys in order."""
        return [p["key"] for p in self.provisions]


def fingerprint(text: str) -> str:
    """Return the SHA-256 that decides whether a text is a new version (image URLs and date formats ignored)."""
    return sha256_hex(fingerprint_text(text).encode())


def document_date(blocks: list[Block]) -> str | None:
    """Return the document's own "last updated"/"effective" date as ISO 8601, if it states one near the top."""
    for block in blocks[:40]:
        if len(block.text) > 400 or not _DATE_LINE.search(block.text):
            continue
        found = _CANON.search(canonical_dates(block.text))
        if found and found.group(1) != "y":
            return f"{found.group(1)}-{found.group(2)}-{found.group(3)}"
    return None


def assign_keys(
    document_id: str, blocks: list[Block], inherited: dict[int, int], old_keys: list[str]
) -> list[str]:
    """Return a stable key per block: a matched provision keeps its old key, a new one gets a derived key."""
    keys: list[str] = []
    used: set[str] = set()
    for j, block in enumerate(blocks):
        i = inherited.get(j)
        key = old_keys[i] if i is not None and i < len(old_keys) else None
        if key is None or key in used:
            base = ("/".join(block.heading_path), block.kind, block.sig)
            n = 0
            key = derived_id("provision-key", document_id, *base, n)
            while key in used:
                n += 1
                key = derived_id("provision-key", document_id, *base, n)
        used.add(key)
        keys.append(key)
    return keys


def plan_version(
    *,
    document_id: str,
    snapshot_id: str,
    text: str,
    previous: Previous | None,
    extractor: str | None = None,
    rebase: bool = False,
    today: date | None = None,
) -> VersionPlan | None:
    """Return the rows of a new version, or None if the text is the previous version's once noise is ignored.

    `today` (the capture's day) lets the change set note a new version the text newly announces for a later date.

    `rebase=True` re-records a snapshot that `previous` already covers, under a newer extractor: the version is
    written even if its text did not change, its provisions inherit keys from `previous`, and no change set is
    planned, since any difference comes from the extractor, not from the document.
    """
    if not rebase and previous is not None and fingerprint(previous.version.text) == fingerprint(text):
        return None
    extractor = extractor or extractor_version()
    version_id = derived_id("version", snapshot_id, extractor)
    old_blocks = parse_blocks(previous.version.text) if previous is not None else []
    blocks = parse_blocks(text, like=old_blocks)
    comparison = None
    inherited: dict[int, int] = {}
    if previous is not None:
        # A rebase re-reads the same page: its provisions inherit keys across the whole of it.
        comparison = compare_blocks(old_blocks, blocks) if rebase else compare_versions(old_blocks, blocks)
        inherited = comparison.inherited
    keys = assign_keys(document_id, blocks, inherited, previous.keys if previous else [])
    version = Version(
        id=version_id,
        document_id=document_id,
        snapshot_id=snapshot_id,
        previous_version_id=previous.version.id if previous else None,
        text=text,
        text_sha256=sha256_hex(text.encode()),
        extractor_version=extractor,
        provision_count=len(blocks),
        document_date=document_date(blocks),
    )
    provisions = [
        {
            "id": derived_id("provision", version_id, n),
            "version_id": version_id,
            "document_id": document_id,
            "key": keys[n],
            "ordinal": n,
            "kind": block.kind,
            "heading_path": list(block.heading_path),
            "text": block.text,
            "text_sha256": sha256_hex(block.text.encode()),
            "parent_key": keys[block.parent] if block.parent is not None else None,
        }
        for n, block in enumerate(blocks)
    ]
    plan = VersionPlan(version, provisions, comparison=comparison)
    if previous is None or comparison is None or rebase:
        return plan
    old_ids = [derived_id("provision", previous.version.id, n) for n in range(len(comparison.old))]
    change_set_id = derived_id("change-set", version_id)
    plan.change_set = ChangeSet(
        id=change_set_id,
        document_id=document_id,
        version_id=version_id,
        previous_version_id=previous.version.id,
        substantive=comparison.substantive,
        counts=comparison.counts(),
        summary=comparison.summary(),
    )
    if today is not None:
        beside = len(comparison.new) < len(blocks)  # the page still shows the version in force below (0160)
        _note_announcements(plan.change_set, text, previous.version.text, today, beside_in_force=beside)
    for n, record in enumerate(comparison.changes):
        new_first = record.new_blocks[0] if record.new_blocks else None
        old_first = record.old_blocks[0] if record.old_blocks else None
        key = keys[new_first] if new_first is not None else None
        if key is None and old_first is not None and old_first < len(previous.keys):
            key = previous.keys[old_first]
        plan.changes.append(
            {
                "id": derived_id("change", change_set_id, n),
                "change_set_id": change_set_id,
                "document_id": document_id,
                "ordinal": n,
                "kind": record.kind,
                "significance": record.significance,
                "provision_key": key,
                "old_provision_id": old_ids[old_first] if old_first is not None else None,
                "new_provision_id": provisions[new_first]["id"] if new_first is not None else None,
                "heading_path": record.heading_path,
                "old_text": record.old_text,
                "new_text": record.new_text,
                "hints": record.hints,
                "summary": record.summary,
                "diff": record.diff,
            }
        )
    return plan


def restore(change_set: ChangeSet, version_id: str, recorded_at: datetime, *, again: bool = False) -> None:
    """Mark a change set whose new text is word for word an earlier version's: the page went back to that text.

    Bumble's policy went from "last updated 16th January 2023" back to its December text for five days, then forward
    again; Cursor's went back and forth between two texts four times in three weeks (the bundled histories, decision
    0156). Each is a real change of what the page says, and is reported; saying it is a return to a text already seen
    tells the reader the changes undo earlier ones rather than announce new terms. `again`: the previous version was
    itself a return to an earlier text, so the page goes back and forth (decision 0162).
    """
    change_set.restores_version_id = version_id
    change_set.alternates = again
    if again:
        _lead(change_set, f"Back to its text of {recorded_at:%d %b %Y} again: the page goes back and forth.")
    else:
        _lead(change_set, f"Back to its text of {recorded_at:%d %b %Y}, word for word.")


def _note_announcements(
    change_set: ChangeSet, text: str, before: str, today: date, *, beside_in_force: bool = False
) -> None:
    """Note on the change set a coming version the new text newly announces, or one the previous text announced that
    is now in force (its date has come and the new text no longer announces it) (decision 0157).

    X's page carries its upcoming policy above the one in force for the month before it takes effect ("This version
    … will go into effect on July 28, 2025"; "Effective until July 28, 2025" above the current text); Reddit's shows
    its updated agreement with a banner. Saying what the page announces, and when it is in force, tells the reader
    what the changes are: terms that apply only from that date, then what differs from the text announced. When the
    page shows the announced version above the one in force (`beside_in_force`), the changes are the announced
    part's against the version in force (decision 0160), and the note says so.
    """
    now = announced_dates(text)
    coming = first_after(now, today)
    if coming is not None:
        earlier = first_after(announced_dates(before), today)  # read only when the new text announces
        if earlier is None or earlier.value != coming.value:
            change_set.announces_effective_date = coming.value
            compared = " (its changes from the version in force, shown below it)" if beside_in_force else ""
            _lead(change_set, f"Announces a new version effective {coming.value:%d %b %Y}{compared}.")
        return
    # The earlier text's first announcement, past or not: its date may have come between the two captures. A notice
    # left on the page after its date (the same date, now past) is not yet the page of the version in force: it
    # would otherwise mark every later change.
    earlier_any = next(iter(announced_dates(before)), None)
    lingering = now[0] if now else None
    if (
        earlier_any is not None
        and earlier_any.value <= today
        and (lingering is None or lingering.value != earlier_any.value)
    ):
        change_set.takes_effect_date = earlier_any.value
        _lead(change_set, f"The version announced for {earlier_any.value:%d %b %Y} is now in force.")


def _lead(change_set: ChangeSet, note: str) -> None:
    """Open the change set's summary with a note on what the version as a whole is."""
    change_set.summary = f"{note} {change_set.summary}"
