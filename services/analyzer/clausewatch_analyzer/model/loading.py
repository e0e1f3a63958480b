"""Load the shipped classifier artefact from inside the package, offline, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import joblib

from clausewatch_analyzer.model.classifier import Classifier

ARTEFACT_PATH = Path(__file__).parent / "artefact" / "clause_classifier.joblib"


class ModelNotAvailable(FileNotFoundError):  # noqa: N818 (the name is the agreed interface)
    """The classifier artefact is missing: build it with `uv run python -m training.build`."""


def load_classifier(path: Path | None = None) -> Classifier:
    """The classifier from `path` (default: the artefact shipped in this package), loaded once and cached."""
    return _load(path or ARTEFACT_PATH)


@lru_cache(maxsize=4)
def _load(path: Path) -> Classifier:
    """Read and wrap one artefact file; cached per path because loading takes a noticeable fraction of a second."""
    if not path.is_file():
        raise ModelNotAvailable(
            f"classifier artefact not found at {path}; build it with "
            "`cd services/analyzer && uv run python -m training.build`"
        )
    # joblib unpickles: the artefact is ours, shipped inside the package, never read from user input.
    return Classifier(joblib.load(path))
