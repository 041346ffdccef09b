"""Carrier accounts and rules for the rules' tests."""

import pytest

from shipdesk.carriers.models import CarrierAccount


def account(name: str, carrier_code: str, **credentials) -> CarrierAccount:
    acc = CarrierAccount(name=name, carrier_code=carrier_code)
    acc.credentials = credentials
    acc.save()
    return acc


@pytest.fixture
def colissimo(db):
    return account("Colissimo pro", "colissimo", contract_number="123456", password="secret")


@pytest.fixture
def chronopost(db):
    return account("Chronopost pro", "chronopost", account_number="19869502", password="secret")
