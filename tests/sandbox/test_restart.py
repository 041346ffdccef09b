"""A sandbox kept in a state file: restarted, it carries on and never reuses an order number."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shipdesk.sandbox import SandboxState

from .conftest import FakeClock


def start(clock: FakeClock, path) -> SandboxState:
    return SandboxState(orders=200, seed=7, arrival_rate=6, clock=clock, state_file=path)


def accept_a_backship_order(state: SandboxState) -> int:
    order_id = next(
        i
        for i in state.order_ids()
        if state.order(i)["is_backship"] and state.order(i)["state"] == 1
    )
    sku = state.order(order_id)["orderlines"][0]["listing"]
    state.update_order(order_id, {"order_id": order_id, "new_state": 2, "sku": sku})
    return order_id


def test_a_restarted_sandbox_gives_new_orders_numbers_it_never_gave(tmp_path):
    clock, path = FakeClock(), tmp_path / "sandbox.jsonl"
    first = start(clock, path)
    generated = first.order_ids()
    clock.advance(60)
    first.receive_arrivals()
    first_ids = first.order_ids()
    first_arrivals = sorted(set(first_ids) - set(generated))
    first.close()

    clock.advance(3600)  # stopped for an hour: nothing arrives meanwhile
    second = start(clock, path)
    assert second.resumed is True
    assert second.order_ids() == first_ids
    clock.advance(60)
    second.receive_arrivals()
    second_arrivals = sorted(set(second.order_ids()) - set(first_ids))
    second.close()

    assert len(first_arrivals) == 6 and len(second_arrivals) == 6
    assert min(second_arrivals) > max(first_arrivals)
    assert second.order(second_arrivals[0])["state"] == 1
    # Other buyers than the first run's new orders had.
    first_buyer = first.order(first_arrivals[0])["shipping_address"]
    second_buyer = second.order(second_arrivals[0])["shipping_address"]
    assert second_buyer != first_buyer


def test_a_restarted_sandbox_keeps_the_sellers_updates_and_backship_labels(tmp_path):
    clock, path = FakeClock(), tmp_path / "sandbox.jsonl"
    first = start(clock, path)
    order_id = accept_a_backship_order(first)
    accepted = first.order(order_id)
    label = first.deliveries(order_id)
    first.close()

    second = start(clock, path)
    second.close()

    assert [line["state"] for line in accepted["orderlines"]] == [2] * len(accepted["orderlines"])
    assert second.order(order_id) == accepted
    assert len(label) == 1 and second.deliveries(order_id) == label
    # Started again, the file holds one line per order and per label.
    labels = sum(len(second.deliveries(i)) for i in second.order_ids())
    assert len(path.read_bytes().splitlines()) == 200 + labels


def test_a_line_cut_short_by_a_killed_sandbox_is_skipped(tmp_path):
    clock, path = FakeClock(), tmp_path / "sandbox.jsonl"
    first = start(clock, path)
    ids = first.order_ids()
    first.close()
    with path.open("ab") as journal:
        journal.write(b'{"order":{"order_id":9')

    second = start(clock, path)
    second.close()

    assert second.order_ids() == ids


def test_a_new_state_file_is_generated_from_the_seed(tmp_path):
    clock = FakeClock()
    kept = start(clock, tmp_path / "sandbox.jsonl")
    kept.close()
    in_memory = SandboxState(orders=200, seed=7, arrival_rate=6, clock=clock)

    assert kept.resumed is False
    assert kept.order_ids() == in_memory.order_ids()
    assert kept.order(kept.order_ids()[-1]) == in_memory.order(in_memory.order_ids()[-1])


def test_the_command_refuses_a_state_file_in_a_missing_folder(tmp_path):
    missing = tmp_path / "nowhere" / "sandbox.jsonl"

    with pytest.raises(CommandError) as error:
        call_command("sandbox", "--state", str(missing), "--orders", "5")

    assert str(error.value) == f"cannot use {missing}: No such file or directory"
