"""The rules' literal pre-filter: conservative by construction, and the same hits as running every regex."""

from __future__ import annotations

import re
from pathlib import Path

from clausewatch_analyzer.prefilter import fold, required_literals
from clausewatch_analyzer.rules import RuleHit, match_rules
from clausewatch_analyzer.segment import split_provisions, split_sentences
from clausewatch_analyzer.taxonomy import Taxonomy, load_taxonomy

ROOT = Path(__file__).resolve().parents[3]
OTA = ROOT / "tests" / "data" / "ota"
TRAINING = ROOT / "services" / "analyzer" / "training" / "data"


def _every_regex(sentence: str, taxonomy: Taxonomy) -> list[RuleHit]:
    """match_rules as it was before the pre-filter: every pattern of every type runs."""
    hits = []
    for clause_type in taxonomy.types.values():
        if any(ex.search(sentence) for ex in clause_type.excludes):
            continue
        best: RuleHit | None = None
        for pattern in clause_type.patterns:
            found = pattern.regex.search(sentence)
            if found is None:
                continue
            if best is None or pattern.weight > best.weight:
                best = RuleHit(clause_type.id, pattern.weight, found.group(0).strip()[:200], pattern.strong)
            if best.strong:
                break
        if best is not None:
            hits.append(best)
    return hits


def _corpus() -> list[str]:
    sentences = [
        line
        for path in sorted((TRAINING / "claudette-en" / "sentences").glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
    ]
    for line in (TRAINING / "privacy-examples" / "examples.tsv").read_text("utf-8").splitlines():
        sentences.extend(split_sentences(line))
    for document in sorted(p for p in OTA.iterdir() if p.is_dir()):
        latest = sorted(document.glob("v*.md"))[-1]
        for segment in split_provisions(latest.read_text("utf-8")):
            sentences.extend(split_sentences(segment.text))
    return list(dict.fromkeys(sentences))


def test_prefiltered_rules_give_the_same_hits_on_real_corpora() -> None:
    """On every sentence of CLAUDETTE, the privacy examples and the latest OTA versions, the hits are unchanged."""
    taxonomy = load_taxonomy()
    corpus = _corpus()
    assert len(corpus) > 10_000
    differing = [s for s in corpus if match_rules(s, taxonomy) != _every_regex(s, taxonomy)]
    assert differing == []


def test_every_pattern_of_the_taxonomy_gets_a_gate() -> None:
    """Each taxonomy pattern yields required literals, so none runs on every sentence unconditionally."""
    taxonomy = load_taxonomy()
    ungated = [
        p.regex.pattern for t in taxonomy.types.values() for p in t.patterns if not required_literals(p.regex)
    ]
    assert ungated == []


def test_required_literals_follow_alternations_and_optional_parts() -> None:
    """An alternation needs one of its branches' literals; an optional part needs nothing; classes split runs."""
    assert required_literals(re.compile(r"\b(?:we|our)\s+(?:may\s+)?sell(?:s|ing)?\b", re.I)) == {"sell"}
    assert required_literals(re.compile(r"\barbitra(tion|tor)\b|\bJAMS\b", re.I)) == {"arbitra", "jams"}
    assert required_literals(re.compile(r"opt[- ]outs?", re.I)) in ({"opt"}, {"out"})
    assert required_literals(re.compile(r"(?:sell|\w+ing)", re.I)) == {"sell", "ing"}
    assert required_literals(re.compile(r"(?:sell|\w+)s", re.I)) == {"s"}
    assert required_literals(re.compile(r"(?:sell|\w+)", re.I)) is None
    assert required_literals(re.compile(r"(a)\1", re.I)) == {"a"}


def test_gate_never_rules_out_what_ignorecase_would_match() -> None:
    """Characters re.IGNORECASE equates with ASCII letters (Kelvin sign, long s, dotted and dotless i) pass the gate."""
    assert required_literals(re.compile(r"\bkiss\b", re.I)) == {"kiss"}
    for sentence in ("\u212aiss", "ki\u017fs", "K\u0131ss", "K\u0130SS"):
        assert re.search(r"\bkiss\b", sentence, re.I)
        assert "kiss" in fold(sentence)


def test_the_fold_table_covers_every_code_point_ignorecase_equates_with_ascii() -> None:
    """Scanning all of Unicode finds no other non-ASCII character that re.IGNORECASE matches to an ASCII letter."""
    ascii_alnum = re.compile("[a-z0-9]", re.IGNORECASE)
    equated = {chr(c) for c in range(0x80, 0x110000) if ascii_alnum.fullmatch(chr(c))}
    assert all(fold(ch).isascii() for ch in equated)
    assert equated == {"\u0130", "\u0131", "\u017f", "\u212a"}
