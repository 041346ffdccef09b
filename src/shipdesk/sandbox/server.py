"""The Back Market sandbox over HTTP: `/ws/` like the real seller API, `/_sandbox/` to steer it.

Every `/ws/` request goes through the edge as Back Market's does: CDN firewall (User-Agent),
rate limit, token, then fault injection, then the endpoint. Faults are injected before
any update is applied, so retrying a failed update is always safe.
"""

from __future__ import annotations

import asyncio
import email.policy
import json
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from email.parser import BytesParser
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from shipdesk.sandbox import carrier as ups
from shipdesk.sandbox.backship import backship_label_pdf
from shipdesk.sandbox.generator import BACKSHIP_LABELS
from shipdesk.sandbox.state import SandboxError, SandboxState, parse_date_param

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
# `BM-<Company>-<Integration>;<contact email>`
_USER_AGENT = re.compile(r"BM-[^;\s]+;[^@;\s]+@[^@;\s]+\.[^@;\s]+")

_BLOCKED_PAGE = """<!DOCTYPE html>
<html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<h2>You are unable to access backmarket.fr</h2>
<p>This website is using a security service to protect itself from online attacks.</p>
<p>Cloudflare Ray ID: <strong>{ray}</strong></p></div></body></html>"""
_STATUS_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>cloudflare</center></body>
</html>"""
_REASONS = {
    429: "Too Many Requests",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}

Handler = Callable[[Request, bytes], Response]


def _ray() -> str:
    return f"{secrets.token_hex(8)}-CDG"


def _edge_page(status: int) -> Response:
    """An HTML error page from the CDN, with its `cf-ray` header."""
    ray = _ray()
    page = _BLOCKED_PAGE if status == 403 else _STATUS_PAGE
    html = page.format(ray=ray, status=status, reason=_REASONS.get(status, ""))
    return HTMLResponse(html, status, headers={"cf-ray": ray, "server": "cloudflare"})


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}, "requestId": str(uuid.uuid4())}, status
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else {}
    except ValueError:
        raise SandboxError(400, "invalid_json", "the body is not valid JSON") from None


def _logged(body: bytes, content_type: str = "") -> Any:
    if content_type.startswith("multipart/"):  # a file: its size, not its bytes
        return {"multipart_bytes": len(body)}
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body.decode(errors="replace")


def invoice_file(content_type: str, body: bytes) -> tuple[str, bytes]:
    """(filename, content) of the multipart body's `invoice` field; SandboxError 400."""
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts() if message.is_multipart() else ():
            if part.get_param("name", header="content-disposition") == "invoice":
                return part.get_filename() or "", part.get_payload(decode=True) or b""
    raise SandboxError(400, "missing_field", "invoice is required (a multipart file field)")


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _page_url(request: Request, page: int) -> str:
    # Like Django REST framework: page 1 is the URL without `page`.
    if page == 1:
        return str(request.url.remove_query_params("page"))
    return str(request.url.include_query_params(page=page))


def create_app(state: SandboxState, carrier: ups.CarrierState | None = None) -> Starlette:
    """The sandbox application, serving `state`, and the sandbox carrier (a local UPS,
    `shipdesk.sandbox.carrier`) under `/carrier/ups/`, so one process serves both."""
    carrier = carrier or ups.CarrierState(clock=state.clock, seed=state.seed)

    def ws(route: str, handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            response = await edge(request, route, body, handler)
            if request.method in ("POST", "PATCH"):
                logged = _logged(body, request.headers.get("content-type", ""))
                state.record_update(request.method, request.url.path, logged, response.status_code)
            return response

        return endpoint

    async def edge(request: Request, route: str, body: bytes, handler: Handler) -> Response:
        state.count_request(f"{request.method} {route}")
        if state.latency_s:
            await asyncio.sleep(state.latency_s)
        if not _USER_AGENT.fullmatch(request.headers.get("user-agent", "")):
            return _edge_page(403)
        authorization = request.headers.get("authorization")
        if not state.admit(authorization or ""):
            return _edge_page(429)
        if not state.authorized(authorization):
            return error_response(401, "unauthorized", "Invalid, expired or revoked token")
        state.receive_arrivals()
        fault = state.draw_fault()
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.status:
            if fault.status == 500:
                return error_response(500, "internal_error", "Internal Server Error")
            return _edge_page(fault.status)
        try:
            return handler(request, body)
        except SandboxError as error:
            return error_response(error.status, error.code, error.message)

    def list_orders(request: Request, body: bytes) -> Response:
        query = {key: value for key, value in request.query_params.items() if value != ""}
        page = _int(query.get("page", "1"))
        if page is None:
            raise SandboxError(404, "invalid_page", "Invalid page.")
        size = _int(query.get("page-size")) or DEFAULT_PAGE_SIZE  # page_size / limit: ignored
        size = min(size, MAX_PAGE_SIZE)
        order_state = None
        if "state" in query:
            order_state = _int(query["state"])
            if order_state is None:
                raise SandboxError(400, "invalid_field", "state must be an integer")
        since = {
            key: parse_date_param(query[key], key)
            for key in ("date_creation", "date_modification")
            if key in query
        }
        count, records = state.list_orders(
            state=order_state,
            created_since=since.get("date_creation"),
            modified_since=since.get("date_modification"),
            country_code=query["country_code"].lower() if "country_code" in query else None,
            page=page,
            page_size=size,
        )
        next_url = _page_url(request, page + 1) if page * size < count else None
        previous_url = _page_url(request, page - 1) if page > 1 else None
        # Records are stored as JSON already: splice them in rather than re-encode them.
        payload = b'{"count":%d,"next":%b,"previous":%b,"results":[%b]}' % (
            count,
            json.dumps(next_url).encode(),
            json.dumps(previous_url).encode(),
            b",".join(records),
        )
        return Response(payload, media_type="application/json")

    def get_order(request: Request, body: bytes) -> Response:
        raw = state.order_json(request.path_params["order_id"])
        return Response(raw, media_type="application/json")

    def update_order(request: Request, body: bytes) -> Response:
        raw = state.update_order(request.path_params["order_id"], _json(body))
        return Response(raw, media_type="application/json")

    def upload_invoice(request: Request, body: bytes) -> Response:
        filename, data = invoice_file(request.headers.get("content-type", ""), body)
        return JSONResponse(state.upload_invoice(request.path_params["order_id"], filename, data))

    def update_orderline(request: Request, body: bytes) -> Response:
        return JSONResponse(
            state.set_line_identifiers(request.path_params["orderline_id"], _json(body))
        )

    def deliveries(request: Request, body: bytes) -> Response:
        order_id = _int(request.query_params.get("order_id"))
        if order_id is None:
            raise SandboxError(400, "invalid_field", "order_id is required")
        base = str(request.base_url).rstrip("/")
        results = state.deliveries(order_id)
        for delivery in results:
            # BackShip's label, served by the sandbox itself at the same path.
            name = delivery["labelUrl"].removeprefix(BACKSHIP_LABELS)
            if name != delivery["labelUrl"]:
                delivery["labelUrl"] = f"{base}/backship/labels/{name}"
        return JSONResponse({"results": results})

    async def backship_label(request: Request) -> Response:
        found = state.backship_label(f"{BACKSHIP_LABELS}{request.path_params['name']}")
        if found is None:
            return error_response(404, "not_found", "no such label")
        return Response(backship_label_pdf(*found), media_type="application/pdf")

    def unknown(request: Request, body: bytes) -> Response:
        raise SandboxError(404, "not_found", f"{request.url.path} not found")

    def admin(handler: Callable[[Request, Any], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                return JSONResponse(handler(request, _json(await request.body())))
            except SandboxError as error:
                return error_response(error.status, error.code, error.message)

        return endpoint

    def rotate_token(request: Request, body: Any) -> dict:
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SandboxError(400, "invalid_field", "token must be a non-empty string")
        state.rotate_token(token)
        return {"token": token}

    def revoke_token(request: Request, body: Any) -> dict:
        state.revoke_token()
        return {"revoked": True}

    def create_orders(request: Request, body: Any) -> dict:
        if isinstance(body, dict) and "order" in body:  # one given order, for tests
            return {"order_ids": [state.add_order(body["order"])]}
        count = _int(str(body.get("count", 1))) if isinstance(body, dict) else None
        if count is None or not 1 <= count <= 10_000:
            raise SandboxError(400, "invalid_field", "count must be an integer from 1 to 10000")
        return {"order_ids": state.create_orders(count)}

    def customer_cancel(request: Request, body: Any) -> dict:
        return state.customer_cancel(request.path_params["order_id"])

    def customer_return(request: Request, body: Any) -> dict:
        return state.customer_return(request.path_params["order_id"], body)

    def set_faults(request: Request, body: Any) -> dict:
        body = body if isinstance(body, dict) else {}
        unknown = set(body) - {"fault_rate", "rate_limit", "fail_next", "throttle_rate"}
        if unknown:
            raise SandboxError(400, "invalid_field", f"unknown settings: {sorted(unknown)}")
        rate = body.get("fault_rate", state.fault_rate)
        limit = body.get("rate_limit", state.rate_limit)
        fail_next = body.get("fail_next", state.fail_next)
        throttle = body.get("throttle_rate", state.throttle_rate)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise SandboxError(400, "invalid_field", "fault_rate must be a number from 0 to 1")
        if not isinstance(limit, bool):
            raise SandboxError(400, "invalid_field", "rate_limit must be true or false")
        if isinstance(fail_next, bool) or not isinstance(fail_next, int) or fail_next < 0:
            raise SandboxError(400, "invalid_field", "fail_next must be a count of requests")
        if (
            isinstance(throttle, bool)
            or not isinstance(throttle, int | float)
            or not 0 <= throttle <= 1
        ):
            raise SandboxError(400, "invalid_field", "throttle_rate must be a number from 0 to 1")
        state.fault_rate, state.rate_limit, state.fail_next = float(rate), limit, fail_next
        state.throttle_rate = float(throttle)
        settings = {"fault_rate": state.fault_rate, "rate_limit": limit, "fail_next": fail_next}
        if state.throttle_rate:  # listed once in use: the answer stays as it was without it
            settings["throttle_rate"] = state.throttle_rate
        return settings

    def stats(request: Request, body: Any) -> dict:
        state.receive_arrivals()
        return state.stats()

    def updates(request: Request, body: Any) -> dict:
        return {"updates": list(state.updates)}

    order_path = "/ws/orders/{order_id}"
    line_path = "/ws/orderlines/{orderline_id}"
    deliveries_path = "/ws/shipping/v1/deliveries"
    routes = [
        Route("/ws/orders", ws("/ws/orders", list_orders), methods=["GET"]),
        Route("/ws/orders/{order_id:int}", ws(order_path, get_order), methods=["GET"]),
        Route("/ws/orders/{order_id:int}", ws(order_path, update_order), methods=["POST"]),
        Route(
            "/ws/orders/{order_id:int}/invoice",
            ws(f"{order_path}/invoice", upload_invoice),
            methods=["POST"],
        ),
        Route(
            "/ws/orderlines/{orderline_id:int}", ws(line_path, update_orderline), methods=["PATCH"]
        ),
        Route(deliveries_path, ws(deliveries_path, deliveries), methods=["GET"]),
        Route(
            "/ws/{path:path}",
            ws("/ws/{path}", unknown),
            methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        ),
        Route("/backship/labels/{name}", backship_label, methods=["GET"]),
        *ups.routes(carrier),
        Route("/_sandbox/updates", admin(updates), methods=["GET"]),
        Route("/_sandbox/stats", admin(stats), methods=["GET"]),
        Route("/_sandbox/token", admin(rotate_token), methods=["POST"]),
        Route("/_sandbox/revoke", admin(revoke_token), methods=["POST"]),
        Route("/_sandbox/orders", admin(create_orders), methods=["POST"]),
        Route(
            "/_sandbox/orders/{order_id:int}/customer-cancel",
            admin(customer_cancel),
            methods=["POST"],
        ),
        Route(
            "/_sandbox/orders/{order_id:int}/return",
            admin(customer_return),
            methods=["POST"],
        ),
        Route("/_sandbox/faults", admin(set_faults), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def run_sandbox(state: SandboxState, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve `state` until SIGINT or SIGTERM (blocking), then close its state file."""
    try:
        uvicorn.run(create_app(state), host=host, port=port, log_level="info", access_log=False)
    finally:
        state.close()


class SandboxServer:
    """A sandbox served from a background thread on 127.0.0.1 and a free port.

    `SandboxServer(**kwargs)` takes SandboxState's arguments. Use as a context manager;
    `.url` is e.g. "http://127.0.0.1:54321", `.state` the SandboxState it serves and
    `.carrier` the sandbox carrier's (at `.url + "/carrier/ups/<profile>"`).
    """

    def __init__(self, **state_kwargs: Any):
        self.state = SandboxState(**state_kwargs)
        self.carrier = ups.CarrierState(clock=self.state.clock, seed=self.state.seed)
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __enter__(self) -> SandboxServer:
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say TCP, and
        # without it small answers wait ~40 ms for delayed ACKs (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))  # the kernel picks a free port, kept until shutdown
        self._socket = sock
        config = uvicorn.Config(
            create_app(self.state, self.carrier),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="bm-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Back Market sandbox did not start")
            time.sleep(0.005)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server and self._thread and self._socket:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._socket.close()
        self.state.close()
