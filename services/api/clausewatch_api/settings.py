"""The api's settings: where it listens and which keys may write (env prefix `CLAUSEWATCH_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from clausewatch_shared.settings import CommonSettings


class ApiSettings(CommonSettings):
    """Settings of the HTTP front: bind address, write keys and page sizes."""

    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds (CLAUSEWATCH_HOST).")
    port: int = Field(
        default=8080, ge=0, le=65535, description="HTTP port (CLAUSEWATCH_PORT); 0 picks a free one."
    )
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Keys accepted for write endpoints (JSON list), besides CLAUSEWATCH_API_ADMIN_KEY.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or "
        "networks, `*` for any): behind an ingress or load balancer name it, or every visitor shares its address "
        "and with it the sign-up limit per client (decision 0169).",
    )
    page_size: int = Field(default=20, ge=1, le=200, description="Default number of items per page.")
    feed_size: int = Field(default=50, ge=1, le=500, description="Entries per Atom feed.")
    pdf_font: Path | None = Field(
        default=None,
        description="TrueType font embedded in provision records as PDF (any script it covers); default: DejaVu Sans "
        "where installed, else the PDF's built-in Helvetica (Latin-1 only).",
    )
    pdf_fallback_fonts: list[Path] | None = Field(
        default=None,
        description="TrueType fonts for characters the PDF font lacks, tried in order (a JSON list; [] for none); "
        "default: Droid Sans Fallback (Chinese, Japanese, Korean) where installed.",
    )

    def write_keys(self) -> list[str]:
        """Return every key that authorises a write, the admin key included."""
        keys = [k.get_secret_value() for k in self.api_keys]
        if self.api_admin_key is not None:
            keys.append(self.api_admin_key.get_secret_value())
        return [k for k in keys if k]
