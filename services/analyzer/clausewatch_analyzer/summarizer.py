"""An optional summariser behind an OpenAI-compatible endpoint: rewrites "what it is" in plain words.

Off by default and never required: any error, timeout or odd answer keeps the template text (decision 0034).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import structlog

log = structlog.get_logger("clausewatch.analyzer")

_SYSTEM = (
    "You explain clauses of online platforms' terms and privacy policies to consumers. In one or two plain "
    "sentences, say what the clause states. Do not give legal advice. Quote no more than the text supports."
)
_MAX_CHARS = 600


@dataclass(frozen=True)
class Summarizer:
    """Calls `{base_url}/chat/completions` with the clause and the analyzer's findings."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 20.0

    async def what_it_is(
        self, clause: str, platform: str, clause_type: str, fallback: str
    ) -> tuple[str, str]:
        """Return (text, generated_by): the model's summary, or the fallback and "templates" on any failure."""
        payload: dict[str, Any] = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _SYSTEM},
                {
                    "role": "user",
                    "content": f"Platform: {platform}\nClause type: {clause_type}\nClause: {clause[:4000]}",
                },
            ],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.base_url.rstrip("/") + "/chat/completions", json=payload, headers=headers
                )
                response.raise_for_status()
                text = str(response.json()["choices"][0]["message"]["content"]).strip()
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            log.warning("summarizer_failed_using_template", error=f"{type(exc).__name__}: {exc}")
            return fallback, "templates"
        if not text:
            return fallback, "templates"
        return text[:_MAX_CHARS], f"summarizer:{self.model}"
