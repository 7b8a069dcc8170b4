"""R9: the distributor card and the terminal card each show and ask for their own fields; a
value only the other card asks for is kept byte for byte, shown as the other card's."""

from __future__ import annotations

import pytest

from intranet.records.files import cards, schema
from intranet.records.files.customers import customer_path

from .html_forms import read_form
from .test_web_customers import make, page, send

DISTRIBUTOR_ONLY = schema.CARD_ONLY["distributor"]
TERMINAL_ONLY = schema.CARD_ONLY["terminal"]


@pytest.fixture
def client(signed_in):
    """The signed-in salesperson wang.li, reading English pages."""
    signed_in.set_cookie("lang", "en")
    return signed_in


def names(html: str, action: str) -> set[str]:
    return {name for name, _value in read_form(html, action)}


def test_the_declaration_is_sound():
    # Every card-only path is a field of the schema, on one card only, never required.
    for card, paths in schema.CARD_ONLY.items():
        assert card in schema.CARDS
        for path in paths:
            assert schema.field_at(path) is not None, path
            assert cards.on_card(card, path) and not any(
                cards.on_card(other, path) for other in schema.CARDS if other != card)
        for path in schema.REQUIRED[card]:
            assert cards.on_card(card, path), path
    assert set(DISTRIBUTOR_ONLY).isdisjoint(TERMINAL_ONLY)
    assert cards.group_keys("terminal", "characteristics") == tuple(
        k for k in schema.SCHEMA["characteristics"].children
        if f"characteristics.{k}" not in DISTRIBUTOR_ONLY)


def test_each_new_form_asks_for_its_own_fields(client):
    distributor = page(client, "/customers/new?card=distributor")
    terminal = page(client, "/customers/new?card=terminal")
    asked_d = names(distributor, "/customers/new")
    asked_t = names(terminal, "/customers/new")
    for path in DISTRIBUTOR_ONLY:
        assert path in asked_d and path not in asked_t, path
    for path in TERMINAL_ONLY:
        assert path in asked_t and path not in asked_d, path
    # Fields of both cards are on both forms.
    for path in ("basic.name", "basic.phone", "characteristics.employees",
                 "business.cooperation_attitude", "transactions.credit_status"):
        assert path in asked_d and path in asked_t
    assert "Distributor card" in distributor and "Terminal customer card" in terminal


def test_saving_keeps_the_other_cards_values_and_unknown_keys_byte_for_byte(client, svc):
    customer = make(svc, card="terminal", **{
        "characteristics.culture": "誠信第一",
        "characteristics.service_area": "  北北基\n桃竹苗  ",  # a distributor-only value
        "transactions.sales_activities": "每月促銷",
        "basic.legacy": "舊系統代碼 7"})
    before = svc.archive.read(customer_path(customer)).decode()
    html = page(client, f"/customers/{customer}/edit")
    asked = names(html, f"/customers/{customer}/edit")
    assert "characteristics.culture" in asked
    assert "characteristics.service_area" not in asked
    # The other card's values are shown, read-only, as kept.
    assert "Fields of the other card" in html and "每月促銷" in html
    # A post that carries the other card's field anyway does not change it.
    response = send(client, html, f"/customers/{customer}/edit",
                    {"basic.phone": "02-2222-3333", "characteristics.service_area": "改掉",
                     "transactions.sales_activities": ""})
    assert response.status_code == 302
    after = svc.archive.read(customer_path(customer)).decode()
    assert after.replace("02-2222-3333", "02-2531-7099") == before
    # The card page shows the kept values marked as the other card's.
    card_page = page(client, f"/customers/{customer}")
    assert "每月促銷" in card_page and "other card" in card_page


def test_changing_the_card_keeps_every_value(client, svc):
    customer = make(svc, card="terminal", **{"characteristics.management_style": "扁平",
                                             "characteristics.culture": "穩健"})
    html = page(client, f"/customers/{customer}/edit")
    response = send(client, html, f"/customers/{customer}/edit",
                    {"card": "distributor", "kind": "distributor"})
    assert response.status_code == 302
    record = svc.files.load(customer).record
    assert record["card"] == "distributor"
    assert record["characteristics"]["management_style"] == "扁平"
    assert record["characteristics"]["culture"] == "穩健"
    # Now a distributor: its form asks for the distributor's fields and shows the rest as kept.
    html = page(client, f"/customers/{customer}/edit")
    asked = names(html, f"/customers/{customer}/edit")
    assert "characteristics.service_area" in asked and "characteristics.culture" not in asked
    assert "扁平" in html and "Fields of the other card" in html
    # Its printable card leaves out the empty terminal-only fields but prints the kept ones.
    sheet = page(client, f"/customers/{customer}/card")
    assert 'data-path="characteristics.service_area"' in sheet
    assert 'data-path="characteristics.business_policy"' not in sheet
    assert 'data-path="characteristics.culture"' in sheet and "穩健" in sheet
