"""Where the announced version ends on a page that shows it above the version still in force (decision 0160).

For the month before each new privacy policy takes effect, X's page carries two policies: the coming one first ("This
version of the Privacy Policy will go into effect on November 15, 2024. Until then, the current Privacy Policy
continues to apply"), then its title again, "Effective until November 15, 2024", and the policy in force, word for
word the page of the day before. Compared as a whole with that day's page, the notice reads as five thousand words
added; what a subscriber needs is what the coming policy changes, which is the announced part compared with the
policy in force. The day the announced policy takes effect, the page drops the copy, and the announced part is what
the new page is compared with.
"""

from __future__ import annotations

from collections.abc import Sequence

from clausewatch_differ.blocks import Block
from clausewatch_shared.stated_dates import announced_dates, effective_until

# "Effective until November 15, 2024", with markup: a longer block is prose, not the label.
_LABEL_CHARS = 80


def announced_end(blocks: Sequence[Block]) -> int:
    """Return how many blocks, from the first, make the version the page announces: the index of the part that
    holds the version in force, or len(blocks) when the page carries one version.

    The version in force starts at a block that reads only "Effective until DATE", when the blocks before it announce
    a version taking effect on that same DATE, or at the headings just before that block (X repeats the policy's
    title above it). A page that shows the version in force first and the coming one below has not been seen; it is
    compared whole.
    """
    for i, block in enumerate(blocks):
        if i == 0 or len(block.text) > _LABEL_CHARS or "until" not in block.text.lower():
            continue
        until = effective_until(block.plain)
        if until is None:
            continue
        announced = announced_dates("\n\n".join(b.text for b in blocks[:i]))
        if not any(found.value == until.value for found in announced):
            continue
        start = i
        while start > 1 and blocks[start - 1].kind == "heading":
            start -= 1
        return start
    return len(blocks)
