"""Where a watched provision went when a rewrite removed it (decision 0174). Pure: no I/O.

A provision watch (decision 0172) holds provision keys, which the differ keeps through rewordings and moves. A
rewrite too large to align ends the key: the old provision is "removed" and its text comes back "added" under a new
key, and the watch would go quiet on exactly the clause its subscriber cared about. The change set that removes a
watched provision still reaches its watcher (it touches the key); the notifier then carries the watch to what took
the provision's place, and the alert says so:

- the provisions added in the same change set under the same heading (a section rewritten as a whole), or else
- the added provisions right beside the removed one (and the removals next to it) in the document's order: a
  paragraph replaced in place.

The old key stays watched (a page that goes back to the old text brings it back). At most MAX_CARRIED per removed
provision: a section replaced by a long new one is followed by its first provisions, and the subscriber is told
which. What cannot be placed is said too: the watch of that provision ends with the alert.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from clausewatch_notifier.alerts import ChangeView
from clausewatch_shared.prose import visible_text

MAX_CARRIED = 10


@dataclass(frozen=True)
class Carry:
    """A watched provision the change set removed, and the added provisions the watch now follows instead."""

    removed: ChangeView
    successors: tuple[ChangeView, ...]

    @property
    def keys(self) -> list[str]:
        """The successors' provision keys, in document order."""
        return [c.provision_key for c in self.successors if c.provision_key]

    def sentence(self) -> str:
        """What the alert tells the watcher: 'A provision you watch, under "Use of data", was removed by this
        change. Your watch now also follows the provision added in its place: "We may use your content to…".'"""
        where = (
            f"under \u201c{self.removed.heading}\u201d"
            if self.removed.heading
            else f"\u201c{excerpt(self.removed.old_text)}\u201d"
        )
        said = f"A provision you watch, {where}, was removed by this change."
        if not self.successors:
            return f"{said} Nothing added took its place, so your watch of it ends with this alert."
        count = len(self.successors)
        what = "the provision" if count == 1 else f"the {count} provisions"
        quoted = ", ".join(f"\u201c{excerpt(c.new_text)}\u201d" for c in self.successors[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        return f"{said} Your watch now also follows {what} added in its place: {quoted}{more}."


def excerpt(text: str | None, limit: int = 60) -> str:
    """The opening words of a provision's text, as a reader sees them (Markdown links as their labels)."""
    words = " ".join(visible_text(text or "").split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " ":  # the cut fell inside a word: leave that word out
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "\u2026"


def carries(changes: Sequence[ChangeView], watched: Collection[str]) -> list[Carry]:
    """Return, for each removed change whose provision is watched, what was added in its place (maybe nothing)."""
    found: list[Carry] = []
    for index, change in enumerate(changes):
        if change.kind == "removed" and change.provision_key and change.provision_key in watched:
            found.append(Carry(change, tuple(_successors(changes, index))[:MAX_CARRIED]))
    return found


def _successors(changes: Sequence[ChangeView], index: int) -> list[ChangeView]:
    removed = changes[index]
    if removed.heading:
        same = [c for c in changes if _added(c) and c.heading == removed.heading]
        if same:
            return same
    after = _run(changes, range(index + 1, len(changes)))
    if after:
        return after
    return list(reversed(_run(changes, range(index - 1, -1, -1))))


def _run(changes: Sequence[ChangeView], positions: range) -> list[ChangeView]:
    """The added changes next to a removed one in the given direction: past the other removals of its block
    ("removed, removed, added, added" is two paragraphs replaced by two), up to the first change of another kind."""
    run: list[ChangeView] = []
    for position in positions:
        change = changes[position]
        if _added(change):
            run.append(change)
        elif change.kind != "removed" or run:
            break
    return run


def _added(change: ChangeView) -> bool:
    return change.kind == "added" and bool(change.provision_key)
