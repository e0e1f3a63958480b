"""Benchmark and quality measure of the differ over document histories (default: the OTA DEV corpus).

    uv run python -m bench.diff [--root DIR] [--repeat N] [--json OUT]

For every consecutive pair of every history (a folder of vNNN.md files), in one run:
- time (wall clock by default, CPU time with --clock cpu; best of --repeat runs), all from the same extracted text:
  the differ on the pair with both versions parsed ("cold": parse old, parse new, compare; the new version's
  unchanged provisions take their words from the old one's, as `clausewatch diff A B` does) and as history mode
  runs it (each version parsed once: one parse and one comparison per pair); and a plain difflib word-level diff
  of the same pair: SequenceMatcher over whitespace-split words with its defaults (autojunk=True), the baseline of
  the speed target, and exact (autojunk=False, slower: difflib's junk heuristic skips frequent words);
- quality (not timed), with a measure independent of the differ's own tokeniser: a pair is a real change when its words
  differ once Markdown markup, link targets, case and punctuation are ignored. Reported: the share of real
  changes found (`substantive: true`), of unchanged pairs wrongly flagged, the share of changed words (by an
  exact word-level LCS) that lie in the reported substantive changes, and how much of the document those changes
  flag relative to the words that changed. A page that shows its version in force below an announced one, under an
  "Effective until DATE" line, is measured by the text above that line (`own_version_text`, decision 0160).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

from clausewatch_differ.blocks import parse_blocks
from clausewatch_differ.compare import Comparison, compare_versions
from clausewatch_differ.files import history_files, read_document

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "tests" / "data" / "ota"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+")


# "Effective until November 15, 2024" on a line of its own: X's page during a notice period shows the policy in force
# below the coming one, under the policy's title again (decision 0160). The measure reads the page's own version,
# above it; the copy below is the version before, which the pair's other side already holds.
_UNTIL_LINE = re.compile(r"[#*_\s]*effective until\b[^\n]*\d{4}[*_.\s]*", re.IGNORECASE)
_UNDERLINE = re.compile(r"[=-]{3,}\s*")


def own_version_text(raw: str) -> str:
    """Return the text above an "Effective until DATE" line and the title lines just above it, else the whole text."""
    lines = raw.splitlines()
    for i, line in enumerate(lines):
        if i and _UNTIL_LINE.fullmatch(line):
            end = i
            while end > 0:
                above = lines[end - 1]
                if _UNDERLINE.fullmatch(above) and end > 1:
                    end -= 2  # a setext title: its underline and its text
                elif not above.strip() or above.lstrip().startswith("#"):
                    end -= 1
                else:
                    break
            return "\n".join(lines[:end])
    return raw


def measure_words(text: str) -> list[str]:
    """Return the words of Markdown text for the measure: markup, link targets, case and punctuation ignored."""
    return _WORD.findall(_TAG.sub(" ", _LINK.sub(r" \1 ", text)).lower())


def difflib_word_diff(old: str, new: str) -> Sequence[tuple[str, int, int, int, int]]:
    """Return difflib's exact opcodes over whitespace-split words (autojunk off: every word can align)."""
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).get_opcodes()


def difflib_default_word_diff(old: str, new: str) -> Sequence[tuple[str, int, int, int, int]]:
    """Return difflib's opcodes over whitespace-split words with its defaults: the plain word diff of the target."""
    return difflib.SequenceMatcher(None, old.split(), new.split()).get_opcodes()


def changed_words(old_words: list[str], new_words: list[str]) -> tuple[list[str], list[str]]:
    """Return the words a word-level diff (an exact LCS, rapidfuzz Indel) marks as removed and as inserted."""
    gone: list[str] = []
    came: list[str] = []
    for op in Indel.opcodes(old_words, new_words):
        if op.tag != "equal":
            gone.extend(old_words[op.src_start : op.src_end])
            came.extend(new_words[op.dest_start : op.dest_end])
    return gone, came


def evaluate_pair(old_raw: str, new_raw: str, result: dict[str, Any]) -> dict[str, Any]:
    """Return the quality figures of one pair's result."""
    old_words, new_words = measure_words(own_version_text(old_raw)), measure_words(own_version_text(new_raw))
    real = old_words != new_words
    row: dict[str, Any] = {"real": real, "flagged": result["substantive"]}
    if real:
        gone, came = changed_words(old_words, new_words)
        in_old: set[str] = set()
        in_new: set[str] = set()
        flagged_words = 0
        for change in result["changes"]:
            if change["significance"] != "substantive":
                continue
            old_w = measure_words(change["old_text"] or "")
            new_w = measure_words(change["new_text"] or "")
            in_old.update(old_w)
            in_new.update(new_w)
            flagged_words += max(len(old_w), len(new_w))
        total = len(gone) + len(came)
        covered = sum(w in in_old for w in gone) + sum(w in in_new for w in came)
        row["changed_words"] = total
        row["covered"] = covered
        row["flagged_share"] = flagged_words / max(len(new_words), len(old_words), 1)
        row["changed_share"] = max(len(gone), len(came)) / max(len(new_words), len(old_words), 1)
    return row


# The timed measures, in the order they are printed.
MEASURES = {
    "differ_cold": "differ, both versions parsed",
    "differ_history_mode": "differ, history mode (each version parsed once)",
    "differ_independent": "differ, both versions parsed independently (no word reuse)",
    "difflib_autojunk": "difflib word diff, defaults (autojunk=True)",
    "difflib_exact": "difflib word diff, autojunk=False (exact)",
}


def time_pair(old_text: str, new_text: str, repeat: int, clock: Any) -> tuple[dict[str, float], Comparison]:
    """Return the best time of each measure over `repeat` runs on one pair, and the differ's comparison."""
    best = dict.fromkeys(MEASURES, float("inf"))
    comparison = None
    for _ in range(repeat):
        start = clock()
        old_blocks = parse_blocks(old_text)
        parsed_old = clock()
        comparison = compare_versions(old_blocks, parse_blocks(new_text, like=old_blocks))
        end = clock()
        best["differ_cold"] = min(best["differ_cold"], end - start)
        # History mode parses each version once: a pair costs one parse and one comparison.
        best["differ_history_mode"] = min(best["differ_history_mode"], end - parsed_old)
        start = clock()
        compare_versions(parse_blocks(old_text), parse_blocks(new_text))
        best["differ_independent"] = min(best["differ_independent"], clock() - start)
        start = clock()
        difflib_default_word_diff(old_text, new_text)
        best["difflib_autojunk"] = min(best["difflib_autojunk"], clock() - start)
        start = clock()
        difflib_word_diff(old_text, new_text)
        best["difflib_exact"] = min(best["difflib_exact"], clock() - start)
    assert comparison is not None
    return best, comparison


def run(root: Path, repeat: int = 1, clock: Any = time.perf_counter) -> dict[str, Any]:
    """Run the benchmark and the measure over every history under root."""
    times: dict[str, list[float]] = {name: [] for name in MEASURES}
    rows: list[dict[str, Any]] = []
    for history in sorted(p for p in root.iterdir() if p.is_dir()):
        files = history_files(history)
        raws = [f.read_text(encoding="utf-8", errors="replace") for f in files]
        texts = [read_document(f) for f in files]
        for k in range(len(files) - 1):
            best, comparison = time_pair(texts[k], texts[k + 1], repeat, clock)
            for name, value in best.items():
                times[name].append(value)
            result = {
                "substantive": comparison.substantive,
                "changes": [c.as_json() for c in comparison.changes],
            }
            row = evaluate_pair(raws[k], raws[k + 1], result)
            row["pair"] = f"{history.name}/{files[k].name}->{files[k + 1].name}"
            rows.append(row)
    return summarise(times, rows)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(values) * 1000,
        "p99_ms": _p99(values) * 1000,
        "total_s": sum(values),
    }


def summarise(times: dict[str, list[float]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the headline figures."""
    real = [r for r in rows if r["real"]]
    same = [r for r in rows if not r["real"]]
    changed = sum(r["changed_words"] for r in real)
    covered = sum(r["covered"] for r in real)
    return {
        "pairs": len(rows),
        "real_changes": len(real),
        "unchanged_pairs": len(same),
        "found": sum(r["flagged"] for r in real) / max(len(real), 1),
        "false_changes": sum(r["flagged"] for r in same) / max(len(same), 1),
        "changed_words_covered": covered / max(changed, 1),
        "worst_pair_coverage": min((r["covered"] / max(r["changed_words"], 1) for r in real), default=1.0),
        "median_flagged_share_of_document": statistics.median([r["flagged_share"] for r in real] or [0.0]),
        "median_changed_share_of_document": statistics.median([r["changed_share"] for r in real] or [0.0]),
        **{name: _ms(values) for name, values in times.items()},
        "misses": [r["pair"] for r in real if not r["flagged"]],
        "false": [r["pair"] for r in same if r["flagged"]],
    }


def _load(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in averages)


def _ratio(base: dict[str, float], ours: dict[str, float]) -> str:
    return f"{base['median_ms'] / ours['median_ms']:.1f}x (medians), {base['total_s'] / ours['total_s']:.1f}x (totals)"


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder of history folders")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per pair (the best is kept)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: time.perf_counter; cpu: time.process_time (steadier on a machine shared with other work)",
    )
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    before = os.getloadavg()
    print(f"clock: {args.clock}, best of {args.repeat} run(s) per pair; load average before: {_load(before)}")
    figures = run(args.root, args.repeat, clock)
    figures["load_average"] = {"before": before, "after": os.getloadavg()}
    print(
        f"pairs: {figures['pairs']} ({figures['real_changes']} with changed words, {figures['unchanged_pairs']} without)"
    )
    print(f"real changes found: {figures['found']:.2%}   false changes: {figures['false_changes']:.2%}")
    print(
        f"changed words covered: {figures['changed_words_covered']:.2%} "
        f"(worst pair {figures['worst_pair_coverage']:.2%})"
    )
    print(
        f"flagged share of document (median over changed pairs): {figures['median_flagged_share_of_document']:.2%} "
        f"vs changed share {figures['median_changed_share_of_document']:.2%}"
    )
    for name, label in MEASURES.items():
        t = figures[name]
        print(f"{label}: median {t['median_ms']:.2f} ms, p99 {t['p99_ms']:.2f} ms per pair")
    for base in ("difflib_autojunk", "difflib_exact"):
        for ours in ("differ_cold", "differ_history_mode", "differ_independent"):
            print(f"speed-up {ours} vs {base}: {_ratio(figures[base], figures[ours])}")
    for key in ("misses", "false"):
        if figures[key]:
            print(f"{key}: {', '.join(figures[key][:20])}")
    print(f"load average after: {_load(figures['load_average']['after'])}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
