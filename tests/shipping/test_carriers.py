"""The one carrier table: each carrier once, and its label part matching karrio."""

import typing
from importlib.metadata import version

import pytest

from shipdesk.shipping.carriers import CARRIERS, LABEL_CARRIERS, get_carrier, label_carrier


def test_the_label_carriers_are_the_table_entries_with_a_karrio_part():
    assert list(LABEL_CARRIERS) == [
        "colissimo",
        "chronopost",
        "dhl_express",
        "ups",
        "dpd",
        "gls",
        "sandbox",
    ]
    assert all(LABEL_CARRIERS[code] is CARRIERS[code] for code in LABEL_CARRIERS)


@pytest.mark.parametrize("code", list(LABEL_CARRIERS))
def test_each_label_carrier_names_karrio_settings_that_exist(code):
    # given
    from karrio.references import collect_providers_data

    karrio = label_carrier(code).karrio

    # when
    settings = set(typing.get_type_hints(collect_providers_data()[karrio.carrier].Settings))

    # then: the credentials asked for are karrio's settings fields, from an installed package
    assert {c.name for c in karrio.credentials} <= settings
    assert version(karrio.package)


def test_carriers_without_labels_are_refused_for_labels_only():
    # given
    manual = get_carrier("la_poste")

    # when
    with pytest.raises(ValueError) as caught:
        label_carrier("la_poste")

    # then
    assert manual.karrio is None
    assert str(caught.value) == (
        "no label support for carrier 'la_poste'; expected one of "
        "colissimo, chronopost, dhl_express, ups, dpd, gls, sandbox"
    )


def test_credentials_are_cleaned_against_the_table():
    # given
    ups = label_carrier("ups")
    values = {"client_id": " id ", "client_secret": "s3cret", "account_number": "A1B2C3"}

    # when / then
    assert ups.clean_credentials(values) == {
        "client_id": "id",
        "client_secret": "s3cret",
        "account_number": "A1B2C3",
    }
    with pytest.raises(ValueError) as missing:
        ups.clean_credentials({"client_id": "id", "client_secret": " "})
    with pytest.raises(ValueError) as unknown:
        ups.clean_credentials({**values, "password": "x"})
    assert str(missing.value) == "ups needs client_secret, account_number"
    assert str(unknown.value) == (
        "unknown ups credential 'password'; expected account_number, client_id, client_secret"
    )
