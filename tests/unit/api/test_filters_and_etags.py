"""Filter parsing, severity ordering and ETag matching."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from clausewatch_api.filters import (
    FilterError,
    check_severities,
    json_list_pattern,
    max_severity,
    split_values,
)
from clausewatch_api.respond import etag_for, json_body, with_etag


def test_split_values_trims_and_drops_repeats() -> None:
    """Comma-separated values come back trimmed, in order, once each."""
    assert split_values(" gdpr, ccpa ,,gdpr") == ("gdpr", "ccpa")
    assert split_values(None) == ()


def test_unknown_severity_is_refused() -> None:
    """A severity outside high/medium/low/none raises a FilterError naming it."""
    with pytest.raises(FilterError, match="'severe'"):
        check_severities(("high", "severe"))


def test_max_severity_orders_high_over_low() -> None:
    """The most serious known severity wins; unknown values are ignored."""
    assert max_severity(["low", "high", "medium"]) == "high"
    assert max_severity(["bogus", None]) == "none"


def test_json_list_pattern_escapes_like_wildcards() -> None:
    """Ids containing % or _ cannot widen the LIKE match."""
    assert json_list_pattern("a_b%") == '%"a\\_b\\%"%'


def _request(if_none_match: str | None = None) -> Request:
    headers = [(b"if-none-match", if_none_match.encode())] if if_none_match else []
    return Request({"type": "http", "method": "GET", "headers": headers, "path": "/", "query_string": b""})


def test_json_body_is_stable_so_equal_data_has_equal_etags() -> None:
    """Key order does not change the body or its ETag."""
    assert json_body({"b": 1, "a": 2}) == json_body({"a": 2, "b": 1})


def test_matching_etag_gets_304_and_weak_form_matches_too() -> None:
    """If-None-Match with the current ETag (strong or W/) answers 304; another ETag gets the body."""
    body = b"hello"
    tag = etag_for(body)
    assert with_etag(_request(tag), body, "text/plain").status_code == 304
    assert with_etag(_request(f'W/{tag}, "other"'), body, "text/plain").status_code == 304
    assert with_etag(_request('"other"'), body, "text/plain").status_code == 200
    assert with_etag(_request(tag), body, "text/plain", conditional=False).status_code == 200
