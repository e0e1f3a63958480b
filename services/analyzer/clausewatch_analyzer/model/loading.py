"""Load the shipped classifier artefact from inside the package, offline, once per process.

The artefact is a pickle (protocol 5) in gzip, written by `dump_artefact`. It used to be a joblib file in xz: joblib's
pure-Python unpickler, reading through the xz stream, took 0.65 s for the 23 MB model on a quiet machine and over
10 s on a busy one; the C unpickler over one gzip decompression takes 0.12 s (0.77 s busy) (docs/decisions/0112).
"""

from __future__ import annotations

import gzip
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.privacy import PrivacyModel

ARTEFACT_PATH = Path(__file__).parent / "artefact" / "clause_classifier.pickle.gz"
PRIVACY_ARTEFACT_PATH = Path(__file__).parent / "artefact" / "privacy_categories.pickle.gz"


class ModelNotAvailable(FileNotFoundError):  # noqa: N818 (the name is the agreed interface)
    """An artefact is missing: build it with `uv run python -m training.build`."""


def dump_artefact(artefact: dict[str, Any]) -> bytes:
    """The artefact's file content; equal artefacts give equal bytes (no time or file name in the gzip header)."""
    return gzip.compress(pickle.dumps(artefact, protocol=5), compresslevel=9, mtime=0)


def load_classifier(path: Path | None = None) -> Classifier:
    """The classifier from `path` (default: the artefact shipped in this package), loaded once and cached."""
    return _load(path or ARTEFACT_PATH)


def load_privacy_model(path: Path | None = None) -> PrivacyModel:
    """The privacy-category model from `path` (default: the one shipped in this package), loaded once and cached."""
    return _load_privacy(path or PRIVACY_ARTEFACT_PATH)


@lru_cache(maxsize=4)
def _load(path: Path) -> Classifier:
    """Read and wrap one artefact file; cached per path because loading takes a noticeable fraction of a second."""
    return Classifier(read_artefact(path))


@lru_cache(maxsize=4)
def _load_privacy(path: Path) -> PrivacyModel:
    return PrivacyModel(read_artefact(path))


def read_artefact(path: Path) -> dict[str, Any]:
    """An artefact file's content (the plain dict `dump_artefact` wrote), uncached."""
    if not path.is_file():
        raise ModelNotAvailable(
            f"artefact not found at {path}; build it with `cd services/analyzer && uv run python -m training.build`"
        )
    # Unpickling runs code from the file: the artefact is ours, shipped inside the package, never read from user input.
    artefact: dict[str, Any] = pickle.loads(gzip.decompress(path.read_bytes()))  # noqa: S301
    return artefact
