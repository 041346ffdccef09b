"""Webhook POSTs against real local receivers: address checks after resolving, the connection
pinned to the checked address, TLS against the host name, the total deadline, the capped
answer and the signature."""

import hashlib
import hmac
import socket
import socketserver
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shipdesk.core import netguard
from shipdesk.notifications import webhooks
from shipdesk.notifications.models import WebhookSubscription
from shipdesk.orders.models import Order
from shipdesk.outbox import engine
from shipdesk.outbox.models import Attempt, Message
from shipdesk.sync.importer import import_orders

pytestmark = pytest.mark.django_db

REFUSED = (
    "the target's host name resolves to a non-public address; set "
    "SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1 on the server to allow local targets"
)


@pytest.fixture
def dns(monkeypatch):
    """Names under .test resolve as the test says (the system resolver is an edge).

    `dns.answers[name]` is one list of addresses per lookup, in order; a lookup with none
    left fails like an unknown name. `dns.lookups` lists the names looked up.
    """

    class Dns:
        answers: dict[str, list[list[str]]] = {}
        lookups: list[str] = []

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if not (isinstance(host, str) and host.endswith(".test")):
            return real(host, port, *args, **kwargs)
        Dns.lookups.append(host)
        if not Dns.answers.get(host):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in Dns.answers[host].pop(0)
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return Dns


class ScriptedTarget:
    """A TCP server on 127.0.0.1: reads one request, then runs `answer(connection)`.

    `finished` is set when the answer is over; `completed` says whether it was all written
    (False: the client hung up first).
    """

    def __init__(self, answer, *, tls: ssl.SSLContext | None = None):
        self.finished = threading.Event()
        self.completed: bool | None = None
        self.request = b""
        self.server_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
        target = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    conn = self.request
                    if tls is not None:
                        conn = tls.wrap_socket(conn, server_side=True)
                    target.request = _read_request(conn)
                    answer(conn)
                    target.completed = True
                except OSError:  # the client hung up, or refused the certificate
                    target.completed = False
                finally:
                    target.finished.set()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _read_request(conn) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return data


@pytest.fixture
def scripted():
    started = []

    def start(answer, **kwargs):
        started.append(ScriptedTarget(answer, **kwargs))
        return started[-1]

    yield start
    for target in started:
        target.stop()


def thanks(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nthanks")


def one_delivery(store, target_url: str, event="ORDER_NOTIFY") -> Message:
    """A subscription to target_url (as if made when allowed) with one delivery due."""
    import_orders(store)
    user = WebhookSubscription._meta.get_field("user").related_model.objects.create_user("erp")
    subscription = WebhookSubscription(user=user, event=event, target_url=target_url)
    subscription.secret = "s3cret"
    subscription.save()
    webhooks.orders_imported(store, list(Order.objects.values_list("pk", flat=True)[:1]))
    return Message.objects.filter(kind="webhook").get()


@pytest.mark.parametrize(
    ("host", "resolves_to"),
    [
        ("127.0.0.1", None),
        ("intranet.test", [["127.0.0.1"]]),
        ("metadata.test", [["169.254.169.254"]]),
        # every address is checked, not only the first
        ("mixed.test", [["93.184.215.14", "127.0.0.1"]]),
    ],
)
def test_a_target_resolving_to_a_local_address_gets_no_request_at_delivery(
    store, webhook_target, dns, host, resolves_to
):
    # Given a subscription accepted earlier (a name, or while local targets were allowed)
    port = webhook_target.server.server_port
    dns.answers[host] = [*(resolves_to or []), ["127.0.0.1"]]  # a second lookup would connect
    delivery = one_delivery(store, f"http://{host}:{port}/hooks")

    # When it is delivered with local targets refused (the default)
    status = engine.deliver(delivery.pk)

    # Then nothing reaches the address, and the refusal names no address
    assert webhook_target.received == []
    attempt = Attempt.objects.get()
    assert (status, attempt.status_code, attempt.error) == ("pending", None, REFUSED)
    assert dns.lookups == ([host] if resolves_to else [])


def test_the_name_is_resolved_once_and_the_post_goes_to_that_address_as_the_name(
    store, webhook_target, dns, settings
):
    # Given a name that resolves to the receiver once, and to nothing afterwards (a DNS
    # rebinding would answer something else: any second lookup is one too many)
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    port = webhook_target.server.server_port
    dns.answers["hooks.test"] = [["127.0.0.1"]]
    delivery = one_delivery(store, f"http://hooks.test:{port}/hooks")

    status = engine.deliver(delivery.pk)

    [(headers, _)] = webhook_target.requests
    assert status == "sent"
    assert dns.lookups == ["hooks.test"]
    assert headers["Host"] == f"hooks.test:{port}"


def _certificate(ca_key, ca_name, key, hostname: str, *, ca: bool):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False
        )
    return builder.sign(ca_key, hashes.SHA256())


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """make(hostname): a server TLS context with a certificate for hostname, from a test CA
    that shipdesk's webhook client trusts (and nothing else)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shipdesk test CA")])
    ca = _certificate(ca_key, ca_name, ca_key, "shipdesk test CA", ca=True)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    client = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    monkeypatch.setattr(netguard, "_tls", lambda: client)

    def make(hostname: str) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(ca_key, ca_name, key, hostname, ca=False)
        (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        return server

    return make


@pytest.mark.parametrize(
    ("certificate_for", "status", "error"),
    [
        ("hooks.test", "sent", ""),
        ("other.test", "pending", "the TLS handshake with the target failed"),
    ],
)
def test_https_verifies_the_certificate_against_the_name_not_the_pinned_address(
    store, scripted, dns, tls, settings, certificate_for, status, error
):
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    target = scripted(thanks, tls=tls(certificate_for))
    dns.answers["hooks.test"] = [["127.0.0.1"]]
    delivery = one_delivery(store, f"https://hooks.test:{target.port}/hooks")

    result = engine.deliver(delivery.pk)

    target.finished.wait(10)
    attempt = Attempt.objects.get()
    assert (result, attempt.error) == (status, error)
    assert target.server_names == ["hooks.test"]  # SNI: the name, though connected by address
    if status == "sent":
        assert f"\r\nHost: hooks.test:{target.port}\r\n".encode() in target.request


def trickle(data: bytes):
    """An answer written one byte every half second."""

    def answer(conn):
        for i in range(len(data)):
            conn.sendall(data[i : i + 1])
            time.sleep(0.5)

    return answer


@pytest.mark.parametrize(
    "slow_part",
    [
        # 40 bytes of headers: 20 s
        b"HTTP/1.1 200 OK\r\nX-Slow: 123456789\r\n\r\n",
        # headers at once, then 40 bytes of body: 20 s
        b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + b"x" * 40,
    ],
    ids=["headers", "body"],
)
def test_a_target_answering_one_byte_at_a_time_is_cut_off_at_the_deadline(
    store, scripted, settings, slow_part
):
    # Given a target that would take 20 s, each byte well within any per-read timeout
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    settings.SHIPDESK_WEBHOOKS_DEADLINE_S = 1.0
    if slow_part.endswith(b"x" * 40):
        headers, _, body = slow_part.partition(b"\r\n\r\n")
        target = scripted(lambda conn: (conn.sendall(headers + b"\r\n\r\n"), trickle(body)(conn)))
    else:
        target = scripted(trickle(slow_part))
    delivery = one_delivery(store, f"http://127.0.0.1:{target.port}/hooks")

    status = engine.deliver(delivery.pk)

    # Then the delivery stops at the deadline, as a failed attempt to retry
    attempt = Attempt.objects.get()
    assert (status, attempt.status_code) == ("pending", None)
    assert attempt.error == "the target did not answer within the 1 s deadline"
    assert Message.objects.filter(kind="webhook").get().last_error == attempt.error
    assert attempt.duration_ms < 10_000  # loosely: far from the target's 20 s
    target.finished.wait(10)
    assert target.completed is False


def test_only_the_start_of_a_huge_answer_is_read(store, scripted, settings):
    # Given a target answering 64 MB
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    size = 64 * 1024 * 1024

    def huge(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        for _ in range(size // 65536):
            conn.sendall(b"x" * 65536)

    target = scripted(huge)
    delivery = one_delivery(store, f"http://127.0.0.1:{target.port}/hooks")

    status = engine.deliver(delivery.pk)

    # Then shipdesk hangs up after the start: the target cannot write it all
    target.finished.wait(30)
    assert target.completed is False
    attempt = Attempt.objects.get()
    assert (status, attempt.status_code, attempt.error) == ("sent", 200, "")
    assert attempt.answer == "x" * 2000


def receiver_verifies(secret: str, signature: str, body: bytes) -> bool:
    """What a receiver does with X-Shipdesk-Signature, written from the API documentation."""
    fields = dict(part.split("=", 1) for part in signature.split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_each_post_is_signed_with_the_secret_of_the_subscribe_answer(
    store, api, webhook_target, settings
):
    settings.SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = True
    import_orders(store)
    answer = api.post(
        "/webhooks/subscribe", {"target_url": webhook_target.url, "event": "ORDER_NOTIFY"}
    ).json()
    webhooks.orders_imported(store, list(Order.objects.values_list("pk", flat=True)[:2]))

    before = int(time.time())
    engine.deliver_due("webhook")["webhook"]
    after = int(time.time())

    [(headers, body)] = webhook_target.requests
    signature = headers["X-Shipdesk-Signature"]
    timestamp = int(signature.split(",")[0].removeprefix("t="))
    assert before <= timestamp <= after
    assert receiver_verifies(answer["secret"], signature, body) is True
    assert receiver_verifies("not-" + answer["secret"], signature, body) is False
    assert receiver_verifies(answer["secret"], signature, body + b" ") is False
    forged_time = signature.replace(f"t={timestamp}", f"t={timestamp + 1}")
    assert receiver_verifies(answer["secret"], forged_time, body) is False
