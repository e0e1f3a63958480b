"""The numpy sentence encoder (training.embeddings) on a tiny random BERT: no model files, no tokenizer."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from training.embeddings import BertWeights, encode_ids, read_safetensors

HIDDEN, HEADS, INNER, VOCAB, LAYERS = 8, 2, 16, 30, 2


def _tiny_bert() -> dict[str, np.ndarray]:
    """Random weights named as a Hugging Face BertModel's state dict."""
    rng = np.random.default_rng(0)

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": normal(VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": normal(16, HIDDEN),
        "embeddings.token_type_embeddings.weight": normal(2, HIDDEN),
        "embeddings.LayerNorm.weight": 1 + normal(HIDDEN),
        "embeddings.LayerNorm.bias": normal(HIDDEN),
    }
    for index in range(LAYERS):
        prefix = f"encoder.layer.{index}"
        for name in (
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ):
            tensors[f"{prefix}.{name}.weight"] = normal(HIDDEN, HIDDEN)
            tensors[f"{prefix}.{name}.bias"] = normal(HIDDEN)
        tensors[f"{prefix}.intermediate.dense.weight"] = normal(INNER, HIDDEN)
        tensors[f"{prefix}.intermediate.dense.bias"] = normal(INNER)
        tensors[f"{prefix}.output.dense.weight"] = normal(HIDDEN, INNER)
        tensors[f"{prefix}.output.dense.bias"] = normal(HIDDEN)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"{prefix}.{norm}.weight"] = 1 + normal(HIDDEN)
            tensors[f"{prefix}.{norm}.bias"] = normal(HIDDEN)
    return tensors


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """The safetensors layout: header length (u64 little-endian), JSON header, then the raw arrays."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name, array in tensors.items():
        blob = array.astype("<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def test_safetensors_round_trip(tmp_path: Path) -> None:
    """Every tensor written in the safetensors layout reads back with its name, shape and values."""
    tensors = _tiny_bert()
    _write_safetensors(tmp_path / "model.safetensors", tensors)
    read = read_safetensors(tmp_path / "model.safetensors")
    assert read.keys() == tensors.keys()
    for name, array in tensors.items():
        np.testing.assert_array_equal(read[name], array)
    assert len(BertWeights.from_tensors(read, heads=HEADS).layers) == LAYERS


def test_padding_and_batching_do_not_change_a_vector() -> None:
    """A sentence's vector is the same alone or batched with longer ones (masking), in input order, unit length."""
    weights = BertWeights.from_tensors(_tiny_bert(), heads=HEADS)
    sentences = [[1, 5, 7, 2], [1, 9, 3, 4, 11, 12, 2], [1, 2], [1, 8, 8, 6, 2]]
    batched = encode_ids(weights, sentences, batch_size=3)
    alone = np.vstack([encode_ids(weights, [ids]) for ids in sentences])
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(encode_ids(weights, [[1, 7, 5, 2]]), batched[0], atol=1e-3)  # order matters
