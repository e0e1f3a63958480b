"""The acceptance measure over every consecutive pair of the OTA DEV corpus (tests/data/ota).

A pair is a real change when its words differ once Markdown markup, link targets, case and punctuation are
ignored. The differ must flag every real change and no other pair, and the words a word-level diff finds
changed must lie in the provisions it reports as substantive, without flagging whole documents. A page that shows
the version in force below an announced one ("Effective until DATE", X's notice periods) is measured by the text
above that line, as the benchmark measures it (`bench.diff.own_version_text`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rapidfuzz.distance import Indel

from bench.diff import own_version_text
from clausewatch_differ.files import compare_history

CORPUS = Path(__file__).resolve().parents[2] / "data" / "ota"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(re.sub(r"<[^>]+>", " ", _LINK.sub(r" \1 ", text)).lower())


def _changed(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    gone: list[str] = []
    came: list[str] = []
    for op in Indel.opcodes(old, new):
        if op.tag != "equal":
            gone.extend(old[op.src_start : op.src_end])
            came.extend(new[op.dest_start : op.dest_end])
    return gone, came


def _edit_regions(old: list[str], new: list[str]) -> int:
    """Return how many separate places a word diff changes (an insert next to a delete is one place)."""
    regions = 0
    previous_equal = True
    for op in Indel.opcodes(old, new):
        if op.tag == "equal":
            previous_equal = True
        elif previous_equal:
            regions += 1
            previous_equal = False
    return regions


@pytest.fixture(scope="module")
def outcomes() -> list[dict[str, object]]:
    """Run the differ's history mode over every history and score each pair."""
    rows: list[dict[str, object]] = []
    for history in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        results = compare_history(history)
        files = sorted(history.glob("v*.md"))
        assert len(results) == len(files) - 1
        for result, old, new in zip(results, files, files[1:], strict=False):
            assert "error" not in result, result
            assert (result["old"], result["new"]) == (old.name, new.name)
            # A page that shows its version in force below an announced one is measured by its own (decision 0160).
            ow = _words(own_version_text(old.read_text(encoding="utf-8")))
            nw = _words(own_version_text(new.read_text(encoding="utf-8")))
            row: dict[str, object] = {"pair": f"{history.name}/{new.name}", "real": ow != nw}
            row["flagged"] = result["substantive"]
            if ow != nw:
                gone, came = _changed(ow, nw)
                subst = [c for c in result["changes"] if c["significance"] == "substantive"]
                in_old = {w for c in subst for w in _words(c["old_text"] or "")}
                in_new = {w for c in subst for w in _words(c["new_text"] or "")}
                row["changed"] = len(gone) + len(came)
                row["covered"] = sum(w in in_old for w in gone) + sum(w in in_new for w in came)
                row["regions"] = _edit_regions(ow, nw)
                # Renumbering touches every numbered item by nature; it is not a sentence edit spreading out.
                flagged = sum(
                    max(len(_words(c["old_text"] or "")), len(_words(c["new_text"] or "")))
                    for c in subst
                    if "renumbered" not in c["hints"]
                )
                row["flagged_words"] = flagged
            rows.append(row)
    return rows


def test_the_corpus_has_both_kinds_of_pairs(outcomes: list[dict[str, object]]) -> None:
    """Every pair was compared, and the corpus holds both real changes and noise-only pairs."""
    assert len(outcomes) == 355
    assert sum(1 for r in outcomes if r["real"]) > 200
    assert sum(1 for r in outcomes if not r["real"]) > 50


def test_real_changes_are_found(outcomes: list[dict[str, object]]) -> None:
    """At least 99% of pairs with changed words are reported substantive."""
    real = [r for r in outcomes if r["real"]]
    missed = [r["pair"] for r in real if not r["flagged"]]
    assert len(missed) <= 0.01 * len(real), missed


def test_noise_only_pairs_are_not_substantive(outcomes: list[dict[str, object]]) -> None:
    """At most 1% of pairs whose words are unchanged are reported substantive."""
    same = [r for r in outcomes if not r["real"]]
    false = [r["pair"] for r in same if r["flagged"]]
    assert len(false) <= 0.01 * len(same), false


def test_changed_words_lie_in_the_substantive_changes(outcomes: list[dict[str, object]]) -> None:
    """At least 98% of changed words (over all pairs) are in the reported substantive changes."""
    real = [r for r in outcomes if r["real"]]
    changed = sum(int(r["changed"]) for r in real)  # type: ignore[call-overload]
    covered = sum(int(r["covered"]) for r in real)  # type: ignore[call-overload]
    assert covered >= 0.98 * changed


def test_a_one_place_edit_does_not_flag_the_whole_document(outcomes: list[dict[str, object]]) -> None:
    """Where the words changed in one place only, the flagged provisions hold little more than the edit."""
    single = [r for r in outcomes if r["real"] and r["regions"] == 1]
    assert len(single) > 20
    # The provision around a one-sentence edit is a paragraph: a few hundred words at most beyond the edit.
    too_wide = [r["pair"] for r in single if int(r["flagged_words"]) > 2 * int(r["changed"]) + 400]  # type: ignore[call-overload]
    assert too_wide == [], too_wide
