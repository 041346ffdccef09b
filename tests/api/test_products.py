"""/products: shipdesk's catalogue listed, filtered, read and updated in ShipStation's product
shape (ounces and inches), through shipstation-api-wrapper (`products.list_products`,
`get_product_by_sku`) and its request handler for the calls it lacks (PUT, paging)."""

import base64
from decimal import Decimal

import pytest
from shipstation_api_wrapper.api import ShipStationClient

from shipdesk.orders.models import Product


@pytest.fixture
def wrapper(live_server, credentials, no_rate_limit):
    key, secret = credentials
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return ShipStationClient(token, base_url=f"{live_server.url}/ssapi")


@pytest.fixture
def catalogue(db):
    return [
        Product.objects.create(
            sku="IPH13-128",
            name="iPhone 13 128 GB",
            weight_grams=454,
            length_cm=Decimal("15.24"),
            width_cm=Decimal("7.62"),
            height_cm=Decimal("2.54"),
            warehouse_location="A-01",
            needs_imei=True,
            customs_description="Refurbished smartphone",
        ),
        Product.objects.create(sku="CASE-1", name="Phone case", weight_grams=85),
        Product.objects.create(sku="IPH12-64", name="iPhone 12 64 GB"),
    ]


def test_products_are_listed_by_sku_in_shipstations_shape(wrapper, catalogue):
    body = wrapper.products.list_products().json()

    assert [p["sku"] for p in body["products"]] == ["CASE-1", "IPH12-64", "IPH13-128"]
    assert (body["total"], body["page"], body["pages"]) == (3, 1, 1)
    phone = body["products"][2]
    assert phone["productId"] == catalogue[0].pk
    assert (phone["name"], phone["weightOz"], phone["length"], phone["width"], phone["height"]) == (
        "iPhone 13 128 GB",
        16.01,
        6.0,
        3.0,
        1.0,
    )
    assert (phone["warehouseLocation"], phone["customsDescription"], phone["needsImei"]) == (
        "A-01",
        "Refurbished smartphone",
        True,
    )
    assert (phone["active"], phone["tags"], phone["customsValue"]) == (True, None, None)
    assert body["products"][1]["weightOz"] is None


def test_products_filtered_by_sku_prefix_name_and_sorted(wrapper, catalogue):
    by_sku = wrapper.products.get_product_by_sku("IPH").json()
    handler = wrapper.products.request
    by_name = handler.get("/products", params={"name": "iphone", "sortBy": "Name"}).json()
    desc = handler.get(
        "/products", params={"sortBy": "SKU", "sortDir": "DESC", "pageSize": 2, "page": 2}
    ).json()
    tagged = handler.get("/products", params={"tagId": 1}).json()

    assert [p["sku"] for p in by_sku["products"]] == ["IPH12-64", "IPH13-128"]
    assert [p["name"] for p in by_name["products"]] == ["iPhone 12 64 GB", "iPhone 13 128 GB"]
    assert ([p["sku"] for p in desc["products"]], desc["pages"]) == (["CASE-1"], 2)
    assert (tagged["products"], tagged["total"]) == ([], 0)


def test_a_product_put_back_as_read_changes_nothing_and_a_change_is_saved(wrapper, catalogue):
    handler = wrapper.products.request
    phone = catalogue[0]
    read = handler.get(f"/products/{phone.pk}").json()

    same = handler.put(f"/products/{phone.pk}", json=read)
    phone.refresh_from_db()
    assert same.json() == {"success": True, "message": "The requested product has been updated"}
    assert (phone.weight_grams, phone.length_cm, phone.warehouse_location) == (
        454,
        Decimal("15.24"),
        "A-01",
    )

    changed = {
        **read,
        "weightOz": 7,
        "length": 10,
        "warehouseLocation": "B-07",
        "defaultPackageCode": "small_box",
        "needsImei": None,
        "someFieldShipStationAdds": "ignored",
    }
    response = handler.put(f"/products/{phone.pk}", json=changed)

    assert response.status_code == 200, response.text
    phone.refresh_from_db()
    assert (phone.weight_grams, phone.length_cm, phone.warehouse_location) == (
        198,
        Decimal("25.40"),
        "B-07",
    )
    assert (phone.package_code, phone.needs_imei, phone.sku) == ("small_box", None, "IPH13-128")
    again = handler.get(f"/products/{phone.pk}").json()
    assert (again["weightOz"], again["length"], again["defaultPackageCode"]) == (
        6.98,
        10.0,
        "small_box",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"weightOz": 1e12},
            "invalid request: weightOz: 1000000000000.0 ounces is more than 1000000 g",
        ),
        ({"sku": "CASE-1"}, "sku CASE-1 is product {case}'s already"),
        ({"productId": 999}, "productId 999 in the body is not product {phone} of the URL"),
        ({"length": -1}, "invalid request: length: Input should be greater than or equal to 0"),
    ],
)
def test_a_wrong_put_is_400_naming_the_field_and_saves_nothing(api, catalogue, body, message):
    phone, case = catalogue[0], catalogue[1]

    response = api.client.put(
        f"/ssapi/products/{phone.pk}",
        {"sku": "IPH13-128", **body},
        content_type="application/json",
        HTTP_AUTHORIZATION=api.auth,
    )

    assert (response.status_code, response.json()) == (
        400,
        {"message": message.format(case=case.pk, phone=phone.pk)},
    )
    phone.refresh_from_db()
    assert (phone.sku, phone.weight_grams) == ("IPH13-128", 454)


def test_an_unknown_product_is_404(api, db):
    assert api.get("/products/424242").json() == {"message": "product 424242 not found"}
    assert api.get("/products/424242").status_code == 404
