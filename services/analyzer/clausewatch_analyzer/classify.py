"""Multi-label clause tagging per sentence and per provision: the trained model's predictions combined with rules.

How the two are combined (docs/decisions/0031):
- a type both the model and a rule find gets the higher confidence plus a small agreement bonus;
- a type only the model finds keeps the model's confidence, and the whole sentence is its evidence;
- a type only a rule finds is kept when the model does not know that type (the privacy and AI types), or when
  the model is absent; for a type the model knows, the model's silence wins (rules overriding it measured worse);
- implied types (selling data is a kind of third-party sharing) are added with the implying label's evidence.
The model is optional: without it the rules alone tag every type, and the service logs that it runs rules-only.

A provision of paragraph size is also read whole by the privacy-category model (decision 0188): a privacy category
only the rules found stands unless the model all but rules it out, and the model adds a category the rules missed
when it is confident of it. It is optional too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

from clausewatch_analyzer.identity import rules_version
from clausewatch_analyzer.model.privacy import PRIVACY_MODEL, SILENT, PrivacyReading
from clausewatch_analyzer.polarity import advises_reader, denies_practice, names_no_practice
from clausewatch_analyzer.rules import match_rules
from clausewatch_analyzer.segment import split_sentences, table_cells
from clausewatch_analyzer.severity import label_severity, stated_call
from clausewatch_analyzer.taxonomy import SEVERITY_RANK, Taxonomy
from clausewatch_shared.doctypes import DOC_TYPES

# The document types the privacy-category model reads (besides texts of unknown type): it learnt from privacy-policy
# paragraphs, and on terms of service it found collection in "We do not conduct background screenings" (0188).
PRIVACY_DOC_TYPES = frozenset(
    {"Privacy Policy", "Cookie Policy", "Supplemental Privacy Notice", "AI Model Training Policy"}
)
_PRIVACY_DOC_SLUGS = frozenset(DOC_TYPES[name] for name in PRIVACY_DOC_TYPES)

# In a privacy document, a terms type that gives way to the privacy category read in the same sentence (0203).
_PRIVACY_READINGS = {"unilateral_change": "policy_change"}

AGREEMENT_BONUS = 0.1
IMPLIED_FACTOR = 0.9
_EVIDENCE_MAX = 400


class PredictionLike(Protocol):
    """What the trained model returns per label (clausewatch_analyzer.model.Prediction)."""

    clause_type: str
    confidence: float
    level: int | None


class ModelLike(Protocol):
    """The trained model's interface: a batch of texts in, a list of predictions per text out."""

    def predict(self, texts: list[str]) -> list[list[Any]]: ...


class PrivacyReaderLike(Protocol):
    """The privacy-category model's interface (clausewatch_analyzer.model.PrivacyModel)."""

    version: str
    keep: Mapping[str, float]
    add: float

    def read(self, texts: Sequence[str]) -> list[PrivacyReading]: ...


@dataclass(frozen=True)
class Label:
    """One clause type on one sentence or provision, with how sure we are and the words that support it."""

    clause_type: str
    confidence: float
    phrase: str
    evidence: str
    level: int | None = None
    source: str = "rules"
    # every sentence's phrase for this type in a provision, `phrase` among them (merge_labels fills it; empty on a
    # sentence's own label); the yields' `unless` reads it
    phrases: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # The text states that the type's practice does not happen ("We do not sell your personal data"): on a
    # provision's label, every sentence with the type denies it (decision 0141).
    denied: bool = False
    # The sentence before the evidence when the evidence opens by pointing back to it ("This process involves …
    # biometric identifiers" after "We may collect voice recordings when you choose to use the voice features"):
    # severity rules read both (session 20). Empty on a sentence's own label.
    antecedent: str = field(default="", compare=False, repr=False)
    # The whole sentence the evidence was cut from (evidence keeps its first 400 characters for display): Reddit's
    # indemnity names the attorneys' fees the user must cover 500 characters in (session 20). A table row runs on
    # as one "sentence" of many cells, and is kept whole too. Empty on a sentence's own label.
    sentence: str = field(default="", compare=False, repr=False)

    @property
    def rule_texts(self) -> tuple[str, ...]:
        """What severity rules read: the evidence's whole sentence, after its antecedent when it has one; a table
        row cell by cell.

        A rule reading a row as one text joins words of one cell to another's (Bumble's purposes table read as
        sensitive data shared with others, session 20); a rule reading only the row's first 400 characters misses
        a later cell (Bumble's marketing providers "on third-party websites"). Each cell is read whole, and a
        rule holds for the row when it holds for one of its cells: a row's cells all speak of the row's subject.
        """
        own = self.sentence or self.evidence
        parts = table_cells(own) or (own,)
        return tuple(f"{self.antecedent} {part}" for part in parts) if self.antecedent else parts

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (stored in assessment rows and printed by the CLI)."""
        return {
            "id": self.clause_type,
            "confidence": round(self.confidence, 3),
            "phrase": self.phrase,
            "evidence": self.evidence,
            "level": self.level,
            "source": self.source,
            **({"denied": True} if self.denied else {}),
        }


def is_privacy_document(doc_type: str | None) -> bool:
    """Whether a document of this type is known to be a privacy text; the type by its name or its slug
    ("privacy-policy"). None (type unknown) is not known to be one."""
    return doc_type in PRIVACY_DOC_TYPES or doc_type in _PRIVACY_DOC_SLUGS


def reads_privacy(doc_type: str | None) -> bool:
    """Whether the privacy-category model reads provisions of a document of this type (None: type unknown)."""
    return doc_type is None or is_privacy_document(doc_type)


def model_clause_types(model: object | None, taxonomy: Taxonomy) -> frozenset[str]:
    """Return the clause types the model was trained on (its `types`, else the CLAUDETTE types)."""
    if model is None:
        return frozenset()
    declared = (
        getattr(model, "types", None)
        or getattr(model, "clause_types", None)
        or getattr(model, "labels", None)
    )
    if declared:
        return frozenset(str(t) for t in declared if str(t) in taxonomy)
    return frozenset(t.id for t in taxonomy.types.values() if t.claudette_code)


class Classifier:
    """Tags sentences and provisions with clause types; holds the taxonomy and the optional trained model."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        model: ModelLike | None = None,
        model_version: str = "none",
        privacy_model: PrivacyReaderLike | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.model_version = model_version
        self.model_types = model_clause_types(model, taxonomy)
        self.privacy_model = privacy_model

    @cached_property
    def version(self) -> str:
        """Identifies rules, code and models, so an upgrade that reads provisions otherwise re-assesses them instead
        of mixing results: "r" and six hex digits for the rules, code and privacy model (decisions 0163, 0188), then
        the clause model's version (40 characters in all, the stored column's width)."""
        privacy = self.privacy_model.version if self.privacy_model is not None else "none"
        return f"r{rules_version(self.taxonomy, privacy)}-{self.model_version}"[:40]

    def classify_sentences(self, sentences: Sequence[str]) -> list[list[Label]]:
        """Return the labels of each sentence, in order (an empty sentence has none)."""
        predictions = self._predict(sentences)
        return [
            self._combine(sentence, preds) if sentence.strip() else []
            for sentence, preds in zip(sentences, predictions, strict=True)
        ]

    def classify_provision(self, text: str, *, doc_type: str | None = None) -> list[Label]:
        """Return a provision's labels: per type, the most confident sentence's label (its evidence), or another
        sentence's that states a more severe reading of the type (decision 0164); the privacy categories as the
        privacy-category model and the rules read them together (0188), in a document whose type (None: unknown)
        the privacy model reads; in a privacy document, as `in_privacy_document` reads it (0203)."""
        sentences = split_sentences(text)
        per_sentence = self.classify_sentences(sentences)
        [reading] = self.privacy_readings([text], doc_type=doc_type)
        return self.provision_labels(per_sentence, sentences, reading, doc_type=doc_type)

    def privacy_readings(self, texts: Sequence[str], *, doc_type: str | None = None) -> list[PrivacyReading]:
        """The privacy-category model's reading of each provision of a document of this type (silent ones without
        the model, or where `reads_privacy` says the model does not read the type)."""
        if self.privacy_model is None or not reads_privacy(doc_type) or not texts:
            return [SILENT] * len(texts)
        return self.privacy_model.read(texts)

    def provision_labels(
        self,
        per_sentence: Sequence[Sequence[Label]],
        sentences: Sequence[str],
        reading: PrivacyReading,
        *,
        doc_type: str | None = None,
    ) -> list[Label]:
        """A provision's labels from its sentences' labels and the privacy model's reading of it; in a privacy
        document (`is_privacy_document(doc_type)`), each sentence's labels as `in_privacy_document` keeps them."""
        if is_privacy_document(doc_type):
            per_sentence = [self.in_privacy_document(labels) for labels in per_sentence]
        merged = apply_yields(merge_labels(per_sentence, sentences, self.taxonomy), self.taxonomy)
        if self.privacy_model is None or not reading.probabilities:
            return merged
        return self._read_privacy(merged, sentences, reading, self.privacy_model)

    def in_privacy_document(self, labels: Sequence[Label]) -> list[Label]:
        """A sentence's labels as a privacy document is read (decision 0203).

        A terms type that only the clause model found is dropped: the model learnt from terms of service, and on
        privacy policies two in three of its lone terms-type labels named no power of the provider at all
        ("Government agencies … may disclose" and "Customer Support Data" as unilateral termination, "Regularly
        change your password" as unilateral change). Where one of the type's rules agrees ("we reserve the right
        to terminate … your Account"), the label stands. And a type that a privacy category reads more finely
        gives way to it in the same sentence: the provider changing its privacy policy is `policy_change`, whose
        severity reads the notice given, not a terms-of-service change at medium whatever the notice.
        """
        present = {label.clause_type for label in labels}
        return [
            label
            for label in labels
            if not (label.source == "model" and label.clause_type in self.model_types)
            and _PRIVACY_READINGS.get(label.clause_type) not in present
        ]

    def _read_privacy(
        self,
        labels: list[Label],
        sentences: Sequence[str],
        reading: PrivacyReading,
        model: PrivacyReaderLike,
    ) -> list[Label]:
        """The rules' privacy categories the model does not rule out, and those it finds that the rules missed.

        Only a rule's own label can be ruled out: an implied one stands with the label that implies it (selling
        data is sharing it, whatever the model reads).
        """
        kept = [
            label
            for label in labels
            if label.source != "rules" or reading.keeps(label.clause_type, model.keep)
        ]
        present = {label.clause_type for label in kept}
        rereadings: dict[str, tuple[list[str], PrivacyReading]] = {}  # by the advice sentence left out
        for clause_type, probability in reading.probabilities.items():
            if clause_type in present or probability < model.add or clause_type not in self.taxonomy:
                continue
            label = self._privacy_label(
                clause_type, probability, reading.evidence.get(clause_type), sentences
            )
            if label is not None and self._reads(advises_reader, clause_type, label.sentence, label.phrase):
                # "Don't share your location with strangers": advice to the reader is not about the company's
                # practices at all, so the category must stand on the provision's other sentences (decision 0196).
                # A question the law asks or a section's title still has the category's topic (0197).
                if label.sentence not in rereadings:
                    rest = [s for s in sentences if s.strip() and s.strip() != label.sentence]
                    [again] = model.read([" ".join(s.strip() for s in rest)]) if rest else [SILENT]
                    rereadings[label.sentence] = (rest, again)
                rest, again = rereadings[label.sentence]
                found = again.probabilities.get(clause_type, 0.0)
                label = (
                    None
                    if found < model.add
                    else self._privacy_label(clause_type, found, again.evidence.get(clause_type), rest)
                )
            if label is not None:
                kept.append(label)
        return sorted(kept, key=lambda lab: self.taxonomy.order[lab.clause_type])

    def _privacy_label(
        self, clause_type: str, probability: float, phrase: str | None, sentences: Sequence[str]
    ) -> Label | None:
        """The privacy model's label for a category, placed in the sentence holding its phrase; None where the
        type's exclude patterns rule that sentence out (they bind every reader, the rules' and the models', 0130)."""
        sentence = _sentence_with(sentences, phrase)
        if any(ex.search(sentence) for ex in self.taxonomy[clause_type].excludes):
            return None
        return Label(
            clause_type,
            probability,
            phrase or sentence[:200],
            sentence[:_EVIDENCE_MAX],
            source=PRIVACY_MODEL,
            sentence=sentence,
            # "We do not share …" is a commitment, whoever reads it (decision 0141)
            denied=self._reads(denies_practice, clause_type, sentence, phrase) if phrase else False,
        )

    def _predict(self, sentences: Sequence[str]) -> list[list[Any]]:
        if self.model is None:
            return [[] for _ in sentences]
        texts = [s if s.strip() else "" for s in sentences]
        result = self.model.predict(texts)
        if len(result) != len(texts):
            msg = f"model returned {len(result)} predictions for {len(texts)} texts"
            raise RuntimeError(msg)
        return result

    def _reads(
        self, reading: Callable[[str, int, int], bool], clause_type: str, sentence: str, phrase: str
    ) -> bool:
        """Whether `reading` (`polarity.denies_practice`, `advises_reader` or `names_no_practice`) holds for the
        practice a type's phrase names in the sentence; never for a type without a `practice`. A rule's hit that
        names its practice without stating it ("Never share your password with anyone"; "obligations for businesses
        that sell personal information") makes no label (decisions 0196, 0197)."""
        if not self.taxonomy[clause_type].practice:
            return False
        start = sentence.find(phrase)
        return start >= 0 and reading(sentence, start, start + len(phrase))

    def _combine(self, sentence: str, predictions: Iterable[Any]) -> list[Label]:
        evidence = sentence.strip()[:_EVIDENCE_MAX]
        by_model = {
            p.clause_type: p
            for p in predictions
            if p.clause_type in self.taxonomy and float(p.confidence) > 0
        }
        labels: dict[str, Label] = {}
        for hit in match_rules(sentence, self.taxonomy):
            model_pred = by_model.pop(hit.clause_type, None)
            if model_pred is not None:
                confidence = min(0.99, max(float(model_pred.confidence), hit.weight) + AGREEMENT_BONUS)
                labels[hit.clause_type] = Label(
                    hit.clause_type, confidence, hit.phrase, evidence, model_pred.level, "model+rules"
                )
            elif hit.clause_type not in self.model_types and not self._reads(
                names_no_practice, hit.clause_type, sentence, hit.phrase
            ):
                labels[hit.clause_type] = Label(
                    hit.clause_type,
                    hit.weight,
                    hit.phrase,
                    evidence,
                    denied=self._reads(denies_practice, hit.clause_type, sentence, hit.phrase),
                )
            # A type the model knows and did not find stays out: letting rules override its silence lowered
            # CLAUDETTE macro-F1 from 0.622 to 0.491 in 3-fold CV (scripts/combined_cv.py, decision 0031).
        for clause_type, pred in by_model.items():
            # The type's exclude patterns name contexts where it cannot apply; they bind the model as they bind
            # the rules (decision 0130).
            if any(ex.search(sentence) for ex in self.taxonomy[clause_type].excludes):
                continue
            phrase = getattr(pred, "evidence", None) or evidence[:200]
            labels[clause_type] = Label(
                clause_type, float(pred.confidence), phrase, evidence, pred.level, "model"
            )
        for label in list(labels.values()):
            for implied in self.taxonomy[label.clause_type].implies:
                if implied not in labels:
                    labels[implied] = replace(
                        label,
                        clause_type=implied,
                        confidence=label.confidence * IMPLIED_FACTOR,
                        level=None,
                        source="implied",
                    )
        return sorted(labels.values(), key=lambda lab: self.taxonomy.order[lab.clause_type])


def merge_labels(
    per_sentence: Iterable[Iterable[Label]], sentences: Sequence[str] = (), taxonomy: Taxonomy | None = None
) -> list[Label]:
    """Merge sentence labels into provision labels: one per type, the most confident (ties: the first sentence,
    unless it is a bare title and a later one says more).

    Each merged label keeps, in `phrases`, the phrase of every sentence that has its type, so a yield's `unless`
    can be checked against all of them (decision 0106), not only the most confident sentence's phrase. It is
    `denied` only when every one of those sentences denies the practice (0141): one sentence stating it is enough.
    Given the provision's `sentences`, a label whose sentence points back ("This process …") keeps the sentence
    before it as its `antecedent`. Given the taxonomy, another sentence of the type whose own words state a more
    severe reading (a severity rule or a CLAUDETTE level) is the evidence instead (decision 0164); the label keeps
    the type's best confidence.
    """
    every: dict[str, list[tuple[int, Label]]] = {}  # per type, each sentence's index and label, in order
    best: dict[str, tuple[int, Label]] = {}  # per type, the chosen sentence's index and label
    denied: dict[str, bool] = {}
    for index, labels in enumerate(per_sentence):
        for label in labels:
            every.setdefault(label.clause_type, []).append((index, label))
            denied[label.clause_type] = denied.get(label.clause_type, True) and label.denied
            current = best.get(label.clause_type)
            if current is None or label.confidence > current[1].confidence or _states_more(label, current[1]):
                best[label.clause_type] = (index, label)
    merged = []
    for t, (index, label) in best.items():
        phrases = tuple(other.phrase for _, other in every[t])
        chosen = replace(_in_context(label, sentences, index), phrases=phrases, denied=denied[t])
        if taxonomy is not None and len(every[t]) > 1:
            chosen = _most_severe_statement(chosen, index, every[t], sentences, taxonomy)
        merged.append(chosen)
    return merged


def _sentence_with(sentences: Sequence[str], phrase: str | None) -> str:
    """The first sentence holding `phrase` (the words that weighed most for a category), else the longest one."""
    candidates = [s.strip() for s in sentences if s.strip()]
    if not candidates:
        return ""
    if phrase:
        for sentence in candidates:
            if phrase in sentence:
                return sentence
    return max(candidates, key=len)


def _in_context(label: Label, sentences: Sequence[str], index: int) -> Label:
    """The sentence label with what severity rules read around it: its whole sentence and its antecedent."""
    return replace(
        label, antecedent=_antecedent(sentences, index), sentence=_whole_sentence(sentences, index)
    )


def _most_severe_statement(
    chosen: Label,
    index: int,
    candidates: Sequence[tuple[int, Label]],
    sentences: Sequence[str],
    taxonomy: Taxonomy,
) -> Label:
    """Return the merged label `chosen` (the most confident sentence's, at `index`), or, when another sentence of
    the type states a reading above what `chosen` implies, that sentence's label (the most severe such).

    Only a stated reading raises: a matched severity rule or a CLAUDETTE level. Another sentence's default or
    denial does not, or "**Biometric information.** Based on your consent, we may collect …" would be read on its
    title at the type's default, high, over the consent the next sentence states (session 20). A rule that lowers
    on one sentence does not lower another's statement: "Depending on your settings …" in one sentence does not
    qualify "we may show you ads … on other websites" in the next.
    """
    top = SEVERITY_RANK[label_severity(chosen, taxonomy).severity]
    merged = chosen
    for other_index, other in candidates:
        if other_index == index or other.source == "implied":
            continue
        candidate = _in_context(other, sentences, other_index)
        stated = stated_call(candidate, taxonomy)
        if stated is not None and SEVERITY_RANK[stated.severity] > top:
            # the type's best confidence, every phrase and the provision's denial stay the merged label's
            chosen = replace(
                candidate, confidence=merged.confidence, phrases=merged.phrases, denied=merged.denied
            )
            top = SEVERITY_RANK[stated.severity]
    return chosen


# A sentence that opens by pointing back: "This process involves …", "Such data may …"; not "This Privacy Policy",
# and not "That said, we may disclose …", which opens with a turn, not a reference.
_POINTS_BACK = re.compile(
    r"^\W*(?:this|these|such)\b(?!\s+(?:privacy|policy|policies|notice|terms?|agreements?|sections?"
    r"|documents?|statements?|websites?|sites?|apps?|services?|version)\b)",
    re.IGNORECASE,
)


def _antecedent(sentences: Sequence[str], index: int) -> str:
    """The sentence before `sentences[index]` when that one points back to it, else ""."""
    if 0 < index < len(sentences) and _POINTS_BACK.match(sentences[index]):
        # its end: a table row runs on as one "sentence", and what "this" points to is what was said last
        return sentences[index - 1].strip()[-_EVIDENCE_MAX:]
    return ""


def _whole_sentence(sentences: Sequence[str], index: int) -> str:
    """The sentence at `index` (a table row whole), or "" when there is none, and the evidence then stands."""
    return sentences[index].strip() if index < len(sentences) else ""


# A sentence of this many words or fewer is a title ("Biometric information."), not a statement.
_TITLE_WORDS = 4


def _states_more(label: Label, current: Label) -> bool:
    """Whether an equally confident sentence should be the label's evidence instead of a bare title: X's
    "**Biometric information.** Based on your consent, we may collect …" was judged on "Biometric information."
    and rated high, as if there were no consent (session 20); severity rules read the evidence sentence."""
    return label.confidence == current.confidence and len(current.evidence.split()) <= _TITLE_WORDS < len(
        label.evidence.split()
    )


def apply_yields(labels: list[Label], taxonomy: Taxonomy) -> list[Label]:
    """Drop rule-only labels of types that yield to another type kept in the unit (see taxonomy `yields`).

    A type yields only when none of its phrases (the label's own and, for a merged provision label, every
    sentence's phrase of that type: `Label.phrases`) matches its `unless` pattern, and only to labels that are
    not themselves implied and that are kept: in a chain (collection yields to security, security to
    international transfer) a label that is itself dropped removes nothing, so a transfer paragraph keeps its
    collection label when its security label yields to the transfer. Labels the model found are never dropped.

    Cycles (none in the taxonomy today): between types that yield to each other, directly or through other
    present types, a label yields to the others' labels when they are present, kept or not, as before this
    rule looked at survival. Both of a mutually yielding pair are then dropped, as the two `yields` entries
    literally say; the alternatives were worse surprises: a fixed order (e.g. the taxonomy's) would make the
    outcome depend on where a type is listed, and ignoring the cycle would drop neither. Yielding to a type
    outside the cycle still requires that type's label to be kept; cycles, each taken as one node, form a DAG,
    so deciding which labels are kept terminates.
    """
    present = {label.clause_type for label in labels if label.source != "implied"}
    # edges among present types; a type reaches itself only through a cycle
    reach = {t: _reachable(t, present, taxonomy) for t in present}
    kept_type: dict[str, bool] = {}

    def dropped(label: Label) -> bool:
        clause_type = taxonomy[label.clause_type]
        if label.source not in {"rules", "implied"}:
            return False
        if clause_type.yields_unless and any(
            clause_type.yields_unless.search(phrase) for phrase in label.phrases or (label.phrase,)
        ):
            return False
        own = reach.get(label.clause_type, set())
        for other in clause_type.yields_to:
            if other not in present:
                continue
            # inside a cycle presence decides (see above); outside it, only a kept label counts
            in_cycle = other in own and label.clause_type in reach[other]
            if in_cycle or is_kept(other):
                return True
        return False

    def is_kept(clause_type: str) -> bool:
        if clause_type not in kept_type:
            kept_type[clause_type] = any(
                not dropped(label)
                for label in labels
                if label.clause_type == clause_type and label.source != "implied"
            )
        return kept_type[clause_type]

    return [label for label in labels if not dropped(label)]


def _reachable(start: str, present: set[str], taxonomy: Taxonomy) -> set[str]:
    """The present types `start` yields to, directly or through other present types."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for other in taxonomy[todo.pop()].yields_to:
            if other in present and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen
