"""FairSlots: render slots go to the waiting client served least recently, not first come."""

import asyncio
import time

import pytest

from svgrender.errors import Overloaded
from svgrender.fair import FairSlots


async def hold(slots: FairSlots, client: str, order: list, release: asyncio.Event) -> None:
    async with slots.slot(client):
        order.append(client)
        await release.wait()


async def until(condition, seconds: float = 10.0) -> None:
    """Wait for `condition`; a scheduling bug fails the test instead of hanging the suite."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the slots never reached the expected state"
        await asyncio.sleep(0)


def test_a_newcomer_gets_the_next_slot_ahead_of_a_busy_clients_queue():
    async def scenario():
        slots, order = FairSlots(2), []
        gates = {}

        async def one(client, n):
            gates[(client, n)] = gate = asyncio.Event()
            await hold(slots, client, order, gate)

        busy = [asyncio.create_task(one("a", n)) for n in range(8)]
        await until(lambda: slots.waiting == 6)
        newcomer = asyncio.create_task(one("b", 0))
        await until(lambda: slots.waiting == 7)
        gates[("a", 0)].set()  # one slot frees: it goes to b, not to a's third render
        await until(lambda: len(order) == 3)
        assert order == ["a", "a", "b"]
        for gate in gates.values():
            gate.set()
        await asyncio.gather(*busy, newcomer)
        assert order.count("a") == 8 and slots.busy == 0 and slots.waiting == 0

    asyncio.run(scenario())


def test_waiting_clients_take_turns():
    """Three clients queue three renders each, one client after the other: they are served
    a, b, c, a, b, c… (first come, first served would be a, a, a, b, b, b…)."""
    async def scenario():
        slots, order, gate = FairSlots(1), [], asyncio.Event()
        first = asyncio.create_task(hold(slots, "x", order, gate))
        await until(lambda: slots.busy == 1)
        tasks = []
        for client in "abc":
            for _ in range(3):
                tasks.append(asyncio.create_task(hold(slots, client, order, gate)))
                await until(lambda: slots.waiting == len(tasks))
        gate.set()
        await asyncio.gather(first, *tasks)
        assert order == ["x"] + list("abc" * 3)

    asyncio.run(scenario())


def test_beyond_max_waiting_is_overloaded_and_a_cancelled_waiter_leaves_no_trace():
    async def scenario():
        slots, order, gate = FairSlots(1, max_waiting=1), [], asyncio.Event()
        held = asyncio.create_task(hold(slots, "a", order, gate))
        await until(lambda: slots.busy == 1)
        waiter = asyncio.create_task(hold(slots, "b", order, gate))
        await until(lambda: slots.waiting == 1)
        with pytest.raises(Overloaded):
            await slots.acquire("c")
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        assert slots.waiting == 0 and not slots.lines
        gate.set()
        await held
        assert slots.busy == 0
        async with slots.slot("c"):
            assert slots.busy == 1

    asyncio.run(scenario())


def test_an_interactive_render_goes_before_queued_batch_rows():
    """Batch rows (the background client, "" / None) queued first; an interactive render that
    queues after them gets the next free slot, and the rows resume when no one else waits."""
    async def scenario():
        slots, order, gate = FairSlots(1), [], asyncio.Event()
        first = asyncio.create_task(hold(slots, "x", order, gate))
        await until(lambda: slots.busy == 1)
        rows = []
        for _ in range(3):
            rows.append(asyncio.create_task(hold(slots, None, order, gate)))
            await until(lambda: slots.waiting == len(rows))
        key = asyncio.create_task(hold(slots, "key:b", order, gate))
        await until(lambda: slots.waiting == 4)
        gate.set()
        await asyncio.gather(first, key, *rows)
        assert order == ["x", "key:b", None, None, None]

    asyncio.run(scenario())


def test_batch_rows_still_get_a_slot_when_interactive_renders_always_wait():
    """A client that keeps renders queued all the time passes batch rows at most `patience`
    times in a row: the rows slow down, they do not stop."""
    async def scenario():
        slots, order, gate = FairSlots(1, patience=2), [], asyncio.Event()
        first = asyncio.create_task(hold(slots, "x", order, gate))
        await until(lambda: slots.busy == 1)
        rows = [asyncio.create_task(hold(slots, None, order, gate)) for _ in range(2)]
        await until(lambda: slots.waiting == 2)
        busy = [asyncio.create_task(hold(slots, "key:a", order, gate)) for _ in range(6)]
        await until(lambda: slots.waiting == 8)
        gate.set()
        await asyncio.gather(first, *rows, *busy)
        assert order == ["x", "key:a", "key:a", None, "key:a", "key:a", None, "key:a", "key:a"]

    asyncio.run(scenario())


def test_a_busy_client_leaves_the_last_slot_to_a_client_with_none_running():
    """Two slots with a reserve: key:a keeps renders queued, key:b rendered a moment ago. a
    holds one slot; the other stays free while a's renders wait, and b's next render takes it
    at once (without the reserve a would hold both and b would wait for one of a's)."""
    async def scenario():
        slots, order, gate = FairSlots(2, reserve=60), [], asyncio.Event()
        async with slots.slot("key:b"):  # b is active
            pass
        busy = [asyncio.create_task(hold(slots, "key:a", order, gate)) for _ in range(4)]
        await until(lambda: slots.waiting == 3)
        assert slots.busy == 1 and slots.running == {"key:a": 1}
        light = asyncio.create_task(hold(slots, "key:b", order, asyncio.Event()))
        await until(lambda: len(order) == 2)  # b started while a's first one still draws
        assert order == ["key:a", "key:b"] and slots.busy == 2 and slots.waiting == 3
        light.cancel()
        gate.set()
        await asyncio.gather(*busy, light, return_exceptions=True)
        assert slots.busy == 0 and slots.waiting == 0 and not slots.running

    asyncio.run(scenario())


def test_a_client_alone_gets_every_slot_despite_the_reserve():
    async def scenario():
        slots, order, gate = FairSlots(2, reserve=60), [], asyncio.Event()
        busy = [asyncio.create_task(hold(slots, "key:a", order, gate)) for _ in range(3)]
        await until(lambda: slots.waiting == 1)
        assert slots.busy == 2 and order == ["key:a", "key:a"]
        gate.set()
        await asyncio.gather(*busy)

    asyncio.run(scenario())


def test_a_kept_slot_goes_to_the_busy_client_when_the_others_go_quiet():
    """The slot kept free for key:b is handed to key:a's waiting render once b has rendered
    nothing for `reserve` seconds: nothing waits forever for a client that does not come."""
    async def scenario():
        slots, order, gate = FairSlots(2, reserve=0.05), [], asyncio.Event()
        async with slots.slot("key:b"):
            pass
        busy = [asyncio.create_task(hold(slots, "key:a", order, gate)) for _ in range(2)]
        await until(lambda: slots.waiting == 1)
        assert slots.busy == 1
        await asyncio.wait_for(until(lambda: slots.busy == 2), 10)
        assert slots.waiting == 0 and order == ["key:a", "key:a"]
        gate.set()
        await asyncio.gather(*busy)

    asyncio.run(scenario())


def test_batch_rows_sharing_the_workers_never_take_the_last_one_from_an_active_client():
    async def scenario():
        slots, order, gate = FairSlots(2, reserve=60), [], asyncio.Event()
        async with slots.slot("key:b"):
            pass
        rows = [asyncio.create_task(hold(slots, None, order, gate)) for _ in range(3)]
        await until(lambda: slots.waiting == 2)
        assert slots.busy == 1 and order == [None]
        key = asyncio.create_task(hold(slots, "key:b", order, gate))
        await until(lambda: len(order) == 2)
        assert order == [None, "key:b"]
        gate.set()
        await asyncio.gather(*rows, key)
        assert slots.busy == 0 and not slots.running

    asyncio.run(scenario())


def test_clients_long_gone_are_forgotten():
    """Every address that ever rendered is not remembered: only those within the window."""
    async def scenario():
        slots = FairSlots(2, reserve=0.05)
        for n in range(300):
            async with slots.slot(f"addr:{n}"):
                pass
            if n == 100:
                await asyncio.sleep(0.06)  # the first 101 are out of the window
        assert len(slots.finished) <= 256 and "addr:0" not in slots.finished
        assert slots.busy == 0 and not slots.running

    asyncio.run(scenario())
