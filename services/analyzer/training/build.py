"""Build the shipped classifier artefact: `cd services/analyzer && uv run python -m training.build`.

Deterministic: fixed seeds, sorted inputs, and a version derived from the data and configuration hashes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import joblib

from clausewatch_analyzer.model.loading import ARTEFACT_PATH
from training.config import TrainingConfig
from training.corpus import load_claudette
from training.dataset import Dataset, from_documents
from training.fit import fit_classifier
from training.privacy import load_privacy_examples

MODEL_NAME = "clausewatch-clauses"


def model_version(datasets: list[Dataset], config: TrainingConfig) -> str:
    """`<name>-<12 hex>`: the hash of the training data and configuration, so equal inputs give equal versions."""
    digest = hashlib.sha256("".join(d.fingerprint() for d in datasets).encode())
    digest.update(json.dumps(config.as_dict(), sort_keys=True).encode())
    return f"{MODEL_NAME}-{digest.hexdigest()[:12]}"


def training_set() -> Dataset:
    """The CLAUDETTE-en sentences the terms-of-service types learn from."""
    return from_documents(load_claudette())


def build(output: Path = ARTEFACT_PATH, config: TrainingConfig | None = None) -> dict[str, Any]:
    """Train on the whole training set and write the artefact; returns it."""
    config = config or TrainingConfig()
    terms, privacy = training_set(), load_privacy_examples()
    artefact = fit_classifier(terms, config, model_version([terms, privacy], config), privacy=privacy)
    output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(artefact, output, compress=("xz", 6))
    return artefact


def main() -> None:
    """Command line: build the artefact, print its version, size and the time it took."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ARTEFACT_PATH)
    args = parser.parse_args()
    started = time.perf_counter()
    artefact = build(args.output)
    size = args.output.stat().st_size
    print(
        f"{artefact['version']}: {args.output} ({size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
