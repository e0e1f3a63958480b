"""Word diffs from the bundled histories, shared by the tests of the places that render them."""

from __future__ import annotations

# Bluesky's terms: a link's label reworded and its section anchor replaced by an absolute address, as the differ's
# word diff stores it, cut across runs (decision 0184).
RELABELLED_LINK: list[tuple[str, str]] = [
    ("=", "["),
    ("-", "Terms Required by the "),
    ("+", "Apple "),
    ("=", "App Store and Google Play"),
    ("+", " Required Terms"),
    ("=", "]("),
    ("-", "#app-play-terms"),
    ("+", "https://bsky.social/about/support/tos#app-stores"),
    ("=", ")"),
]
