"""Which addresses user-typed URLs may reach: the pure checks, with no network."""

import ipaddress

import pytest

from shipdesk.core import netguard

HINT = "set SHIPDESK_WEBHOOKS_ALLOW_PRIVATE=1 on the server to allow local targets"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.255.255.254", False),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # AWS, GCP, Azure metadata
        ("192.0.0.192", False),  # Oracle Cloud metadata
        ("100.64.0.1", False),  # shared address space (CGNAT)
        ("100.100.100.200", False),  # Alibaba Cloud metadata
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),
        ("198.18.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fec0::1", False),
        ("fc00::1", False),
        ("fd00:ec2::254", False),  # AWS metadata over IPv6
        ("ff02::1", False),
        ("ff0e::1", False),
        ("2001:db8::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("2002:a00:1::", False),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_only_internet_addresses_are_public(address, public):
    assert netguard.is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8000/hooks", "127.0.0.1"),
        ("http://[::1]/hooks", "::1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://[::ffff:7f00:1]/", "::ffff:7f00:1"),
        ("http://2130706433/", "2130706433"),
        ("http://017700000001/", "017700000001"),
        ("http://0x7f000001/", "0x7f000001"),
        ("http://0x7f.1/", "0x7f.1"),
        ("http://127.1/", "127.1"),
        ("https://10.0.0.5/", "10.0.0.5"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://0.0.0.0:22/", "0.0.0.0"),
        ("http://[::]/", "::"),
        ("http://224.0.0.251/", "224.0.0.251"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254"),
    ],
)
def test_a_url_whose_host_is_a_local_address_in_any_spelling_is_refused(url, host):
    with pytest.raises(netguard.Refused) as refused:
        netguard.check_url(url, allow_private=False)

    assert str(refused.value) == (
        f"the target URL's host {host} is not a public address (loopback, private, link-local, "
        f"shared, multicast or reserved); {HINT}"
    )


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/", "http://api.localhost/", "http://LOCALHOST./"]
)
def test_localhost_names_are_refused_without_asking_a_resolver(url):
    host = url.split("/")[2].split(":")[0].lower()
    with pytest.raises(netguard.Refused) as refused:
        netguard.check_url(url, allow_private=False)

    assert str(refused.value) == f"the target URL's host {host} is the server itself; {HINT}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http:///hooks", "the target URL must be an http:// or https:// URL with a host"),
        ("ftp://erp.example.com/", "the target URL must be an http:// or https:// URL with a host"),
        ("gopher://127.0.0.1:25/", "the target URL must be an http:// or https:// URL with a host"),
        ("http://erp.example.com:99999/", "the target URL is not a valid URL"),
        ("http://[::1/", "the target URL is not a valid URL"),
        # httpx reads dotted hosts as IPv4 and refuses octal parts
        ("http://0177.0.0.1/", "the target URL is not a valid URL"),
    ],
)
def test_only_http_urls_with_a_host_are_accepted(url, message):
    for allow_private in (False, True):
        with pytest.raises(netguard.Refused) as refused:
            netguard.check_url(url, allow_private=allow_private)
        assert str(refused.value) == message


@pytest.mark.parametrize(
    "url",
    ["https://erp.example.com/hooks", "http://8.8.8.8/", "https://[2606:4700:4700::1111]:8443/"],
)
def test_public_addresses_and_names_are_accepted(url, monkeypatch):
    def no_lookup(host, port, *args, flags=0, **kwargs):
        # Names are resolved at delivery only: a lookup here would tell which internal
        # names exist.
        assert flags & netguard.socket.AI_NUMERICHOST
        return real(host, port, *args, flags=flags, **kwargs)

    real = netguard.socket.getaddrinfo
    monkeypatch.setattr(netguard.socket, "getaddrinfo", no_lookup)

    assert netguard.check_url(url, allow_private=False) is None


def test_the_setting_allows_local_addresses():
    assert netguard.check_url("http://127.0.0.1:9/hooks", allow_private=True) is None
    assert netguard.check_url("http://localhost/hooks", allow_private=True) is None
