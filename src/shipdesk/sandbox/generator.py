"""Seeded generator of realistic Back Market orders, shaped exactly like real API responses.

Every order carries every key of the real Order, Address and Orderline objects (see the
Back Market contract) with the kinds of values real traffic shows: localized product titles,
relay emails, national phone formats, mixed date offsets, GDPR-erased customers, BackShip
orders, missing shipping addresses, multi-line orders and lines of quantity 2.
"""

from __future__ import annotations

import calendar
import random
import re
import time
import uuid
import zlib
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import accumulate

DAY = 86_400.0
HOUR = 3_600.0

# Lines in these states never move again.
FINAL_LINE_STATES = frozenset({4, 5, 6, 7})
RETURN_REASONS = frozenset({0, 1, 11, 12, 13, 21, 22, 23, 24, 25})
LANGS = ("fr", "de", "es", "it", "en", "nl")


class _Pick:
    """Weighted choice with precomputed cumulative weights (rng.choices recomputes them)."""

    def __init__(self, weighted: dict):
        self.items = tuple(weighted)
        self.cum = tuple(accumulate(weighted.values()))

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def _one(rng: random.Random, items):
    """rng.choice, several times faster (it matters for 100,000 orders)."""
    return items[int(rng.random() * len(items))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _split(text: str) -> tuple[str, ...]:
    """Compact tables: 'a|b|c' -> ('a', 'b', 'c')."""
    return tuple(text.split("|"))


def _by_lang(text: str) -> dict[str, str]:
    """'fr|de|es|it|en|nl' translations -> {lang: text}."""
    return dict(zip(LANGS, _split(text), strict=True))


# --- dates -------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _paris_summer(year: int) -> tuple[int, int]:
    """EU summer time runs from the last Sunday of March to the last Sunday of October, 01:00 UTC."""

    def last_sunday_1am(month: int) -> int:
        last = calendar.monthrange(year, month)[1]
        day = last - (calendar.weekday(year, month, last) + 1) % 7
        return calendar.timegm((year, month, day, 1, 0, 0))

    return last_sunday_1am(3), last_sunday_1am(10)


def format_date(t: float, paris: bool) -> str:
    """ISO 8601 at second precision, in UTC (`Z`) or in Paris time (`+01:00` / `+02:00`)."""
    t = int(t)
    if not paris:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    start, end = _paris_summer(time.gmtime(t).tm_year)
    offset = 2 if start <= t < end else 1
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + offset * 3600)) + f"+0{offset}:00"


def parse_date(value: str) -> float:
    """Epoch seconds of an ISO 8601 / `YYYY-MM-DD HH:MM:SS` date; naive values are UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return calendar.timegm(parsed.timetuple()) + parsed.microsecond / 1e6
    return parsed.timestamp()


# --- identifiers -------------------------------------------------------------------------


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total


def luhn_valid(digits: str) -> bool:
    return _luhn_sum(digits) % 10 == 0


def is_valid_imei(value: object) -> bool:
    """15 ASCII digits with a valid Luhn check digit."""
    return (
        isinstance(value, str)
        and len(value) == 15
        and value.isascii()
        and value.isdigit()
        and luhn_valid(value)
    )


def make_imei(rng: random.Random) -> str:
    body = "35" + _fill(rng, "#" * 12)
    return body + str(-_luhn_sum(body + "0") % 10)


_ALNUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


_SEGMENTS = re.compile(r"#+|@+|[^#@]+")


@lru_cache(maxsize=256)
def _segments(template: str) -> tuple[str, ...]:
    return tuple(_SEGMENTS.findall(template))


def _fill(rng: random.Random, template: str) -> str:
    """Replace `#` by random digits and `@` by random capital letters."""
    parts = []
    for segment in _segments(template):
        if segment[0] == "#":  # a run of up to 15 digits in one draw
            parts.append(f"{int(rng.random() * 10 ** len(segment)):0{len(segment)}d}")
        elif segment[0] == "@":
            parts.append("".join(_one(rng, _LETTERS) for _ in segment))
        else:
            parts.append(segment)
    return "".join(parts)


def _serial(rng: random.Random) -> str:
    return "".join(_one(rng, _ALNUM) for _ in range(12))


def _cents(amount: int) -> str:
    """Back Market money: a 2-decimal string."""
    return f"{amount // 100}.{amount % 100:02d}"


def _to_cents(money: str) -> int:
    return int(money.replace(".", ""))


# --- countries and people ----------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str
    iso: str
    currency: str
    lang: str
    # Delivery options a buyer picks from: (shipper, shipping_delay in hours, price in cents).
    delivery: tuple[tuple[str, int, int], ...]
    # (city, postal code templates: `#` digit, `@` letter)
    cities: tuple[tuple[str, tuple[str, ...]], ...]
    phones: tuple[str, ...]
    streets: tuple[str, ...]
    street2: tuple[str, ...]


_FR_STREETS = _split(
    "{n} rue des Lilas|{n} avenue Jean Jaurès|{n} boulevard Voltaire|{n} place de l'Église"
    "|{n} chemin des Écoliers|{n} allée des Châtaigniers"
)
_DE_STREETS = _split("Hauptstraße {n}|Bahnhofstraße {n}|Am Mühlbach {n}|Königsallee {n}")
_EN_STREETS = _split("{n} Baker Street|{n} High Street|{n} Church Road|{n} Queen's Avenue")
_EN_STREET2 = _split("|||Flat 3|Apartment 12|Unit 5")

COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country(
            "fr-fr",
            "FR",
            "EUR",
            "fr",
            (("Colissimo", 48, 0), ("Colissimo", 72, 0), ("Chronopost", 24, 999)),
            (
                ("Paris", ("75011", "75015", "75018", "75020")),
                ("Lyon", ("6900#",)),
                ("Marseille", ("1300#", "1301#")),
                ("Toulouse", ("31000", "31200", "31400")),
                ("Saint-Étienne", ("42000", "42100")),
                ("Besançon", ("25000",)),
                ("Orléans", ("45000",)),
            ),
            ("06 ## ## ## ##", "07 ## ## ## ##", "06########", "+33 6 ## ## ## ##"),
            _FR_STREETS,
            _split("|||Bât. B|Appartement 12|Résidence Les Érables|3e étage"),
        ),
        Country(
            "fr-be",
            "BE",
            "EUR",
            "fr",
            (("DHL Express", 48, 0), ("UPS", 24, 999)),
            (("Bruxelles", ("1000", "1050")), ("Liège", ("4000",)), ("Namur", ("5000",))),
            ("04## ## ## ##", "+32 4## ## ## ##"),
            _split("Rue Neuve {n}|Avenue Louise {n}|Chaussée de Wavre {n}"),
            _split("||Boîte 3|2e étage"),
        ),
        Country(
            "de-de",
            "DE",
            "EUR",
            "de",
            (("DHL Express", 48, 0), ("DPD", 48, 0), ("UPS", 24, 999)),
            (
                ("Berlin", ("10115", "10437", "12047")),
                ("München", ("80331", "80802")),
                ("Köln", ("50667", "50823")),
                ("Düsseldorf", ("40210", "40477")),
            ),
            ("0151 ########", "0176 #######", "+49 170 #######"),
            _DE_STREETS,
            _split("|||Hinterhaus|c/o Müller|3. OG"),
        ),
        Country(
            "de-at",
            "AT",
            "EUR",
            "de",
            (("DPD", 48, 0), ("UPS", 24, 999)),
            (("Wien", ("1010", "1070")), ("Graz", ("8010",)), ("Salzburg", ("5020",))),
            ("0664 #######", "0676 #######"),
            _split("Mariahilfer Straße {n}|Landstraße {n}|Hauptplatz {n}"),
            _split("||Top 4|Stiege 2"),
        ),
        Country(
            "es-es",
            "ES",
            "EUR",
            "es",
            (("UPS", 48, 0), ("DHL Express", 24, 999)),
            (
                ("Madrid", ("280##",)),
                ("Barcelona", ("080##",)),
                ("Málaga", ("290##",)),
                ("A Coruña", ("150##",)),
            ),
            ("6## ## ## ##", "6########", "+34 6## ### ###"),
            _split("Calle de Alcalá {n}|Avenida de la Constitución {n}|Calle Mayor {n}"),
            _split("||3º izquierda|Piso 2, puerta B|Bajo A"),
        ),
        Country(
            "it-it",
            "IT",
            "EUR",
            "it",
            (("UPS", 48, 0), ("DHL Express", 24, 999), ("GLS", 72, 0)),
            (
                ("Roma", ("001##",)),
                ("Milano", ("201##",)),
                ("Forlì", ("47121",)),
                ("Cantù", ("22063",)),
            ),
            ("3## ### ####", "3#########", "+39 3## #######"),
            _split("Via Roma {n}|Via Garibaldi {n}|Corso Vittorio Emanuele II {n}"),
            _split("||Scala B|Interno 7|Piano 3"),
        ),
        Country(
            "en-gb",
            "GB",
            "GBP",
            "en",
            (("Royal Mail", 48, 0), ("DPD UK", 24, 0), ("Royal Mail Express", 24, 799)),
            (
                ("London", ("SW1A #@@", "E1 #@@", "N1 #@@", "SE10 #@@")),
                ("Manchester", ("M1 #@@", "M20 #@@")),
                ("Glasgow", ("G12 #@@",)),
            ),
            ("07### ######", "07#########", "+44 7### ######"),
            _EN_STREETS,
            _EN_STREET2,
        ),
        Country(
            "en-ie",
            "IE",
            "EUR",
            "en",
            (("DHL Express", 48, 0), ("UPS", 24, 999)),
            (("Dublin", ("D02 @###", "D08 @###")), ("Cork", ("T12 @###",))),
            ("08# ### ####", "+353 8# ### ####"),
            _EN_STREETS,
            _EN_STREET2,
        ),
        Country(
            "nl-nl",
            "NL",
            "EUR",
            "nl",
            (("DHL Express", 48, 0), ("UPS", 24, 999)),
            (("Amsterdam", ("10## @@",)), ("Rotterdam", ("30## @@",)), ("Utrecht", ("35## @@",))),
            ("06-########", "06 ########", "+31 6 ########"),
            _split("Kerkstraat {n}|Prinsengracht {n}|Dorpsstraat {n}"),
            _split("||3-hoog|huis"),
        ),
    )
}
_PICK_COUNTRY = _Pick(
    {
        "fr-fr": 40,
        "de-de": 15,
        "es-es": 12,
        "it-it": 10,
        "en-gb": 8,
        "fr-be": 5,
        "de-at": 4,
        "nl-nl": 4,
        "en-ie": 2,
    }
)

_FIRST_NAMES = {
    "fr": _split("Élodie|Camille|Léa|Chloé|Inès|Hélène|Jérôme|Benoît|Théo|François|Gaëlle|Anaïs"),
    "de": _split("Jürgen|Jörg|Björn|Käthe|Lena|Lukas|Sören|Hannah|Maximilian|Zoë"),
    "es": _split("José|María|Íñigo|Begoña|Sofía|Álvaro|Lucía|Raúl|Nuria"),
    "it": _split("Niccolò|Giulia|Francesco|Chiara|Alessandro|Lucia|Andrea|Federica"),
    "en": _split("Oliver|Amelia|Siobhán|Seán|Harry|Isla|Chloe|Aoife"),
    "nl": _split("Daan|Sanne|Sem|Fleur|Jeroen|Anouk|Joëlle"),
}
_LAST_NAMES = {
    "fr": _split("Martin|Dubois|Lefèvre|Girard|Rousseau|Mercier|Guérin|Lemaître|N'Diaye"),
    "de": _split("Müller|Schröder|Weiß|Schäfer|Krüger|Hoffmann|Groß|Becker"),
    "es": _split("Martínez|García|Fernández|Núñez|Peña|Muñoz|López|de la Fuente"),
    "it": _split("Rossi|Russo|Esposito|D'Angelo|De Luca|Bianchi|Ricci|Colombo"),
    "en": _split("Smith|Jones|O'Brien|Murphy|Taylor|Williams|MacDonald"),
    "nl": _split("de Jong|Jansen|de Vries|van den Berg|Bakker|Visser"),
}
_COMPANIES = _by_lang(
    "SARL Atelier Lumière|Müller & Söhne GmbH|Reformas Núñez S.L.|Ferramenta Rossi S.r.l."
    "|Acme Repairs Ltd|Bakker B.V."
)
# Fiscal codes some Spanish and Italian buyers type in at checkout.
_ID_NUMBERS = {"es-es": "########@", "it-it": "@@@@@@##@##@###@"}

# --- catalog -----------------------------------------------------------------------------

_COLORS = {
    "BLK": _by_lang("Noir|Schwarz|Negro|Nero|Black|Zwart"),
    "WHT": _by_lang("Blanc|Weiß|Blanco|Bianco|White|Wit"),
    "BLU": _by_lang("Bleu|Blau|Azul|Blu|Blue|Blauw"),
    "RED": _by_lang("Rouge|Rot|Rojo|Rosso|Red|Rood"),
    "GRN": _by_lang("Vert|Grün|Verde|Verde|Green|Groen"),
    "PUR": _by_lang("Mauve|Violett|Morado|Viola|Purple|Paars"),
    "GRY": _by_lang("Gris sidéral|Space Grau|Gris espacial|Grigio siderale|Space Grey|Spacegrijs"),
    "GLD": _by_lang("Or|Gold|Oro|Oro|Gold|Goud"),
}
_UNLOCKED = _by_lang("Débloqué|Ohne Simlock|Libre|Sbloccato|Unlocked|Simlockvrij")
_GB = _by_lang(" Go| GB| GB| GB|GB| GB")


@dataclass(frozen=True)
class Product:
    code: str
    brand: str
    name: str  # a phone model, or 'fr|de|es|it|en|nl' titles for an accessory
    storages: tuple[int, ...]  # empty for accessories
    colors: tuple[str, ...]
    price_eur: int
    product_id: int

    @property
    def is_phone(self) -> bool:
        return bool(self.storages)


PHONES = (
    Product("IP11", "Apple", "iPhone 11", (64, 128), ("BLK", "WHT", "PUR", "RED"), 239, 539110),
    Product("IP12", "Apple", "iPhone 12", (64, 128), ("BLK", "BLU", "WHT"), 289, 545120),
    Product("IP12MINI", "Apple", "iPhone 12 mini", (64, 128), ("BLK", "BLU"), 249, 545125),
    Product("IP13", "Apple", "iPhone 13", (128, 256), ("BLK", "BLU", "RED"), 369, 545434),
    Product("IP13PRO", "Apple", "iPhone 13 Pro", (128, 256, 512), ("GRY", "GLD"), 499, 545440),
    Product("IP14", "Apple", "iPhone 14", (128, 256), ("BLK", "PUR", "BLU"), 459, 552140),
    Product("IP14PRO", "Apple", "iPhone 14 Pro", (128, 256), ("BLK", "PUR", "GLD"), 629, 552145),
    Product("IP15", "Apple", "iPhone 15", (128, 256), ("BLK", "BLU", "GRN"), 599, 560150),
    Product("GS21", "Samsung", "Galaxy S21 5G", (128, 256), ("GRY", "WHT", "PUR"), 229, 541210),
    Product("GS22", "Samsung", "Galaxy S22", (128, 256), ("BLK", "WHT", "GRN"), 289, 548220),
    Product("GS23", "Samsung", "Galaxy S23", (128, 256), ("BLK", "GRN"), 449, 556230),
    Product("GA54", "Samsung", "Galaxy A54 5G", (128,), ("BLK", "WHT"), 229, 556540),
    Product("PX6", "Google", "Pixel 6", (128,), ("BLK", "GRN"), 209, 546060),
    Product("PX7", "Google", "Pixel 7", (128, 256), ("BLK", "WHT"), 279, 551070),
    Product("PX8", "Google", "Pixel 8", (128,), ("BLK", "WHT"), 429, 559080),
    Product("RN12", "Xiaomi", "Redmi Note 12", (64, 128), ("GRY", "BLU"), 139, 555120),
    Product("MI13", "Xiaomi", "Xiaomi 13", (256,), ("BLK", "WHT"), 389, 557130),
)
ACCESSORIES = (
    Product(
        "CHG-USBC-20W",
        "Apple",
        "Chargeur secteur USB-C 20W|USB-C Netzteil 20 W|Adaptador de corriente USB-C de 20 W"
        "|Alimentatore USB-C da 20 W|20W USB-C Power Adapter|USB-C-lichtnetadapter van 20 W",
        (),
        (),
        19,
        530001,
    ),
    Product(
        "CASE-IP13-SIL",
        "Apple",
        "Coque en silicone pour iPhone 13|Silikon Case für iPhone 13"
        "|Funda de silicona para iPhone 13|Custodia in silicone per iPhone 13"
        "|iPhone 13 Silicone Case|Siliconenhoesje voor iPhone 13",
        (),
        (),
        14,
        530002,
    ),
    Product(
        "AIRPODS-PRO2",
        "Apple",
        "AirPods Pro (2e génération) - Boîtier de charge MagSafe"
        "|AirPods Pro (2. Generation) - MagSafe Ladecase"
        "|AirPods Pro (2.ª generación) - Estuche de carga MagSafe"
        "|AirPods Pro (2ª generazione) - Custodia di ricarica MagSafe"
        "|AirPods Pro (2nd generation) - MagSafe Charging Case"
        "|AirPods Pro (2e generatie) - MagSafe-oplaadcase",
        (),
        (),
        179,
        530003,
    ),
    Product(
        "BUDS2-GRY",
        "Samsung",
        "Galaxy Buds2 - Graphite|Galaxy Buds2 - Graphit|Galaxy Buds2 - Grafito"
        "|Galaxy Buds2 - Grafite|Galaxy Buds2 - Graphite|Galaxy Buds2 - Grafiet",
        (),
        (),
        69,
        530004,
    ),
    Product(
        "CBL-USBC-LGT",
        "Apple",
        "Câble USB-C vers Lightning (1 m)|USB-C auf Lightning Kabel (1 m)"
        "|Cable de USB-C a Lightning (1 m)|Cavo da USB-C a Lightning (1 m)"
        "|USB-C to Lightning Cable (1 m)|USB-C-naar-Lightning-kabel (1 m)",
        (),
        (),
        12,
        530005,
    ),
)
_ACCESSORY_TITLES = {a.code: _by_lang(a.name) for a in ACCESSORIES}

# Grades since mid-2021 (9-12), and a few legacy ones (0-4) on long-lived listings.
_PICK_CONDITION = _Pick({9: 10, 10: 35, 11: 37, 12: 15, 0: 0.6, 1: 0.6, 2: 0.6, 3: 0.6, 4: 0.6})
_GRADES = {
    **{9: "PREM", 10: "EXC", 11: "GOOD", 12: "FAIR"},
    **{0: "SHINY", 1: "VGOOD", 2: "GOOD", 3: "FAIR", 4: "STAL"},
}
_GRADE_FACTOR = {9: 115, 10: 105, 11: 100, 12: 92, 0: 110, 1: 100, 2: 95, 3: 90, 4: 85}
_GBP_PERCENT = 86

_PICK_PAYMENT = _Pick(
    {
        "CARD": 55,
        "PAYPAL": 15,
        "APPLE_PAY": 10,
        "GOOGLE_PAY": 4,
        "KLARNA_PAY_LATER": 5,
        "KLARNA_SLICE_IT": 3,
        "KLARNA_PAY_NOW": 2,
        "ONEY3X": 2,
        "ONEY4X": 1,
        "SOFORT": 1,
        "CLEARPAY": 2,
    }
)
_INSTALLMENTS = frozenset({"KLARNA_SLICE_IT", "ONEY3X", "ONEY4X", "CLEARPAY"})

# (tracking number template, tracking URL template) per carrier.
_TRACKING = {
    "Colissimo": ("6A###########", "https://www.laposte.fr/outils/suivre-vos-envois?code={}"),
    "Chronopost": (
        "XW#########FR",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}",
    ),
    "DHL Express": ("##########", "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={}"),
    "UPS": ("1Z@@@###########", "https://www.ups.com/track?tracknum={}"),
    "DPD": ("##############", "https://tracking.dpd.de/status/de_DE/parcel/{}"),
    "DPD UK": ("##############", "https://track.dpd.co.uk/parcels/{}"),
    "GLS": ("###########", "https://gls-group.com/track/{}"),
    "Royal Mail": (
        "@@#########GB",
        "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    ),
    "Royal Mail Express": (
        "@@#########GB",
        "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    ),
}


def tracking_for(rng: random.Random, shipper: str) -> tuple[str, str]:
    """A (tracking number, tracking URL) pair in the carrier's real format."""
    pattern, url = _TRACKING.get(shipper, _TRACKING["UPS"])
    number = _fill(rng, pattern)
    return number, url.format(number)


# Where Back Market's BackShip labels are; the sandbox serves them itself (its deliveries
# answer says where).
BACKSHIP_LABELS = "https://backship.backmarket.com/labels/"


def backship_delivery(order: dict, created: float) -> dict:
    """The BackShip label Back Market issues for an order; the same for a given order id."""
    rng = random.Random(order["order_id"])
    carrier = order["orderlines"][0]["shipper"] if order["orderlines"] else "Colissimo"
    number, url = tracking_for(rng, carrier)
    return {
        "id": 10**6 + _below(rng, 9 * 10**6),
        "orderId": order["order_id"],
        "labelUrl": f"{BACKSHIP_LABELS}{rng.getrandbits(64):016x}.pdf",
        "trackingNumber": number,
        "trackingUrl": url,
        "carrierName": carrier,
        "dateCreation": format_date(created, paris=False),
    }


# --- orders ------------------------------------------------------------------------------

# Order states in a generated history, and how old (days) orders in each state are.
_PICK_STATE = _Pick({1: 22, 3: 12, 9: 62, 0: 1, 10: 1, 8: 1})
_AGE_DAYS = {
    **{1: (0.02, 2.0), 3: (0.1, 4.0), 9: (0.5, 59.5)},
    **{0: (0.0, 0.1), 10: (0.0, 0.5), 8: (0.1, 2.0)},
}
# Line state of orders that were never paid (0 pending check, 10 pending payment, 8 failed).
_UNPAID_LINE_STATE = {0: 0, 10: 8, 8: 7}


def generate_orders(n: int, seed: int, now: datetime) -> list[dict]:
    """`n` raw orders dated within 60 days before `now`; order ids ascend with creation."""
    return list(iter_orders(n, seed, now))


def iter_orders(n: int, seed: int, now: datetime) -> Iterator[dict]:
    """generate_orders, one order at a time (a sandbox of 100,000 orders never holds them all)."""
    rng = random.Random(seed)
    end = now.timestamp()
    plans = []
    for _ in range(n):
        state = _PICK_STATE(rng)
        low, high = _AGE_DAYS[state]
        plans.append((end - rng.uniform(low, high) * DAY, state))
    plans.sort()
    order_id = 70_000_000 + _below(rng, 5_000_000)
    line_id = order_id + 26_000
    for created, state in plans:
        order = _build_order(rng, order_id, line_id, created, state, end)
        yield order
        order_id += 1 + _below(rng, 4)
        line_id += len(order["orderlines"]) + _below(rng, 3)


def new_order(rng: random.Random, order_id: int, line_id_start: int, now: datetime) -> dict:
    """An order paid at `now` (state 1), placed a few minutes before.

    Paid now, changed now: Back Market lists it from its payment, with that date_modification,
    so a client asking what changed since a moment ago finds it. Its lines take consecutive
    ids from `line_id_start`.
    """
    end = now.timestamp()
    order = _build_order(rng, order_id, line_id_start, end - rng.uniform(120, 600), 1, end)
    paid = format_date(end, paris=not order["date_creation"].endswith("Z"))
    order["date_payment"] = order["date_modification"] = paid
    return order


def _line_states(rng: random.Random, state: int, count: int) -> list[int]:
    if state in _UNPAID_LINE_STATE:
        return [_UNPAID_LINE_STATE[state]] * count
    r = rng.random()
    states = [{1: 1, 3: 2, 9: 3}[state]] * count
    if state == 1 and count > 1 and r < 0.3:
        states[-1] = 2 if r < 0.15 else 4
    elif state == 3 and count > 1 and r < 0.3:
        states[-1] = 4 if r < 0.2 else 5
    elif state == 9:
        # Mostly shipped; some fully cancelled or refunded, some refunded after delivery.
        if r < 0.04:
            states = [4] * count
        elif r < 0.07:
            states = [5] * count
        elif r < 0.11:
            states[0] = 6
        elif count > 1 and r < 0.2:
            states[-1] = 4
    return states


def _orderline(
    rng: random.Random, line_id: int, country: Country, created: str, delivery, skus: set
) -> tuple[dict, bool]:
    """A line not repeating a SKU of `skus`, and whether it is a phone."""
    lang = country.lang
    while True:
        condition = _PICK_CONDITION(rng)
        product = _one(rng, PHONES) if rng.random() < 0.8 else _one(rng, ACCESSORIES)
        if product.is_phone:
            storage = _one(rng, product.storages)
            color = _one(rng, product.colors)
            size = product.storages.index(storage)
            title = (
                f"{product.name} {storage}{_GB[lang]} - {_COLORS[color][lang]} - {_UNLOCKED[lang]}"
            )
            sku = f"{product.code}-{storage}-{color}-{_GRADES[condition]}"
            product_id = product.product_id + size * 10 + product.colors.index(color)
            unit_eur = product.price_eur * (4 + size) // 4
        else:
            title = _ACCESSORY_TITLES[product.code][lang]
            sku = f"{product.code}-{_GRADES[condition]}"
            product_id = product.product_id
            unit_eur = product.price_eur
        if sku not in skus:
            skus.add(sku)
            break
    unit_eur = unit_eur * _GRADE_FACTOR[condition] // 100
    if country.currency == "GBP":
        unit_eur = unit_eur * _GBP_PERCENT // 100
    unit = unit_eur * 100 + (0, 90, 99)[unit_eur % 3]  # seller-style prices: .00, .90, .99
    quantity = 2 if rng.random() < 0.05 else 1
    total = unit * quantity  # a line's price is the line total
    backcare = product.is_phone and rng.random() < 0.08
    shipper, delay, shipping_price = delivery
    line = {
        "id": line_id,
        "date_creation": created,
        "state": 1,
        "price": _cents(total),
        "shipping_price": _cents(shipping_price),
        "shipping_delay": delay,
        "shipper": shipper,
        "currency": country.currency,
        "return_reason": 0,
        "return_message": "",
        "listing": sku,
        "product": title,
        "quantity": quantity,
        "brand": product.brand,
        "product_id": product_id,
        "backcare": backcare,
        "backcare_price": _one(rng, (999, 1499, 2499)) if backcare else 0,
        "listing_id": 1_000_000 + zlib.crc32(sku.encode()) % 9_000_000,
        # Margin-scheme sales carry no VAT; a few REGULAR-VAT listings show the included 20 %.
        "sales_taxes": _cents(total // 6) if rng.random() < 0.1 else "0.00",
        "imei": "",
        "serial_number": "",
        "condition": condition,
        "orderline_fee": _cents(total // 10),
    }
    return line, product.is_phone


def _address(rng: random.Random, country: Country, email: str, phone: str | None) -> dict:
    city, postal_codes = _one(rng, country.cities)
    id_number = _ID_NUMBERS.get(country.code)
    return {
        "company": _COMPANIES[country.lang] if rng.random() < 0.03 else "",
        "first_name": _one(rng, _FIRST_NAMES[country.lang]),
        "first_name_pronunciation": None,
        "last_name": _one(rng, _LAST_NAMES[country.lang]),
        "last_name_pronunciation": None,
        "street": _one(rng, country.streets).format(n=1 + _below(rng, 180)),
        "street2": _one(rng, country.street2),
        "postal_code": _fill(rng, _one(rng, postal_codes)),
        "country": country.iso,
        "city": city,
        "phone": phone,
        "email": email,
        "customer_id_number": _fill(rng, id_number) if id_number and rng.random() < 0.3 else "",
    }


def _addresses(rng: random.Random, country: Country, order_id: int, erased: bool) -> tuple:
    """(shipping, billing): usually the same person, relay email, billing phone often null."""
    customer = 10**7 + _below(rng, 9 * 10**7)
    email = f"shipping_{customer}_{order_id}@eu.perso-email.com"
    phone = _fill(rng, _one(rng, country.phones))
    shipping = _address(rng, country, email, phone)
    billing_phone = None if rng.random() < 0.6 else phone
    if rng.random() < 0.8:
        billing = {**shipping, "phone": billing_phone}
    else:
        billing = _address(rng, country, email, billing_phone)
    if erased and rng.random() < 0.03:  # GDPR erasure of a closed order
        for address in (shipping, billing):
            address.update(
                first_name="Deleted", last_name="Deleted", phone="Deleted", email="Deleted"
            )
    if rng.random() < 0.01:  # older customer records still carry `gender`
        shipping["gender"] = billing["gender"] = _below(rng, 2)
    return shipping, billing


def _build_order(
    rng: random.Random, order_id: int, line_id: int, created: float, state: int, end: float
) -> dict:
    country = COUNTRIES[_PICK_COUNTRY(rng)]
    paris = rng.random() < 0.4  # real payloads mix `Z` and `+01:00`/`+02:00` offsets

    def date(t: float | None) -> str | None:
        return None if t is None else format_date(min(t, end), paris)

    delivery = _one(rng, country.delivery)
    r = rng.random()
    count = 1 if r < 0.85 else 2 if r < 0.97 else 3
    skus: set[str] = set()
    lines, phones = [], []
    for i in range(count):
        line, is_phone = _orderline(rng, line_id + i, country, date(created), delivery, skus)
        if i:
            line["shipping_price"] = "0.00"  # shipping is charged once, on the first line
        lines.append(line)
        phones.append(is_phone)
    states = _line_states(rng, state, count)

    # Timeline: payment, then acceptance/cancellation, shipping, refund after delivery.
    paid = state not in _UNPAID_LINE_STATE
    payment = created + rng.uniform(30, 900) if paid else None
    modified = payment or created
    decided = shipped = None
    if paid and any(s != 1 for s in states):
        decided = modified = payment + rng.uniform(600, 6 * HOUR)
    if any(s == 5 for s in states):
        modified = decided + rng.uniform(HOUR, 24 * HOUR)
    if any(s in (3, 6) for s in states):
        shipped = modified = decided + rng.uniform(2 * HOUR, 40 * HOUR)
    if 6 in states:
        modified = shipped + rng.uniform(3 * DAY, 14 * DAY)

    shipper = delivery[0]
    is_backship = rng.random() < 0.05
    tracking_number = tracking_url = ""
    if shipped is not None:
        tracking_number, tracking_url = tracking_for(rng, shipper)
    for line, line_state, is_phone in zip(lines, states, phones, strict=True):
        line["state"] = line_state
        if line_state in (3, 6) and line["quantity"] == 1:
            if is_phone and rng.random() < 0.9:
                line["imei"] = make_imei(rng)
            if rng.random() < 0.3:
                line["serial_number"] = _serial(rng)
        if line_state == 6:
            line["return_reason"] = _one(rng, (1, 21, 22, 24))
            line["return_message"] = _one(
                rng, ("", "Écran rayé à la réception", "Battery drains fast")
            )

    shipping_address, billing_address = _addresses(rng, country, order_id, erased=state == 9)
    payment_method = _PICK_PAYMENT(rng)
    line_total = sum(_to_cents(line["price"]) for line in lines)
    taxes = sum(_to_cents(line["sales_taxes"]) for line in lines)
    order = {
        "order_id": order_id,
        "shipping_address": shipping_address,
        "billing_address": billing_address,
        "delivery_note": (
            f"https://bm-delivery-forms.s3.eu-west-1.amazonaws.com/delivery_form/"
            f"{order_id}_delivery_form.pdf?X-Amz-Expires=604800&X-Amz-Signature={rng.getrandbits(128):032x}"
            if paid
            else ""
        ),
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
        "shipper": shipper,
        "shipper_display": shipper,
        "date_creation": date(created),
        "date_modification": date(modified),
        "date_shipping": date(shipped),
        "date_payment": date(payment),
        "date_bill_provided": date(shipped + rng.uniform(60, 7200))
        if shipped and rng.random() < 0.5
        else None,
        "state": state,
        "orderlines": lines,
        "price": _cents(line_total + delivery[2]),
        "shipping_price": _cents(delivery[2]),
        "currency": country.currency,
        "country_code": country.code,
        "paypal_reference": _fill(rng, "#@@#####@@######@") if payment_method == "PAYPAL" else None,
        "psp_reference": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "installment_payment": payment_method in _INSTALLMENTS,
        "payment_method": payment_method,
        "sales_taxes": _cents(taxes),
        "expected_dispatch_date": (
            date(payment + delivery[1] * HOUR) if payment and rng.random() < 0.5 else None
        ),
        "is_backship": is_backship,
    }
    if is_backship and shipped is not None:
        label = backship_delivery(order, decided)
        order["tracking_number"], order["tracking_url"] = (
            label["trackingNumber"],
            label["trackingUrl"],
        )
    if rng.random() < 0.01:  # a few orders come without a shipping address
        order["shipping_address"] = None if rng.random() < 0.5 else {}
    return order
