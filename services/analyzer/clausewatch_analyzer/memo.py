"""Never classify the same text twice: sentence labels and provision results reused across versions and documents.

A new version of a policy repeats almost every sentence of the one before, and the change-set use case re-reads
texts the version use case has just assessed. Classification is deterministic, so both are served from memory:

- sentence labels, keyed by (classifier fingerprint, hash of the whitespace-normalised sentence): only sentences
  never seen are classified, all of a call's new sentences in one batch through the model (batching was ~100×
  cheaper per sentence while the model ran scikit-learn, whose per-call overhead is input validation; decision 0114
  removed that library from prediction);
- provision results, keyed by (fingerprint, hash of the exact text, context), since opt-outs read the raw text and
  the texts name the platform.

The fingerprint is the classifier's version (rules, code and model; decision 0163), a hash of the rules as compiled
(so an edited pattern never reuses labels of the old one) and the model object's identity. How labels are decided
stays in classify.py: the cache only ever holds what `Classifier.classify_sentences` returned for that sentence,
which depends on nothing but the sentence (tests/unit/analyzer/test_memo.py proves outputs equal a full run).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from clausewatch_analyzer.assess import Context, ProvisionResult, result_from_labels
from clausewatch_analyzer.classify import Classifier, Label
from clausewatch_analyzer.regulations import Catalogue
from clausewatch_analyzer.segment import split_sentences
from clausewatch_analyzer.taxonomy import Taxonomy

K = TypeVar("K")
V = TypeVar("V")

SENTENCES_MAX = 100_000
RESULTS_MAX = 20_000
_BATCH = 2048
# (classifier fingerprint, text hash, (platform name, document title, jurisdictions, document type))
_ResultKey = tuple[str, bytes, tuple[str, str, tuple[str, ...], str | None]]


class LRU(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entry; safe to share between threads."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        # Assessments run in worker threads (asyncio.to_thread), possibly two at once.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        """Return the value for `key` (marking it recently used), or None."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store `value`, evicting the least recently used entries beyond `maxsize`."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()


def text_hash(text: str) -> bytes:
    """A short digest of a text (16 bytes: collisions are not a practical concern at catalogue scale)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def rules_fingerprint(taxonomy: Taxonomy) -> str:
    """A digest of everything in the taxonomy that decides labels: patterns, weights, excludes, yields, implies."""
    digest = hashlib.blake2b(digest_size=12)
    for clause_type in taxonomy.types.values():
        parts = [
            clause_type.id,
            *(f"{p.regex.pattern}\x00{p.regex.flags}\x00{p.weight}" for p in clause_type.patterns),
            *(f"x{ex.pattern}\x00{ex.flags}" for ex in clause_type.excludes),
            *(f"y{t}" for t in clause_type.yields_to),
            f"u{clause_type.yields_unless.pattern if clause_type.yields_unless else ''}",
            *(f"i{t}" for t in clause_type.implies),
            f"c{clause_type.claudette_code}",
        ]
        digest.update("\x01".join(parts).encode())
    return digest.hexdigest()


def classifier_fingerprint(classifier: Classifier) -> str:
    """What identifies a classifier's outputs: its version, its rules as compiled and its model objects."""
    return (
        f"{classifier.version}|{rules_fingerprint(classifier.taxonomy)}|{id(classifier.model)}"
        f"|{id(classifier.privacy_model)}"
    )


@dataclass
class Memo:
    """The caches of one engine (one per process); `classified` counts sentences actually classified."""

    sentences: LRU[tuple[str, bytes], list[Label]] = field(default_factory=lambda: LRU(SENTENCES_MAX))
    results: LRU[_ResultKey, ProvisionResult] = field(default_factory=lambda: LRU(RESULTS_MAX))
    classified: int = 0
    # (ids of classifier, taxonomy, model; version) -> (fingerprint, the objects themselves): holding the objects
    # keeps their ids from being reused by new objects while their entries exist.
    _fingerprints: dict[tuple[int, int, int, str], tuple[str, tuple[object, ...]]] = field(
        default_factory=dict
    )

    def fingerprint(self, classifier: Classifier) -> str:
        """The classifier's fingerprint, computed once per (classifier, taxonomy, model, version)."""
        objects = (classifier, classifier.taxonomy, classifier.model)
        ident = (id(classifier), id(classifier.taxonomy), id(classifier.model), classifier.version)
        found = self._fingerprints.get(ident)
        if found is None:
            found = self._fingerprints[ident] = (classifier_fingerprint(classifier), objects)
        return found[0]

    def sentence_labels(self, classifier: Classifier, sentences: Sequence[str]) -> list[list[Label]]:
        """Return each sentence's labels, classifying only those not seen before (once each, in batches)."""
        fingerprint = self.fingerprint(classifier)
        keys = [(fingerprint, text_hash(s)) for s in sentences]
        found: dict[tuple[str, bytes], list[Label]] = {}
        missing: dict[tuple[str, bytes], str] = {}
        for key, sentence in zip(keys, sentences, strict=True):
            if key in found or key in missing:
                continue
            labels = self.sentences.get(key)
            if labels is None:
                missing[key] = sentence
            else:
                found[key] = labels
        todo = list(missing.items())
        for start in range(0, len(todo), _BATCH):
            chunk = todo[start : start + _BATCH]
            computed = classifier.classify_sentences([s for _, s in chunk])
            for (key, _), labels in zip(chunk, computed, strict=True):
                self.sentences.put(key, labels)
                found[key] = labels
        self.classified += len(todo)
        return [found[key] for key in keys]

    def provision_labels(
        self, classifier: Classifier, texts: Sequence[str], *, doc_type: str | None = None
    ) -> list[list[Label]]:
        """Return each provision's labels, as `Classifier.classify_provision` would, sentences batched and reused."""
        per_text = [split_sentences(text) for text in texts]
        flat = self.sentence_labels(classifier, [s for sentences in per_text for s in sentences])
        readings = classifier.privacy_readings(texts, doc_type=doc_type)
        out: list[list[Label]] = []
        start = 0
        for sentences, reading in zip(per_text, readings, strict=True):
            chunk = flat[start : start + len(sentences)]
            start += len(sentences)
            out.append(classifier.provision_labels(chunk, sentences, reading, doc_type=doc_type))
        return out

    def assess(
        self, classifier: Classifier, catalogue: Catalogue, texts: Sequence[str], context: Context
    ) -> list[ProvisionResult]:
        """Return each text's ProvisionResult (as `assess_provision` would), computing only texts not seen before."""
        fingerprint = self.fingerprint(classifier)
        scope = (
            context.platform_name,
            context.document_title,
            tuple(context.jurisdictions),
            context.doc_type,
        )
        keys = [(fingerprint, text_hash(text), scope) for text in texts]
        cached = [self.results.get(key) for key in keys]
        todo = list(dict.fromkeys(t for t, r in zip(texts, cached, strict=True) if r is None))
        labels = self.provision_labels(classifier, todo, doc_type=context.doc_type)
        computed = {
            text: result_from_labels(text, text_labels, classifier, catalogue, context)
            for text, text_labels in zip(todo, labels, strict=True)
        }
        results = []
        for key, text, result in zip(keys, texts, cached, strict=True):
            if result is None:
                result = computed[text]
                self.results.put(key, result)
            results.append(result)
        return results
