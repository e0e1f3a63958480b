"""Benchmark and quality measure of the differ over document histories (default: the OTA DEV corpus).

    uv run python -m bench.diff [--root DIR] [--repeat N] [--json OUT]

For every consecutive pair of every history (a folder of vNNN.md files), in one run:
- time: the differ on the pair (extraction of both files excluded, as both sides are timed on the same text),
  and a plain difflib word-level diff of the same pair (SequenceMatcher over whitespace-split words);
- quality, with a measure independent of the differ's own tokeniser: a pair is a real change when its words
  differ once Markdown markup, link targets, case and punctuation are ignored. Reported: the share of real
  changes found (`substantive: true`), of unchanged pairs wrongly flagged, the share of changed words (by a
  difflib word diff) that lie in the reported substantive changes, and how much of the document those changes
  flag relative to the words that changed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from clausewatch_differ.blocks import parse_blocks
from clausewatch_differ.compare import compare_blocks
from clausewatch_differ.files import history_files, read_document

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "tests" / "data" / "ota"
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+")


def measure_words(text: str) -> list[str]:
    """Return the words of Markdown text for the measure: markup, link targets, case and punctuation ignored."""
    return _WORD.findall(_TAG.sub(" ", _LINK.sub(r" \1 ", text)).lower())


def difflib_word_diff(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Return difflib's opcodes over whitespace-split words: the baseline a plain word diff costs."""
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).get_opcodes()


def changed_words(old_words: list[str], new_words: list[str]) -> tuple[list[str], list[str]]:
    """Return the words a word-level diff marks as removed and as inserted."""
    gone: list[str] = []
    came: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            gone.extend(old_words[i1:i2])
            came.extend(new_words[j1:j2])
    return gone, came


def evaluate_pair(old_raw: str, new_raw: str, result: dict[str, Any]) -> dict[str, Any]:
    """Return the quality figures of one pair's result."""
    old_words, new_words = measure_words(old_raw), measure_words(new_raw)
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


def run(root: Path, repeat: int = 1) -> dict[str, Any]:
    """Run the benchmark and the measure over every history under root."""
    ours: list[float] = []
    baseline: list[float] = []
    rows: list[dict[str, Any]] = []
    for history in sorted(p for p in root.iterdir() if p.is_dir()):
        files = history_files(history)
        raws = [f.read_text(encoding="utf-8", errors="replace") for f in files]
        texts = [read_document(f) for f in files]
        for k in range(len(files) - 1):
            old_text, new_text = texts[k], texts[k + 1]
            best = best_base = float("inf")
            result = None
            for _ in range(repeat):
                start = time.perf_counter()
                comparison = compare_blocks(parse_blocks(old_text), parse_blocks(new_text))
                best = min(best, time.perf_counter() - start)
                start = time.perf_counter()
                difflib_word_diff(old_text, new_text)
                best_base = min(best_base, time.perf_counter() - start)
                result = {
                    "substantive": comparison.substantive,
                    "changes": [c.as_json() for c in comparison.changes],
                }
            assert result is not None
            ours.append(best)
            baseline.append(best_base)
            row = evaluate_pair(raws[k], raws[k + 1], result)
            row["pair"] = f"{history.name}/{files[k].name}->{files[k + 1].name}"
            rows.append(row)
    return summarise(ours, baseline, rows)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def summarise(ours: list[float], baseline: list[float], rows: list[dict[str, Any]]) -> dict[str, Any]:
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
        "median_ms": statistics.median(ours) * 1000,
        "p99_ms": _p99(ours) * 1000,
        "difflib_median_ms": statistics.median(baseline) * 1000,
        "difflib_p99_ms": _p99(baseline) * 1000,
        "speedup_total": sum(baseline) / max(sum(ours), 1e-9),
        "speedup_median": statistics.median(baseline) / max(statistics.median(ours), 1e-9),
        "misses": [r["pair"] for r in real if not r["flagged"]],
        "false": [r["pair"] for r in same if r["flagged"]],
    }


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder of history folders")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per pair (the best is kept)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    figures = run(args.root, args.repeat)
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
    print(f"differ per pair: median {figures['median_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms")
    print(
        f"difflib word diff per pair: median {figures['difflib_median_ms']:.2f} ms, p99 {figures['difflib_p99_ms']:.2f} ms"
    )
    print(
        f"speed-up vs difflib: {figures['speedup_median']:.1f}x (medians), {figures['speedup_total']:.1f}x (totals)"
    )
    for key in ("misses", "false"):
        if figures[key]:
            print(f"{key}: {', '.join(figures[key][:20])}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
