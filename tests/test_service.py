"""RenderService: the order of a render, its admission limits and its fairness."""

import asyncio
import threading
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from helpers import GatedExecutor
from imageserver import ImageServer
from svgrender.api.app import build_service, create_app
from svgrender.errors import Overloaded, TooManyRequests


async def admit_and_run(service, template_id, body, **options):
    return await service.run(await service.admit(template_id, body), **options)


def body(title: str) -> bytes:
    return ('{"params": [{"name": "title", "text": "%s"}]}' % title).encode()


def test_one_client_cannot_take_every_render(settings):
    settings = replace(settings, max_in_flight_per_client=2)
    executor = GatedExecutor(settings)
    service = build_service(settings, executor=executor)

    async def scenario():
        first = [asyncio.create_task(admit_and_run(service, "social-card", body(f"a{i}"), client="key:a"))
                 for i in range(2)]
        while executor.started < 2:
            await asyncio.sleep(0.01)
        with pytest.raises(TooManyRequests) as refused:
            await admit_and_run(service, "social-card", body("a3"), client="key:a")
        assert refused.value.status == 429
        other = asyncio.create_task(admit_and_run(service, "social-card", body("b1"), client="key:b"))
        while executor.started < 3:
            await asyncio.sleep(0.01)
        executor.gate.set()
        results = await asyncio.gather(*first, other)
        assert len({r.id for r in results}) == 3
        assert service.per_client == {} and service.in_flight == 0 and service.fetching == 0

    asyncio.run(scenario())


def test_draw_stage_is_bounded(settings):
    settings = replace(settings, max_in_flight=1)
    executor = GatedExecutor(settings)
    service = build_service(settings, executor=executor)

    async def scenario():
        held = asyncio.create_task(admit_and_run(service, "social-card", body("x")))
        while executor.started < 1:
            await asyncio.sleep(0.01)
        with pytest.raises(Overloaded):
            await admit_and_run(service, "social-card", body("y"))
        executor.gate.set()
        await held

    asyncio.run(scenario())


def test_a_slow_image_host_does_not_starve_other_renders(settings):
    """Eight renders wait on an image server that sends a byte a second; normal renders next
    to them still get their answers at once (fetch waiting holds no render slot, and the slow
    host gets only SVGRENDER_FETCH_PER_HOST connections)."""
    settings = replace(settings, allow_private_networks=("127.0.0.3/32",), max_in_flight=4,
                       max_in_flight_per_client=100,  # the test client is one address
                       fetch_per_host=2, fetch_total_timeout=3.0, image_disk_cache_bytes=0)
    with ImageServer("127.0.0.3") as slow, TestClient(create_app(settings)) as client:
        url = slow.url("/trickle.jpg")
        slow_answers = []

        def slow_render(i):
            answer = client.post("/designs/social-card", json={"params": [
                {"name": "image", "imageUrl": url}]})
            slow_answers.append((answer.status_code, answer.json()["message"]))

        threads = [threading.Thread(target=slow_render, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        timings = []
        for i in range(5):
            started = time.monotonic()
            answer = client.post("/designs/social-card", json={"params": [
                {"name": "title", "text": f"normal {i}"}]})
            timings.append(time.monotonic() - started)
            assert answer.status_code == 201, answer.text
        for thread in threads:
            thread.join()
        assert max(timings) < 2.0, timings
        assert {status for status, _ in slow_answers} == {504}, slow_answers
        # Never more than two connections to the slow host at once.
        assert len(slow.requests) <= 8


def test_heavy_renders_leave_one_worker_for_the_others(settings):
    """With 3 render workers, heavy renders (scale 4 of a 1200×630 card: 12 MP) take at most 2
    at once; a normal render goes straight to the third while four heavy ones wait."""
    settings = replace(settings, workers=3)
    executor = GatedExecutor(settings)
    service = build_service(settings, executor=executor)

    def heavy(n: int) -> bytes:
        return ('{"scale": 4, "params": [{"name": "title", "text": "heavy %d"}]}' % n).encode()

    async def scenario():
        heavies = [asyncio.create_task(admit_and_run(service, "social-card", heavy(n), client=f"key:{n}"))
                   for n in range(4)]
        while executor.started < 2:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        assert executor.started == 2  # the other two heavy renders wait for the lane
        light = asyncio.create_task(admit_and_run(service, "social-card", body("light"), client="key:x"))
        while executor.started < 3:
            await asyncio.sleep(0.01)  # the light render reached a worker at once
        executor.gate.set()
        results = await asyncio.gather(*heavies, light)
        assert [r.width for r in results] == [4800] * 4 + [1200]

    asyncio.run(scenario())


class SteppedExecutor:
    """The real thread executor; each render that reaches it records its title in `order` and
    then waits for one `step` before drawing."""

    def __init__(self, settings):
        from svgrender.executors import ThreadExecutor

        self.inner, self.order, self.step = ThreadExecutor(settings), [], None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def template_loader(self, local):
        return self.inner.template_loader(local)

    def font_reader(self, local):
        return self.inner.font_reader(local)

    async def render(self, job):
        self.order.append(job.request.params[0].text)
        await self.step.acquire()
        return await self.inner.render(job)


def test_one_keys_queued_renders_do_not_stand_before_another_key(settings):
    """Two render workers; key a has its 8 renders in (2 drawing, 6 waiting) when key b asks for
    one: b's render is the next to reach a worker, after one of a's finishes, not after all."""
    settings = replace(settings, workers=2, max_in_flight_per_client=8)
    executor = SteppedExecutor(settings)
    service = build_service(settings, executor=executor)

    async def scenario():
        executor.step = asyncio.Semaphore(0)
        busy = [asyncio.create_task(admit_and_run(service, "social-card", body(f"a{n}"),
                                                  client="key:a")) for n in range(8)]
        while service.render_slots.waiting < 6:
            await asyncio.sleep(0.01)
        other = asyncio.create_task(admit_and_run(service, "social-card", body("b"),
                                                  client="key:b"))
        while service.render_slots.waiting < 7:
            await asyncio.sleep(0.01)
        assert len(executor.order) == 2 and all(t[0] == "a" for t in executor.order)
        executor.step.release()  # one of a's draws and finishes: its worker goes to b
        while len(executor.order) < 3:
            await asyncio.sleep(0.01)
        assert executor.order[2] == "b"
        for _ in range(9):
            executor.step.release()
        results = await asyncio.gather(*busy, other)
        assert len({r.id for r in results}) == 9
        assert sorted(executor.order) == sorted([f"a{n}" for n in range(8)] + ["b"])
        assert service.render_slots.busy == 0 and service.render_slots.waiting == 0

    asyncio.run(scenario())


class BatchPoolExecutor(SteppedExecutor):
    """The thread executor, with a batch pool of one (as ProcessExecutor's): background
    renders record (title, True) and wait for `gate`; interactive ones record (title, False)."""

    def __init__(self, settings):
        from types import SimpleNamespace

        super().__init__(settings)
        self.batch_pool = SimpleNamespace(size=1)
        self.started, self.gate = [], None

    async def render(self, job, background=False):
        self.started.append((job.request.params[0].text, background))
        if background:
            await self.gate.wait()
        return await self.inner.render(job)


def test_batch_rows_drawing_never_hold_up_an_interactive_render(settings):
    """One render worker and one batch worker: three batch rows (no client) are in, the first
    drawing and never finishing; an interactive render still goes to a worker and is answered
    (when rows shared the worker, it waited for the row being drawn)."""
    settings = replace(settings, workers=1)
    executor = BatchPoolExecutor(settings)
    service = build_service(settings, executor=executor)

    async def scenario():
        executor.gate = asyncio.Event()
        rows = [asyncio.create_task(admit_and_run(service, "social-card", body(f"row{n}")))
                for n in range(3)]
        while service.batch_slots.waiting < 2:
            await asyncio.sleep(0.01)
        result = await admit_and_run(service, "social-card", body("a"), client="key:a")
        assert result.width == 1200
        # One row (whichever was admitted first: their admissions race) holds the batch
        # worker; the interactive render went to the render worker beside it.
        (row, batch), interactive = executor.started
        assert row in ("row0", "row1", "row2") and batch and interactive == ("a", False)
        assert service.batch_slots.busy == 1 and service.batch_slots.waiting == 2
        assert service.render_slots.busy == 0
        executor.gate.set()
        await asyncio.gather(*rows)
        assert sorted(executor.started) == [("a", False)] + [(f"row{n}", True) for n in range(3)]

    asyncio.run(scenario())


def test_check_params_is_called_from_admission_only():
    """Requests are checked in one place, RenderService.admit_to; apply_params pairs the
    admitted params with their layers when it applies them (in the worker)."""
    import ast
    from pathlib import Path

    import svgrender

    callers = set()
    for path in Path(svgrender.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, ast.Call) and getattr(
                            node.func, "id", getattr(node.func, "attr", None)) == "check_params":
                        callers.add((path.name, function.name))
    assert callers == {("service.py", "admit_to"), ("apply.py", "apply_params")}, callers


def test_admission_names_the_layer_before_anything_runs(settings):
    service = build_service(settings, executor=GatedExecutor(settings))

    async def scenario():
        with pytest.raises(Exception) as bad:
            await service.admit("social-card", b'{"params": [{"name": "nope", "text": "x"}]}')
        assert bad.value.status == 422 and bad.value.layer == "nope"
        with pytest.raises(Exception) as page:
            await service.admit("social-card", b'{"format": "pdf", "pages": [{"params": '
                                               b'[{"name": "title", "width": 3}]}]}')
        assert page.value.status in (400, 422) and page.value.field.startswith("pages[0]")
        admitted = await service.admit("social-card", body("hello"))
        assert admitted.template.id == "social-card"
        assert admitted.request.params[0].text == "hello"
        assert service.executor.started == 0  # nothing was drawn by admitting

    asyncio.run(scenario())
