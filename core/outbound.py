"""Requests the platform sends to addresses its users give (webhooks): only to the public
internet, unless a deployer names a host in `outbound_allowed_hosts`.

A URL that points at the server itself, a private network, a link-local address (cloud
metadata at 169.254.169.254) or any other address that is not global is refused when it is
saved (`check_url`) and again when the request is sent (`post`): the host name is resolved,
every address it resolves to is checked, and the connection goes to the address checked,
so a name that resolves differently a second later (DNS rebinding) gains nothing. TLS still
checks the certificate against the host name. Redirects are followed here, each target
checked the same way, at most MAX_REDIRECTS times. Only http and https are spoken.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import urljoin, urlsplit

__all__ = ["OutboundRefused", "OutboundAnswer", "check_url", "post", "MAX_REDIRECTS"]

MAX_REDIRECTS = 5
_SCHEMES = {"http": 80, "https": 443}
_REDIRECTS = {301, 302, 303, 307, 308}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValueError):
    """The URL may not be requested; the message says why, in words for the person who gave it."""


@dataclass(frozen=True)
class OutboundAnswer:
    """What came back: the status and the first `keep` bytes of the body, as text."""

    status: int
    body: str


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str, allowed: Sequence[str] = (), *, resolve: bool = True) -> None:
    """OutboundRefused unless `url` is http(s) to a public address or an allowed host.

    With `resolve`, a host name is resolved and each of its addresses checked; a name that
    does not resolve (yet) passes here, and is checked again when the request is sent."""
    scheme, host, _port, _path = _split(url)
    if _allowed_name(host, allowed):
        return
    literal = _literal(host)
    if literal is not None:
        _check_address(literal, host, allowed)
        return
    if resolve:
        try:
            addresses = _resolve(host, _SCHEMES[scheme])
        except OutboundRefused:
            return
        for address in addresses:
            _check_address(address, host, allowed)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allowed: Sequence[str] = (),
         keep: int = 2000) -> OutboundAnswer:
    """POST `body` to `url` and follow redirects (307 and 308 again as POST, the others as
    GET), checking every target. Raises OutboundRefused for a refused target, OSError (and
    http.client errors) when the network fails."""
    method, payload = "POST", body
    for _hop in range(MAX_REDIRECTS + 1):
        target = _target(url, allowed)
        status, location, text = _send(target, method, payload, headers, timeout, keep)
        if status not in _REDIRECTS or not location:
            return OutboundAnswer(status, text)
        url = urljoin(url, location)
        if status not in (307, 308):
            method, payload = "GET", b""
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects")


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundRefused(f"not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise OutboundRefused("only http and https addresses may be used")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise OutboundRefused("the address has no host")
    path = parts.path or "/"
    return scheme, host, port or _SCHEMES[scheme], path + (f"?{parts.query}" if parts.query else "")


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused(f"{host} could not be resolved ({error})") from None
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def _allowed_name(host: str, allowed: Iterable[str]) -> bool:
    return any(entry.strip().rstrip(".").lower() == host for entry in allowed if "/" not in entry)


def _allowed_address(address: IPAddress, allowed: Iterable[str]) -> bool:
    for entry in allowed:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue  # a host name: matched by name
        if address.version == network.version and address in network:
            return True
    return False


def _check_address(address: IPAddress, host: str, allowed: Sequence[str]) -> None:
    if _allowed_address(address, allowed):
        return
    embedded = [address]
    if isinstance(address, ipaddress.IPv6Address):
        embedded += [inner for inner in (address.ipv4_mapped, address.sixtofour, *(address.teredo or ()))
                     if inner is not None]
    for candidate in embedded:
        if not candidate.is_global or candidate.is_multicast or candidate.is_reserved or candidate.is_unspecified:
            shown = host if str(candidate) == host else f"{host} ({candidate})"
            raise OutboundRefused(f"{shown} is not a public internet address (loopback, private, link-local or "
                                  "reserved); an administrator can allow it with the setting outbound_allowed_hosts")


def _target(url: str, allowed: Sequence[str]) -> _Target:
    """Where to connect for `url`: an address every check passed."""
    scheme, host, port, path = _split(url)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = _resolve(host, port)
    if not _allowed_name(host, allowed):
        for address in addresses:
            _check_address(address, host, allowed)
    return _Target(scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is checked against the host name."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _send(target: _Target, method: str, body: bytes, headers: dict[str, str], timeout: float,
          keep: int) -> tuple[int, str | None, str]:
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request(method, target.path, body=body if method == "POST" else None, headers=headers)
        response = connection.getresponse()
        text = response.read(keep).decode(errors="replace")
        return response.status, response.getheader("Location"), text
    finally:
        connection.close()
