"""JSON for the commands' standard output: readable text, and one record per line whatever the text holds.

`ensure_ascii=False` keeps "é" and "—" as they are, but also leaves U+0085, U+2028 and U+2029 raw, and Python's
`str.splitlines()` (like some other readers) ends a line at each of them: a provision quoting a web page that holds
one would split a JSONL record in two. JSON escapes control characters itself; these three are escaped here.
"""

from __future__ import annotations

import json
from typing import Any

_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Return `value` as JSON with non-ASCII text kept, and no character a line reader would break a line at."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_LINE_BREAKS)
