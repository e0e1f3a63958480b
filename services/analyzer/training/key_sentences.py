"""Which of our invented terms' tags teach the model: the sentence that states a clause, not the ones that continue it.

CLAUDETTE's annotators tag the sentence that states a clause and mostly leave the sentences that go on with it
untagged; the writers of our invented terms (data/invented-terms) often tagged every sentence of a clause-bearing
passage. Learning "the next sentence of the same clause is positive" from ours and "is negative" from CLAUDETTE
pulls the detectors both ways. The rule here: in an invented document, a sentence that carries a type the sentence
before it also carries neither teaches that type nor counts against it. Measured in docs/decisions/0111
(`training.evaluate --key-sentences`): equal to learning from every tag within noise, so the shipped model learns
from every tag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def continuation_types(labels: Sequence[Mapping[str, int]]) -> tuple[frozenset[str], ...]:
    """Per sentence of one document, the types it shares with the sentence just before it."""
    continued = []
    previous: Mapping[str, int] = {}
    for row in labels:
        continued.append(frozenset(type_id for type_id in row if type_id in previous))
        previous = row
    return tuple(continued)
