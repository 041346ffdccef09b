"""Each user's label layout: chosen on the preferences page (English and French), kept,
and read by the pages that print labels (web.access.label_layout)."""

import pytest

from shipdesk.web.access import label_layout
from shipdesk.web.models import UserPreference

pytestmark = pytest.mark.django_db


def test_the_label_layout_is_chosen_with_the_other_preferences(shipper_client, shipper):
    assert label_layout(shipper) == "4x6"  # before any choice

    response = shipper_client.post(
        "/preferences/", {"language": "", "time_zone": "", "label_layout": "a4x4"}
    )

    assert response.status_code == 302
    assert UserPreference.objects.get(user=shipper).label_layout == "a4x4"
    shipper.refresh_from_db()
    assert label_layout(shipper) == "a4x4"
    # A form sent without it (an older page) keeps the choice.
    shipper_client.post("/preferences/", {"language": "", "time_zone": "Europe/Paris"})
    assert UserPreference.objects.get(user=shipper).label_layout == "a4x4"


def test_the_choices_in_french_and_a_wrong_one_refused_on_the_page(shipper_client, shipper):
    page = shipper_client.get("/preferences/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<option value="a4x4">A4, quatre étiquettes par page</option>' in page
    assert '<option value="zpl">ZPL (imprimante thermique)</option>' in page

    refused = shipper_client.post(
        "/preferences/", {"label_layout": "letter"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "Select a valid choice. letter is not one of the available choices." in (
        refused.content.decode()
    )
    assert not UserPreference.objects.filter(user=shipper).exists()
