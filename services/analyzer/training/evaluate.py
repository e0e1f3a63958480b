"""Document-level cross-validation of the clause classifier on CLAUDETTE-en.

    cd services/analyzer && uv run python -m training.evaluate [--folds 5] [--json results.json] [--predictions run.json]

Each outer fold trains a whole model (thresholds picked by its own inner folds) on the other documents and scores
the held-out ones, so the figures never see a threshold tuned on the sentences they count. Like the shipped model,
each fold also learns from our own labelled terms of service (data/own-terms and data/invented-terms), which are
never scored here; `--extra-terms FILE ...` trains on those files instead, and with no file leaves them out (the
configuration before docs/decisions/0107).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from clausewatch_analyzer.assess import Context
from clausewatch_analyzer.batch import assess_units
from clausewatch_analyzer.engine import Engine, engine_around, load_privacy
from clausewatch_analyzer.model.classifier import Classifier
from clausewatch_analyzer.model.labels import PRIVACY_TYPE_IDS
from training.build import training_set
from training.config import TrainingConfig
from training.corpus import load_claudette
from training.dataset import Dataset, concat, from_documents
from training.fit import fit_classifier
from training.metrics import TypeScore, macro_f1, score_types
from training.own_terms import load_own_terms, training_terms_files
from training.paraphrases import load_paraphrases, paraphrase_files, with_paraphrases
from training.predictions import FIGURES, UNFAIR_TOS_TYPES, HeldOutPredictions, load, save
from training.privacy import load_privacy_examples


@dataclass(frozen=True)
class CrossValidation:
    """Every held-out sentence of every fold, pooled, and the scores derived from them."""

    # Per held-out CLAUDETTE sentence, in order: its document, its tags, the model's prediction and the prediction
    # of the same line through `clausewatch classify --lines` (rules + model, severity for "unfair").
    held: HeldOutPredictions
    privacy: list[TypeScore]
    folds: int
    documents: int
    sentences: int


def predict_levels(classifier: Classifier, sentences: tuple[str, ...]) -> list[dict[str, int | None]]:
    """{type id: level} per sentence, as the analyzer reads the classifier's output."""
    return [{p.clause_type: p.level for p in found} for found in classifier.predict(list(sentences))]


def predict_like_cli(classifier: Classifier, lines: tuple[str, ...]) -> list[dict[str, int | None]]:
    """{type id: 2 or 1} per line, read the way the evaluation team reads `clausewatch classify --lines`.

    Each line goes through the analyzer's whole path (sentence split, rules, this clause model and the shipped
    privacy model, severity), as `build_engine` assembles it for the CLI with `classifier` in the model's place.
    """
    return engine_levels(engine_around(classifier, classifier.version, load_privacy()), lines)


def engine_levels(engine: Engine, lines: Sequence[str]) -> list[dict[str, int | None]]:
    """{type id: 2 or 1} per line through `engine`: a type counts as unfair (2) when the line's severity is medium
    or high, else as fair (1)."""
    predicted: list[dict[str, int | None]] = []
    for result in assess_units(list(lines), engine, Context()):
        level = 2 if result.severity.severity in {"medium", "high"} else 1
        predicted.append(dict.fromkeys(result.clause_types, level))
    return predicted


def outer_folds(dataset: Dataset, folds: int = 5) -> list[tuple[list[int], list[int]]]:
    """The outer folds by document: (training document indices, held-out document indices) per fold."""
    documents = np.arange(len(dataset.document_names))
    return [
        (train.tolist(), test.tolist())
        for train, test in GroupKFold(n_splits=folds).split(documents, groups=documents)
    ]


def add_extra_terms_option(parser: argparse.ArgumentParser) -> None:
    """`--extra-terms [FILE ...]`: our own labelled terms joining every fit (see `extra_terms`)."""
    parser.add_argument(
        "--extra-terms",
        type=Path,
        nargs="*",
        default=None,
        help="our own labelled terms files (JSONL) added to every training fold, never scored "
        "(default: the shipped ones in data/own-terms and data/invented-terms, as training.build uses them; "
        "give none to leave them out)",
    )


def extra_terms(files: list[Path] | None, *, key_sentences: bool = False) -> Dataset | None:
    """Our own labelled terms as a dataset: the shipped files when `files` is None, none when it is empty."""
    own = training_terms_files() if files is None else files
    return from_documents(load_own_terms(own, key_sentences=key_sentences)) if own else None


def cross_validate(
    dataset: Dataset,
    config: TrainingConfig,
    folds: int = 5,
    privacy: Dataset | None = None,
    extra: Dataset | None = None,
    learn_from: Dataset | None = None,
) -> CrossValidation:
    """Train on k-1 folds of documents, predict the last, for each fold; score all predictions together.

    With `privacy`, its groups are held out in turn too, and the privacy categories are scored on its held-out
    sentences only. `extra` terms documents (our own labels) join every training fold and are never scored, so
    the figures stay CLAUDETTE's held-out documents and say whether the extra data helps on them. `learn_from`
    holds the same documents as `dataset`, in the same order, with more sentences (paraphrases, decision 0193):
    training folds take their documents from it, held-out folds from `dataset`.
    """
    if learn_from is not None and learn_from.document_names != dataset.document_names:
        raise ValueError("learn_from must hold the same documents as dataset, in the same order")
    source = dataset if learn_from is None else learn_from
    gold: list[dict[str, int]] = []
    predicted: list[dict[str, int | None]] = []
    cli_predicted: list[dict[str, int | None]] = []
    privacy_gold: list[dict[str, int]] = []
    privacy_predicted: list[dict[str, int | None]] = []
    held_documents: list[str] = []
    for fold, (train_docs, test_docs) in enumerate(outer_folds(dataset, folds)):
        train, test = source.subset(train_docs), dataset.subset(test_docs)
        if extra is not None:
            train = concat(train, extra)
        held_privacy = train_privacy = None
        if privacy is not None:
            groups = sorted(set(privacy.groups))
            train_privacy = privacy.subset([g for g in groups if g % folds != fold])
            held_privacy = privacy.subset([g for g in groups if g % folds == fold])
        classifier = Classifier(fit_classifier(train, config, version="cv", privacy=train_privacy))
        predicted += predict_levels(classifier, test.sentences)
        cli_predicted += predict_like_cli(classifier, test.sentences)
        gold += list(test.labels)
        held_documents += [test.document_names[g] for g in test.groups]
        if held_privacy is not None:
            privacy_predicted += predict_levels(classifier, held_privacy.sentences)
            privacy_gold += list(held_privacy.labels)
    return CrossValidation(
        held=HeldOutPredictions(
            config=config.as_dict(),
            documents=tuple(held_documents),
            gold=tuple(gold),
            model=tuple(predicted),
            cli=tuple(cli_predicted),
        ),
        privacy=score_types(privacy_gold, privacy_predicted, PRIVACY_TYPE_IDS) if privacy else [],
        folds=folds,
        documents=len(dataset.document_names),
        sentences=len(dataset.sentences),
    )


def report(result: CrossValidation) -> str:
    """A Markdown table of per-type and macro figures."""
    lines = [
        f"{result.folds}-fold cross-validation by document: {result.documents} documents, "
        f"{result.sentences} sentences",
        "",
        *terms_table(result.held),
    ]
    if result.privacy:
        lines += [
            "",
            "Privacy categories on held-out groups of our own examples:",
            "",
            "| category | F1 | P | R |",
        ]
        lines.append("|---|---|---|---|")
        lines += [
            f"| {s.type_id} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} |" for s in result.privacy
        ]
        lines.append(f"| **macro** | **{macro_f1(result.privacy):.3f}** | | |")
    return "\n".join(lines)


def terms_table(held: HeldOutPredictions) -> list[str]:
    """Per-type and macro figures of the held-out CLAUDETTE sentences, their intervals, LexGLUE's counting."""
    lines = [
        "| type | F1 any level | P | R | F1 unfair (levels 2-3) | P | R | CLI F1 any | CLI F1 unfair |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    scores = held.scores
    for anyl, unfair, cli_any, cli_unfair in zip(*(scores[name] for name in FIGURES), strict=True):
        lines.append(
            f"| {anyl.type_id} | {anyl.f1:.3f} | {anyl.precision:.3f} | {anyl.recall:.3f} "
            f"| {unfair.f1:.3f} | {unfair.precision:.3f} | {unfair.recall:.3f} "
            f"| {cli_any.f1:.3f} | {cli_unfair.f1:.3f} |"
        )
    eight = {
        name: [s for s in scores[name] if s.type_id in UNFAIR_TOS_TYPES] for name in ("unfair", "cli_unfair")
    }
    macro = {name: macro_f1(scores[name]) for name in FIGURES}
    bounds = {name: f"{low:.3f}–{high:.3f}" for name, (low, high) in held.intervals.items()}
    return [
        *lines,
        f"| **macro, 9 types** | **{macro['any_level']:.3f}** | | | **{macro['unfair']:.3f}** | | "
        f"| **{macro['cli_any_level']:.3f}** | **{macro['cli_unfair']:.3f}** |",
        f"| macro, 8 UNFAIR-ToS types | | | | {macro_f1(eight['unfair']):.3f} | | | "
        f"| {macro_f1(eight['cli_unfair']):.3f} |",
        f"| LexGLUE's counting: the 8 + a 'no clause' class (0119; not the issue's measure) | | | "
        f"| {held.lexglue['model']:.3f} | | | | {held.lexglue['cli']:.3f} |",
        "",
        f"95 % intervals, held-out documents resampled 1,000 times: any level {bounds['any_level']}, "
        f"unfair {bounds['unfair']}; CLI any {bounds['cli_any_level']}, CLI unfair {bounds['cli_unfair']}",
    ]


def main() -> None:
    """Command line: run the cross-validation, print the table, optionally save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--predictions",
        type=Path,
        default=None,
        help="save every held-out sentence's predictions here, for training.compare",
    )
    parser.add_argument(
        "--terms-only", action="store_true", help="leave the privacy examples out (CLAUDETTE types only)"
    )
    parser.add_argument("--c-type", type=float, default=None, help="override the detectors' C (to compare)")
    parser.add_argument(
        "--c-level", type=float, default=None, help="override the level models' C (to compare)"
    )
    parser.add_argument(
        "--nb-c", type=float, default=None, help="add an NB-scaled detector with this C (to compare)"
    )
    parser.add_argument("--inner-folds", type=int, default=None, help="override the inner folds (to compare)")
    parser.add_argument(
        "--average-inner",
        action="store_true",
        help="ship the mean of the inner folds' detectors instead of a full fit (to compare; decision 0122)",
    )
    parser.add_argument(
        "--neighbours",
        type=int,
        default=None,
        help="override how many nearest training sentences vote (0: no vote; to compare, decision 0190)",
    )
    parser.add_argument("--neighbour-weight", type=float, default=None, help="override the vote's weight")
    add_extra_terms_option(parser)
    parser.add_argument(
        "--key-sentences",
        action="store_true",
        help="invented terms teach a type from a passage's first tagged sentence only (measured in 0111, not shipped)",
    )
    parser.add_argument(
        "--paraphrases",
        type=Path,
        nargs="*",
        default=None,
        help="paraphrases of CLAUDETTE's tagged lines, each learnt with its source document, never scored "
        "(decision 0193; a bare --paraphrases: the files in data/claudette-paraphrases)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        help="print the terms tables of a saved --predictions file instead of cross-validating",
    )
    args = parser.parse_args()
    if args.report is not None:
        held = load(args.report)
        print(f"{args.report}: {len(held.documents)} held-out sentences, configuration {held.config}\n")
        print("\n".join(terms_table(held)))
        return
    config = TrainingConfig()
    if args.c_type is not None:
        config = dataclasses.replace(config, c_type=args.c_type)
    if args.c_level is not None:
        config = dataclasses.replace(config, c_level=args.c_level)
    if args.nb_c is not None:
        config = dataclasses.replace(config, nb_c=args.nb_c)
    if args.inner_folds is not None:
        config = dataclasses.replace(config, inner_folds=args.inner_folds)
    if args.average_inner:
        config = dataclasses.replace(config, average_inner=True)
    if args.neighbours is not None:
        config = dataclasses.replace(config, neighbours=args.neighbours)
    if args.neighbour_weight is not None:
        config = dataclasses.replace(config, neighbour_weight=args.neighbour_weight)
    started = time.perf_counter()
    privacy = None if args.terms_only else load_privacy_examples()
    extra = extra_terms(args.extra_terms, key_sentences=args.key_sentences)
    learn_from = None
    if args.paraphrases is not None:
        paraphrases = load_paraphrases(args.paraphrases or paraphrase_files())
        learn_from = from_documents(with_paraphrases(load_claudette(), paraphrases))
    result = cross_validate(
        training_set(), config, args.folds, privacy=privacy, extra=extra, learn_from=learn_from
    )
    print(report(result))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.predictions is not None:
        save(result.held, args.predictions)
    if args.json is not None:
        scores = result.held.scores
        args.json.write_text(
            json.dumps(
                {
                    "config": config.as_dict(),
                    "macro_f1_any_level": macro_f1(scores["any_level"]),
                    "macro_f1_unfair": macro_f1(scores["unfair"]),
                    "macro_f1_privacy": macro_f1(result.privacy),
                    "cli_macro_f1_any_level": macro_f1(scores["cli_any_level"]),
                    "cli_macro_f1_unfair": macro_f1(scores["cli_unfair"]),
                    "intervals_95": result.held.intervals,
                    "lexglue_counting": result.held.lexglue,
                    "privacy": {s.type_id: s.f1 for s in result.privacy},
                    "per_type": {
                        a.type_id: {
                            "f1_any_level": a.f1,
                            "f1_unfair": u.f1,
                            "cli_f1_any_level": ca.f1,
                            "cli_f1_unfair": cu.f1,
                        }
                        for a, u, ca, cu in zip(*(scores[name] for name in FIGURES), strict=True)
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
