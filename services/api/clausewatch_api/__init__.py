"""clausewatch api: the one HTTP front. JSON API under /api/v1, Atom feeds under /feeds, and server-rendered
pages for latest changes, platforms, documents, provisions (with a citation record whose SHA-256 is re-verified),
change sets (side-by-side word diffs with their classification) and search."""
