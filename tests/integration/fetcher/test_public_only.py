"""Capturing documents added through the API: every hop must reach a public address, and never the browser."""

from __future__ import annotations

import shlex
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from clausewatch_fetcher.app import build_capturer, close_capturer
from clausewatch_fetcher.capture import Captured, Capturer, Failed, Target
from clausewatch_fetcher.settings import FetcherSettings
from tests.integration.fetcher.pages import policy_html, script_rendered_html
from tests.support.sites import VersionedSite

pytestmark = pytest.mark.integration

API_SPEC = {"origin": "api", "public_only": True, "javascript": "auto"}


@pytest.fixture
def site() -> Iterator[VersionedSite]:
    """A local site serving a policy, a script-rendered shell and a redirect to the cloud metadata address."""
    s = VersionedSite()
    s.set("/policy", policy_html())
    s.set("/shell", script_rendered_html("We collect the prompts you type."))
    s.set("/hop", b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    s.start()
    yield s
    s.stop()


async def _capturer(*, allow_private: bool) -> Capturer:
    return build_capturer(
        FetcherSettings(
            allow_private_document_urls=allow_private, browser_enabled=True, min_host_delay_seconds=0
        )
    )


@pytest.fixture
async def strict() -> AsyncIterator[Capturer]:
    """The fetcher's capturer under the default policy (private addresses refused for API documents)."""
    capturer = await _capturer(allow_private=False)
    yield capturer
    await close_capturer(capturer)


@pytest.fixture
async def lenient() -> AsyncIterator[Capturer]:
    """The fetcher's capturer with private document URLs allowed."""
    capturer = await _capturer(allow_private=True)
    yield capturer
    await close_capturer(capturer)


PUBLIC = "93.184.216.34"  # a public address (example.com's old one); no packet is ever sent to it


@dataclass
class FakeInternet:
    """The process's edge to the internet, faked: DNS answers per name and public addresses routed to local servers.

    `dns[name]` lists the answers in the order lookups get them (the last one repeats), so a name can answer a
    public address first and 127.0.0.1 afterwards, as a rebinding DNS server with TTL 0 does. `routes` sends a TCP
    connection for (public address, port) to a local port standing in for that public host.
    """

    dns: dict[str, list[str]] = field(default_factory=dict)
    routes: dict[tuple[str, int], int] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> FakeInternet:
    """Fake DNS (socket.getaddrinfo, which both the guard and httpx's connect use) and routing (anyio.connect_tcp)."""
    fake = FakeInternet()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = anyio.connect_tcp

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in fake.dns:
            return real_getaddrinfo(host, port, *args, **kwargs)
        fake.lookups.append(name)
        answers = fake.dns[name]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]

    async def connect_tcp(remote_host: Any, remote_port: int, **kwargs: Any) -> Any:
        local = fake.routes.get((str(remote_host), remote_port))
        if local is not None:
            return await real_connect("127.0.0.1", local, **kwargs)
        return await real_connect(remote_host, remote_port, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(anyio, "connect_tcp", connect_tcp)
    return fake


def _target(site: VersionedSite, path: str, host: str = "127.0.0.1") -> Target:
    url = site.url(path).replace("127.0.0.1", host)
    return Target.from_spec("newco/privacy-policy", "newco", [url], API_SPEC, "en")


async def test_an_api_document_on_a_private_address_is_refused_before_connecting(
    strict: Capturer, site: VersionedSite
) -> None:
    """The loopback URL is refused as unsafe_target (needs attention) and the server never sees a request."""
    outcome = await strict.capture(_target(site, "/policy"))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "unsafe_target"
    assert outcome.rejection.retry_class == "needs_attention"
    assert "loopback" in outcome.rejection.detail
    assert site.hits == {}


async def test_catalogue_documents_are_not_checked(strict: Capturer, site: VersionedSite) -> None:
    """A catalogue document (reviewed by the operator) on the same address is captured as before."""
    target = Target.from_spec("acme/privacy-policy", "acme", [site.url("/policy")], {}, "en")
    assert isinstance(await strict.capture(target), Captured)


async def test_a_redirect_hop_to_the_metadata_address_is_refused(
    strict: Capturer, site: VersionedSite, internet: FakeInternet
) -> None:
    """A public first hop that redirects to 169.254.169.254 is refused at the hop, before it is requested.

    The local site stands in for a public host: DNS answers a public address for its name, and connections to
    that address reach the local site, so the first hop passes the check and the redirect is what gets refused.
    """
    internet.dns["policies.newco.test"] = [PUBLIC]
    internet.routes[(PUBLIC, site.port)] = site.port
    outcome = await strict.capture(_target(site, "/hop", "policies.newco.test"))
    assert isinstance(outcome, Failed)
    assert outcome.rejection.cause == "unsafe_target"
    assert "169.254.169.254" in outcome.rejection.detail
    assert "link-local" in outcome.rejection.detail
    assert site.hits == {"/hop": 1}


async def test_a_name_rebound_to_loopback_after_the_check_is_never_connected_to(
    strict: Capturer, site: VersionedSite, internet: FakeInternet
) -> None:
    """A name answering a public address to the check and 127.0.0.1 afterwards is fetched from the checked address.

    The loopback server on the URL's port stands for the internal service a rebinding attacker aims at; it must
    not see a request. The page comes from the stand-in for the public host, and the name is looked up once.
    """
    public_host = VersionedSite()
    public_host.set("/policy", policy_html())
    public_host.start()
    try:
        internet.dns["rebind.newco.test"] = [PUBLIC, "127.0.0.1"]
        internet.routes[(PUBLIC, site.port)] = public_host.port
        outcome = await strict.capture(_target(site, "/policy", "rebind.newco.test"))
    finally:
        public_host.stop()
    assert site.hits == {}
    assert isinstance(outcome, Captured)
    assert public_host.hits == {"/policy": 1}
    assert outcome.parts[0].final_url == f"http://rebind.newco.test:{site.port}/policy"
    assert internet.lookups == ["rebind.newco.test"]


def _serve_tls(site: VersionedSite, cert: Path, key: Path) -> list[str | None]:
    """Put the started site behind TLS with the certificate; return the list the SNI of each handshake goes to."""
    server_names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    server = site._server  # the test site has no TLS option of its own
    assert server is not None
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server_names


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for secure.newco.test only, made with the openssl command."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    name = "secure.newco.test"
    subprocess.run(
        [
            *shlex.split("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_https_through_a_checked_address_verifies_the_name(
    strict: Capturer,
    site: VersionedSite,
    internet: FakeInternet,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Connecting to the checked address keeps the name for TLS: the SNI and the certificate check use it.

    The site's certificate names only secure.newco.test, so a client verifying against the address would fail.
    The test's certificate authority stands in for the public ones (the fake internet's trust store).
    """
    name = "secure.newco.test"
    cert, key = certificate
    monkeypatch.setattr(httpx, "create_ssl_context", lambda: ssl.create_default_context(cafile=cert))
    server_names = _serve_tls(site, cert, key)
    internet.dns[name] = [PUBLIC]
    internet.routes[(PUBLIC, site.port)] = site.port
    url = f"https://{name}:{site.port}/policy"
    outcome = await strict.capture(Target.from_spec("newco/terms", "newco", [url], API_SPEC, "en"))
    assert isinstance(outcome, Captured)
    assert outcome.parts[0].final_url == url
    assert server_names == [name]
    assert site.hits == {"/policy": 1}


async def test_catalogue_documents_get_no_extra_lookup(
    strict: Capturer, site: VersionedSite, internet: FakeInternet
) -> None:
    """A catalogue document's name is looked up once, by the HTTP client's own connect, and never checked."""
    internet.dns["policies.acme.test"] = ["127.0.0.1"]
    url = site.url("/policy").replace("127.0.0.1", "policies.acme.test")
    target = Target.from_spec("acme/privacy-policy", "acme", [url], {}, "en")
    assert isinstance(await strict.capture(target), Captured)
    assert internet.lookups == ["policies.acme.test"]
    assert site.hits == {"/policy": 1}


async def test_api_documents_never_open_the_browser(lenient: Capturer, site: VersionedSite) -> None:
    """A script-rendered API document fails as needing attention instead of being opened in Chromium."""
    outcome = await lenient.capture(_target(site, "/shell"))
    assert isinstance(outcome, Failed)
    assert outcome.tried == ["http"]
    assert outcome.rejection.cause == "empty"
    assert outcome.rejection.browser_may_help  # a catalogue document would now go to the browser
    assert lenient.browser is not None
    ok = await lenient.capture(_target(site, "/policy"))
    assert isinstance(ok, Captured)
