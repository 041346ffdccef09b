"""What the sandbox holds, read with plain httpx: the expected result of an import."""

import httpx

HEADERS = {
    "Authorization": "Basic sandbox-token",
    "User-Agent": "BM-tests-oracle;tests@example.com",
    "Accept": "application/json",
}


def all_orders(url: str, token: str = "sandbox-token") -> list[dict]:
    headers = {**HEADERS, "Authorization": f"Basic {token}"}
    orders, next_url = [], f"{url}/ws/orders?page-size=50"
    while next_url:
        page = httpx.get(next_url, headers=headers, timeout=10).json()
        orders.extend(page["results"])
        next_url = page["next"]
    return orders


def has_address(raw: dict) -> bool:
    a = raw.get("shipping_address") or {}
    return all((a.get(k) or "").strip() for k in ("street", "city", "postal_code", "country"))


def expected(raw_orders: list[dict]) -> dict:
    """Counts an import with the default status mapping must reach."""
    importable = [o for o in raw_orders if o["state"] in (1, 3, 9)]
    return {
        "imported": sorted(o["order_id"] for o in importable if has_address(o)),
        "set_aside": sorted(o["order_id"] for o in importable if not has_address(o)),
        "skipped": sorted(o["order_id"] for o in raw_orders if o["state"] not in (1, 3, 9)),
    }


def admin(url: str, path: str, payload: dict | None = None) -> dict:
    response = httpx.post(f"{url}/_sandbox/{path}", json=payload or {}, timeout=10)
    response.raise_for_status()
    return response.json()
