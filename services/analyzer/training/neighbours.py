"""The nearest-sentence vote at training time, and its memory as plain data for the artefact (decision 0190).

`clausewatch_analyzer.model.neighbours` predicts from the memory without SciPy; here the same similarities come from
a sparse product, in chunks, and the same `vote` turns them into scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.pipeline import FeatureUnion

from clausewatch_analyzer.model.neighbours import vote

_CHUNK = 1000


def word_columns(
    vectorizer: FeatureUnion, memory: sparse.csr_matrix | None = None, max_df: float = 1.0
) -> NDArray[np.int64]:
    """The feature columns of single words in the word block (the first block, so its columns come first), less
    those found in more than `max_df` of the `memory` sentences' rows."""
    _, words = vectorizer.transformer_list[0]
    columns = np.array(sorted(c for gram, c in words.vocabulary_.items() if " " not in gram), dtype=np.int64)
    if memory is None or max_df >= 1.0:
        return columns
    in_rows = np.diff(sparse.csc_matrix(memory[:, columns]).indptr)
    kept: NDArray[np.int64] = columns[in_rows <= max_df * memory.shape[0]]
    return kept


def word_rows(features: sparse.csr_matrix, columns: NDArray[np.int64]) -> sparse.csr_matrix:
    """Each sentence's single-word features, scaled to unit length (a row without one stays zero)."""
    words = sparse.csr_matrix(features[:, columns], dtype=np.float64)
    norms = np.sqrt(np.asarray(words.multiply(words).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ words)


def neighbour_votes(
    query: sparse.csr_matrix, memory: sparse.csr_matrix, labels: NDArray[np.int8], k: int, power: float
) -> NDArray[np.float64]:
    """The vote of each query row's `k` nearest memory rows (both from `word_rows`) on each label column."""
    out = np.zeros((query.shape[0], labels.shape[1]))
    transposed = sparse.csr_matrix(memory.T)
    as_bytes = labels.astype(np.uint8)
    for start in range(0, query.shape[0], _CHUNK):
        similarities = (query[start : start + _CHUNK] @ transposed).toarray()
        out[start : start + similarities.shape[0]] = vote(similarities, as_bytes, k, power)
    return out


def plain_memory(
    memory: sparse.csr_matrix,
    labels: NDArray[np.int8],
    columns: NDArray[np.int64],
    type_columns: list[int],
    k: int,
    power: float,
    weight: float,
) -> dict[str, Any]:
    """The memory as the artefact keeps it: for each single word, the memory rows holding it and their values."""
    by_word = sparse.csc_matrix(memory, dtype=np.float32)
    by_word.sort_indices()
    return {
        "k": k,
        "power": power,
        "weight": weight,
        "type_columns": type_columns,
        "word_columns": columns.astype(np.int32),
        "labels": labels.astype(np.uint8),
        "indptr": by_word.indptr.astype(np.int64),
        "rows": by_word.indices.astype(np.int32),
        "values": by_word.data.astype(np.float32),
    }
