"""Hyper-parameters of the clause classifier, chosen by document-level cross-validation on CLAUDETTE-en only."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides the trained artefact besides the data (its hash is part of the model version)."""

    word_ngrams: tuple[int, int] = (1, 3)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2
    # Inverse regularisation of the per-type detectors and of the level models.
    c_type: float = 10.0
    c_level: float = 10.0
    # Folds (by document) of the inner cross-validation that picks thresholds and calibrates confidences.
    inner_folds: int = 5
    seed: int = 20260501
    n_jobs: int = 2
    # C of a second detector per type over NB-scaled features, averaged with the first (fit._with_nb_view);
    # None: the first detector alone.
    nb_c: float | None = None
    # True: the shipped detectors are the mean of the inner folds' detectors (whose out-of-fold scores chose the
    # thresholds) instead of one more fit on all the data (measured in decision 0122). False: the full fit.
    average_inner: bool = False
    # The nearest-sentence vote beside the terms types' detectors (decision 0190): how many training sentences
    # vote (0: none), how sharply closer ones count (similarity ** power) and the vote's weight in the score.
    neighbours: int = 10
    neighbour_power: float = 3.0
    neighbour_weight: float = 2.0
    # Words in more than this share of the memory's sentences ("the", "you", "to") are left out of the vote: they
    # weigh little in a similarity and made up nine tenths of the postings a query reads (64,155 → 7,158).
    neighbour_max_df: float = 0.1

    def as_dict(self) -> dict[str, object]:
        """The configuration as plain data, for the artefact and its version hash."""
        plain = asdict(self)
        # Settings at their "off" value are left out, so the configuration hashes as before they existed.
        if plain["nb_c"] is None:
            del plain["nb_c"]
        if not plain["average_inner"]:
            del plain["average_inner"]
        if not plain["neighbours"]:
            for key in ("neighbours", "neighbour_power", "neighbour_weight", "neighbour_max_df"):
                del plain[key]
        return plain
