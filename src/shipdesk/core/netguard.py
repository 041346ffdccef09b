"""POSTs to URLs that users typed: only to public addresses, within one deadline, answers capped.

A webhook target is chosen by whoever holds an API key. Unguarded, shipdesk would POST
wherever it points (its own loopback, the LAN, a cloud's metadata service) and report what
came back, so every outbound request to such a URL goes through here:

- `check_url` at subscription: http(s) only, and no host that is, in any spelling the system
  accepts (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`), a non-public address.
- `post` at delivery: the name is resolved once, every address it resolves to must be
  public, and the connection goes to the checked address (no second lookup a DNS rebinding
  could answer differently).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not reachable from the internet, yet still `is_global` in Python 3.11's ipaddress: the IETF
# protocol block, which holds Oracle Cloud's metadata service (192.0.0.192), and the retired
# 6to4 relay anycast.
_ALSO_NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("192.88.99.0/24"))
ALLOW_HINT = "set SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1 on the server to allow local targets"


class Failed(Exception):
    """No answer from the target. The message is safe to show: no address, no system error."""


class Refused(Failed):
    """The URL points where shipdesk sends nothing; no request was made."""


def is_public(ip: IPAddress) -> bool:
    """Reachable on the internet: not loopback, private, link-local, shared (CGNAT),
    unspecified, multicast, reserved or documentation, nor an IPv6 wrapping such an IPv4."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if (embedded is not None and not is_public(embedded)) or ip.is_site_local:
            return False
    return (
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not any(ip in network for network in _ALSO_NOT_PUBLIC)
    )


def _parse(url: str) -> tuple[httpx.URL, str, int]:
    """The URL as httpx will send it, its ASCII host and its port."""
    try:
        parsed = httpx.URL(url)
        if not 0 < (parsed.port or 80) < 65536:
            raise httpx.InvalidURL(url)
    except httpx.InvalidURL:
        raise Refused("the target URL is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise Refused("the target URL must be an http:// or https:// URL with a host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed, parsed.raw_host.decode("ascii"), port


def _addresses(host: str, port: int, *, flags: int = 0) -> list[IPAddress]:
    # getaddrinfo is what the connection itself would use, so the check reads every
    # spelling (decimal, octal, hex, short forms) exactly as the connection would.
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse, at subscription, a URL that is not http(s) or whose host is a local address.

    Host names are not looked up here (that would tell the caller which internal names
    exist); each delivery resolves and checks them.
    """
    _, host, port = _parse(url)
    if allow_private:
        return
    name = host.rstrip(".")
    # RFC 6761: localhost names always mean the loopback, whatever a resolver says.
    if name == "localhost" or name.endswith(".localhost"):
        raise Refused(f"the target URL's host {host} is the server itself; {ALLOW_HINT}")
    try:
        addresses = _addresses(host, port, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return  # a name, checked at delivery
    if not all(is_public(ip) for ip in addresses):
        raise Refused(
            f"the target URL's host {host} is not a public address (loopback, private, "
            f"link-local, shared, multicast or reserved); {ALLOW_HINT}"
        )


def resolve(host: str, port: int, *, allow_private: bool) -> IPAddress:
    """Resolve once; every address must be public. Return the one to connect to."""
    try:
        addresses = _addresses(host, port)
    except (socket.gaierror, UnicodeError):
        raise Failed("the target's host name does not resolve") from None
    if not allow_private and not all(is_public(ip) for ip in addresses):
        # The address is not named: it would tell the caller what internal names point to.
        raise Refused(f"the target's host name resolves to a non-public address; {ALLOW_HINT}")
    return addresses[0]


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes  # the first max_bytes of it

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@cache
def _tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    deadline_s: float,
    max_bytes: int,
    allow_private: bool,
) -> Answer:
    """POST `body` to `url` and read at most `max_bytes` of the answer, all within `deadline_s`.

    Raises Refused before any request when the target is not public (unless allowed),
    Failed when it does not answer in time or the connection fails.
    """
    started = time.monotonic()
    parsed, host, port = _parse(url)
    ip = resolve(host, port, allow_private=allow_private)
    headers = {**headers, "Host": parsed.netloc.decode("ascii"), "Accept-Encoding": "identity"}
    remaining = deadline_s - (time.monotonic() - started)
    try:
        # The request goes to the checked IP; the Host header and, for https, the TLS server
        # name (SNI and certificate verification) stay the URL's host name.
        pinned = parsed.copy_with(host=str(ip))
        if remaining <= 0:
            raise TimeoutError
        # httpx's timeouts are per network operation: a target trickling one byte at a time
        # never trips them. Cancelling the whole exchange is the total deadline, and asyncio
        # is the one way to cancel it (the sync client cannot be interrupted).
        return asyncio.run(_post(pinned, body, headers, host, max_bytes, remaining))
    except (TimeoutError, httpx.TimeoutException):
        raise Failed(f"the target did not answer within the {deadline_s:g} s deadline") from None
    except (httpx.ConnectError, httpx.InvalidURL) as exc:  # InvalidURL: a scoped IPv6
        if _caused_by(exc, ssl.SSLError):
            raise Failed("the TLS handshake with the target failed") from exc
        raise Failed("could not connect to the target") from exc
    except httpx.HTTPError as exc:
        raise Failed("the connection to the target failed") from exc


def _caused_by(exc: BaseException, kind: type) -> bool:
    while exc is not None and not isinstance(exc, kind):
        exc = exc.__cause__ or exc.__context__
    return exc is not None


async def _post(url: httpx.URL, body, headers, server_name, max_bytes, timeout) -> Answer:
    async with (
        asyncio.timeout(timeout),
        # No redirects: a 3xx must not lead the POST to an unchecked address.
        httpx.AsyncClient(verify=_tls(), timeout=timeout, follow_redirects=False) as client,
        client.stream(
            "POST", url, content=body, headers=headers, extensions={"sni_hostname": server_name}
        ) as response,
    ):
        received = bytearray()
        # Raw bytes (the answer is asked uncompressed): a compressed answer cannot inflate
        # past the cap.
        async for chunk in response.aiter_raw():
            received += chunk
            if len(received) >= max_bytes:
                break
        return Answer(response.status_code, bytes(received[:max_bytes]))
