"""The classifier's TF-IDF features, computed from plain data without scikit-learn.

Training fits scikit-learn's `TfidfVectorizer`s (word 1–3 and `char_wb` 2–5 n-grams, lowercase, sublinear tf,
smoothed idf, l2 norm per block); `plain_blocks` keeps what prediction needs of them (each block's analyzer, n-gram
range, vocabulary and idf), and `TfidfFeatures` computes the same rows. Importing scikit-learn and SciPy took about
2 s of every process's start, most of a `clausewatch classify` run (docs/decisions/0114); the tests check that the
rows equal scikit-learn's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# scikit-learn's defaults, as the training vectorizers use them (the classifier names its evidence by TOKEN too).
TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")

Row = tuple[NDArray[np.int64], NDArray[np.float32]]  # a text's non-zero feature columns and their values


@dataclass(frozen=True)
class NgramBlock:
    """One fitted TF-IDF vectorizer as data: `analyzer` is "word" or "char_wb"."""

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: Mapping[str, int]
    idf: NDArray[np.float32]

    def grams(self, text: str) -> list[str]:
        """The n-grams of a text, as scikit-learn's analyzer of that kind yields them (repeats included)."""
        lowered = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            tokens = TOKEN.findall(lowered)
            return [
                " ".join(tokens[i : i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)
            ]
        if self.analyzer == "char_wb":
            return _char_wb(_WHITE_SPACES.sub(" ", lowered), low, high)
        raise ValueError(f"unknown analyzer {self.analyzer!r}")

    def row(self, text: str) -> Row:
        """The block's non-zero columns for a text and their values: (1 + log tf) × idf, scaled to unit length."""
        counts: dict[int, int] = {}
        for gram in self.grams(text):
            column = self.vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (np.log(values) + np.float32(1.0)) * self.idf[columns]
        norm = np.sqrt(np.dot(values.astype(np.float64), values.astype(np.float64)))
        if norm > 0:
            values = (values / norm).astype(np.float32)
        return columns, values


def _char_wb(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside words padded with one space each side; a word shorter than n counts once."""
    grams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[:n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


class TfidfFeatures:
    """The blocks side by side, as scikit-learn's `FeatureUnion` concatenates them (the word block first)."""

    def __init__(self, blocks: Sequence[NgramBlock]) -> None:
        self.blocks = tuple(blocks)
        sizes = [len(b.idf) for b in self.blocks]
        self._offsets = np.cumsum([0, *sizes[:-1]]).tolist()
        self.size = int(sum(sizes))

    @classmethod
    def from_artefact(cls, specs: Sequence[Mapping[str, Any]]) -> TfidfFeatures:
        """Blocks from the artefact's plain form (`plain_blocks`)."""
        return cls(
            [
                NgramBlock(
                    analyzer=str(spec["analyzer"]),
                    ngram_range=(int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
                    vocabulary=spec["vocabulary"],  # already a dict from the artefact: no copy at start-up
                    idf=np.asarray(spec["idf"], dtype=np.float32),
                )
                for spec in specs
            ]
        )

    def row(self, text: str) -> Row:
        """One text's non-zero columns (over all blocks) and their values."""
        parts = [block.row(text) for block in self.blocks]
        columns = np.concatenate([c + offset for (c, _), offset in zip(parts, self._offsets, strict=True)])
        values = np.concatenate([v for _, v in parts])
        return columns, values

    def rows(self, texts: Sequence[str]) -> list[Row]:
        """Each text's row."""
        return [self.row(text) for text in texts]


def dot(rows: Sequence[Row], weights: NDArray[np.float32]) -> NDArray[np.float64]:
    """Each feature row times `weights` (n_features × k): one row of k scores per text."""
    out = np.zeros((len(rows), weights.shape[1]), dtype=np.float64)
    for i, (columns, values) in enumerate(rows):
        out[i] = values @ weights[columns]
    return out


def plain_blocks(vectorizer: Any) -> list[dict[str, Any]]:
    """A fitted `FeatureUnion` of `TfidfVectorizer`s as plain data for the artefact (what `from_artefact` reads)."""
    blocks = []
    for _, part in vectorizer.transformer_list:
        params = part.get_params()
        expected = {
            "lowercase": True, "sublinear_tf": True, "norm": "l2", "use_idf": True, "binary": False,
            "stop_words": None, "strip_accents": None,
        }  # fmt: skip
        unsupported = {k: params[k] for k, v in expected.items() if params[k] != v}
        if unsupported or params["analyzer"] not in ("word", "char_wb") or params["preprocessor"] is not None:
            raise ValueError(
                f"TfidfFeatures cannot reproduce this vectorizer: {unsupported or params['analyzer']}"
            )
        if params["analyzer"] == "word" and (params["token_pattern"] != TOKEN.pattern or params["tokenizer"]):
            raise ValueError("TfidfFeatures cannot reproduce a token pattern other than the default")
        # sorted by column, so the pickled dict (and the artefact's bytes) do not depend on insertion order
        vocabulary = dict(sorted(part.vocabulary_.items(), key=lambda item: item[1]))
        blocks.append(
            {
                "analyzer": params["analyzer"],
                "ngram_range": tuple(params["ngram_range"]),
                "vocabulary": vocabulary,
                "idf": np.asarray(part.idf_, dtype=np.float32),
            }
        )
    return blocks
