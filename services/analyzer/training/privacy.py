"""Load clausewatch's own labelled privacy-policy sentences (data/privacy-examples/examples.tsv)."""

from __future__ import annotations

import re
from pathlib import Path

from clausewatch_analyzer.model.labels import PRIVACY_TYPE_IDS
from training.dataset import Dataset

EXAMPLES = Path(__file__).parent / "data" / "privacy-examples" / "examples.tsv"

# Terms-of-service sentences that speak of personal data may well be privacy provisions nobody labelled as such:
# they are left out of the privacy categories' negatives rather than taught as counter-examples.
PRIVACY_WORDS = re.compile(
    r"privacy|personal (data|information)|cookie|your (data|information)|collect|retain|retention|"
    r"opt[- ]?out|do not track|children|minors|encrypt|secur",
    re.IGNORECASE,
)


def load_privacy_examples(path: Path = EXAMPLES, first_group: int = 1000) -> Dataset:
    """Read the TSV into a Dataset; label values are 1 (privacy categories have no level).

    Groups are numbered from `first_group` so they never collide with CLAUDETTE's document numbers.
    """
    sentences: list[str] = []
    labels: list[dict[str, int]] = []
    groups: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        group, tags, sentence = line.split("\t")
        found = {} if tags == "-" else dict.fromkeys(tags.split(), 1)
        unknown = set(found) - set(PRIVACY_TYPE_IDS)
        if unknown:
            raise ValueError(f"{path.name}:{number}: unknown categories {sorted(unknown)}")
        sentences.append(sentence)
        labels.append(found)
        groups.append(first_group + int(group))
    names = tuple(f"privacy-examples-{g - first_group}" for g in sorted(set(groups)))
    return Dataset(tuple(sentences), tuple(labels), tuple(groups), names)
