"""Building the analyzer's engine once per process: taxonomy, regulation catalogue and the optional trained model.

The models are optional by design: if an artefact is missing or cannot be loaded, the analyzer logs that it runs
on rules only for what that model reads and carries on (docs/decisions/0031, 0188).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from clausewatch_analyzer.assess import Context, ProvisionResult
from clausewatch_analyzer.classify import Classifier
from clausewatch_analyzer.memo import Memo
from clausewatch_analyzer.regulations import Catalogue, load_catalogue
from clausewatch_analyzer.summarizer import Summarizer
from clausewatch_analyzer.taxonomy import TAXONOMY_PATH, Taxonomy, load_taxonomy

log = structlog.get_logger("clausewatch.analyzer")


@dataclass(frozen=True)
class Engine:
    """What assessing needs: the classifier (rules + model) and the regulation catalogue."""

    classifier: Classifier
    catalogue: Catalogue
    summarizer: Summarizer | None = None
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def assess(self, texts: Sequence[str], context: Context) -> list[ProvisionResult]:
        """Assess provision texts (as `assess_provision` would), reusing every text and sentence seen before."""
        return self.memo.assess(self.classifier, self.catalogue, texts, context)

    @property
    def taxonomy(self) -> Taxonomy:
        """The clause-type taxonomy."""
        return self.classifier.taxonomy


def load_model(path: Path | None = None, *, enabled: bool = True) -> tuple[object | None, str]:
    """Return (the trained model, its version), or (None, "rules") when it is disabled, missing or broken."""
    if not enabled:
        log.info("model_disabled_rules_only")
        return None, "rules"
    try:
        from clausewatch_analyzer.model import load_classifier

        model = load_classifier(path) if path is not None else load_classifier()
    except Exception as exc:  # a missing artefact, an old format, a missing module: all mean rules only
        log.warning("model_unavailable_rules_only", error=f"{type(exc).__name__}: {exc}")
        return None, "rules"
    version = str(getattr(model, "version", "model"))
    log.info("model_loaded", version=version, types=list(getattr(model, "types", []) or []))
    return model, version


def load_privacy(path: Path | None = None, *, enabled: bool = True) -> object | None:
    """The privacy-category model, or None when it is disabled, missing or broken (the rules then decide alone)."""
    if not enabled:
        return None
    try:
        from clausewatch_analyzer.model import load_privacy_model

        model = load_privacy_model(path)
    except Exception as exc:  # as for the clause model: anything that stops loading means rules only
        log.warning("privacy_model_unavailable_rules_only", error=f"{type(exc).__name__}: {exc}")
        return None
    log.info("privacy_model_loaded", version=model.version)
    return model


def build_engine(
    model_path: Path | None = None,
    *,
    use_model: bool = True,
    summarizer: Summarizer | None = None,
    taxonomy_path: Path | None = None,
) -> Engine:
    """Load the taxonomy (the shipped one, or `taxonomy_path` to compare rule sets), the catalogue and (if
    available) the model; attach the optional summariser."""
    model, version = load_model(model_path, enabled=use_model)
    return engine_around(
        model, version, load_privacy(enabled=use_model), summarizer=summarizer, taxonomy_path=taxonomy_path
    )


def engine_around(
    model: object | None,
    version: str,
    privacy_model: object | None,
    *,
    summarizer: Summarizer | None = None,
    taxonomy_path: Path | None = None,
) -> Engine:
    """The engine `build_engine` assembles, around models already loaded (training reads held-out lines through it
    with each cross-validation fold's clause model)."""
    classifier = Classifier(
        load_taxonomy(taxonomy_path or TAXONOMY_PATH),
        model,  # type: ignore[arg-type]
        model_version=version,
        privacy_model=privacy_model,  # type: ignore[arg-type]
    )
    return Engine(classifier, load_catalogue(), summarizer)
