"""The analyzer's settings (environment prefix `CLAUSEWATCH_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from clausewatch_shared.settings import CommonSettings


class AnalyzerSettings(CommonSettings):
    """Where the trained model is, whether to use it, and the optional summariser (off by default)."""

    analyzer_use_model: bool = Field(
        default=True, description="Use the trained classifier when its artefact exists."
    )
    analyzer_model_path: Path | None = Field(
        default=None, description="Classifier artefact; default: the shipped one."
    )
    analyzer_comparisons: int = Field(
        default=3, ge=0, le=10, description="Other platforms shown per provision."
    )
    summarizer_enabled: bool = Field(
        default=False, description="Rewrite 'what it is' with an LLM (never required)."
    )
    summarizer_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://host/v1."
    )
    summarizer_model: str = Field(
        default="gpt-4o-mini", description="Model name sent to the summariser endpoint."
    )
    summarizer_api_key: SecretStr | None = Field(
        default=None, description="Bearer key of the summariser endpoint (secret)."
    )
    summarizer_timeout_seconds: float = Field(
        default=20.0, gt=0, description="Deadline of one summariser call; templates are used on timeout."
    )
