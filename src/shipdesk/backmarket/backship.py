"""BackShip labels: the PDF a delivery's `labelUrl` points to, fetched to print it like any
other label.

The label lives at its own address (no token goes with the request: it is never sent
beyond Back Market's API host). Only https addresses are fetched, or the store's own API
host (the sandbox, pre-production); the answer must be a PDF of at most MAX_LABEL_BYTES.
"""

from __future__ import annotations

import httpx

MAX_LABEL_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 20.0


class LabelUnavailable(Exception):
    """The label could not be fetched; the message says why, without the address's secrets."""


def fetch_label(url: str, *, api_base_url: str, user_agent: str) -> bytes:
    """The PDF at `url`, a BackShip delivery's `labelUrl` (raises LabelUnavailable)."""
    try:
        target, api = httpx.URL(url), httpx.URL(api_base_url)
    except httpx.InvalidURL:
        raise LabelUnavailable("the label's address is not a valid URL") from None
    same_host = (target.scheme, target.host, target.port) == (api.scheme, api.host, api.port)
    if not (target.scheme == "https" or same_host) or not target.host:
        raise LabelUnavailable("the label's address is not an https:// URL")
    try:
        with (
            httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client,
            client.stream("GET", target, headers={"User-Agent": user_agent}) as response,
        ):
            if response.status_code != 200:
                raise LabelUnavailable(f"the label's address answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_LABEL_BYTES:
                    raise LabelUnavailable("the label is larger than 5 MB")
    except httpx.HTTPError as exc:
        raise LabelUnavailable(
            f"the label could not be downloaded ({type(exc).__name__})"
        ) from None
    if not body.startswith(b"%PDF"):
        raise LabelUnavailable("the label is not a PDF")
    return bytes(body)
