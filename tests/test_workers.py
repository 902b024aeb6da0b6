"""Worker processes: renders there match in-process ones, overruns are killed (504), the queue
is bounded (503), workers are recycled, and identical requests reuse stored files."""

import io
import time
from dataclasses import replace

import pytest
from PIL import Image
from starlette.testclient import TestClient

from svgrender.api.app import build_service, create_app
from helpers import GatedExecutor

SLOW = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="1200" height="630"><defs><filter id="b" x="0" y="0" width="1200" height="630" '
        'filterUnits="userSpaceOnUse"><feGaussianBlur stdDeviation="150"/>'
        '<feMorphology operator="dilate" radius="60"/></filter>'
        '<rect id="r" width="1200" height="630" fill="#369" filter="url(#b)"/></defs>'
        + "".join(f'<use href="#r" x="{i % 7}"/>' for i in range(400)) + "</svg>")


@pytest.fixture
def pool_settings(settings, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    for name in ("social-card.svg",):
        (templates / name).write_bytes((settings.templates_dir / name).read_bytes())
    (templates / "slow.svg").write_text(SLOW)
    # No effect budget: this test needs a template that really overruns its deadline.
    return replace(settings, templates_dir=templates, workers=2, render_timeout=2.0,
                   max_effect_work=0)


def test_worker_render_and_timeout(pool_settings):
    with TestClient(create_app(pool_settings)) as client:
        ok = client.post("/designs/social-card", json={"format": "png", "params": [
            {"name": "canvas", "backgroundColor": "#00ff00"}]})
        assert ok.status_code == 201, ok.text
        image = Image.open(io.BytesIO(client.get(ok.json()["imageUrl"]).content)).convert("RGB")
        assert image.getpixel((5, 5)) == (0, 255, 0)
        started = time.monotonic()
        slow = client.post("/designs/slow", json={})
        assert slow.status_code == 504 and slow.json()["code"] == "render_timeout"
        assert time.monotonic() - started < 8
        # The killed worker was replaced: renders go on.
        for _ in range(3):
            assert client.post("/designs/social-card", json={"params": [
                {"name": "title", "text": f"again {_}"}]}).status_code == 201


def test_workers_are_recycled(pool_settings):
    settings = replace(pool_settings, workers=1, worker_max_renders=2)
    with TestClient(create_app(settings)) as client:
        pool = client.app.state.service.executor.pool
        first = {w.process.pid for w in pool.workers}
        for i in range(3):
            assert client.post("/designs/social-card", json={"params": [
                {"name": "title", "text": f"n{i}"}]}).status_code == 201
        assert {w.process.pid for w in pool.workers} != first
        assert all(w.process.is_alive() for w in pool.workers)


def test_same_request_reuses_stored_files(settings):
    executor = GatedExecutor(settings, opened=True)
    with TestClient(create_app(settings, build_service(settings, executor=executor))) as client:
        body = {"format": "png", "metadata": "a",
                "params": [{"name": "title", "text": "Cache me"}]}
        first = client.post("/designs/social-card", json=body).json()
        assert executor.started == 1
        second = client.post("/designs/social-card", json={**body, "metadata": "b"}).json()
        assert executor.started == 1  # nothing was drawn for the second answer
        assert second["id"] != first["id"] and second["metadata"] == "b"
        a, b = (client.get(x["imageUrl"]).content for x in (first, second))
        assert a == b
        # Deleting the first keeps the second's files.
        assert client.delete(f"/images/{first['id']}").status_code == 204
        assert client.get(second["imageUrl"]).status_code == 200
        # Once every copy is gone the next identical request draws again.
        assert client.delete(f"/images/{second['id']}").status_code == 204
        client.post("/designs/social-card", json=body)
        assert executor.started == 2
        # A different param renders anew.
        third = client.post("/designs/social-card", json={**body, "params": [
            {"name": "title", "text": "Other"}]}).json()
        assert executor.started == 3
        assert client.get(third["imageUrl"]).content != a


def test_queue_full_is_503(pool_settings):
    import threading

    settings = replace(pool_settings, workers=1, max_queue=0, render_timeout=3.0)
    with TestClient(create_app(settings)) as client:
        results = []
        slow = threading.Thread(target=lambda: results.append(client.post("/designs/slow", json={})))
        slow.start()
        time.sleep(0.5)
        busy = client.post("/designs/social-card", json={})
        slow.join()
        assert busy.status_code == 503 and busy.headers["retry-after"]
        assert busy.json()["code"] == "overloaded"


BIG = ('<svg xmlns="http://www.w3.org/2000/svg" width="6000" height="6000"><defs>'
       '<filter id="b"><feGaussianBlur stdDeviation="20"/></filter></defs>'
       '<rect id="canvas" width="6000" height="6000" fill="#369" filter="url(#b)"/></svg>')


def test_a_worker_has_a_memory_ceiling(pool_settings):
    """36 MP with a blur wants far more than 800 MB: the worker's allocation fails, the client
    gets a JSON error naming the limit, and the pool goes on rendering."""
    (pool_settings.templates_dir / "big.svg").write_text(BIG)
    tight = replace(pool_settings, worker_memory_limit_mb=800, render_timeout=20.0)
    with TestClient(create_app(tight)) as client:
        answer = client.post("/designs/big", json={"format": "png"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "memory_limit"
        assert "SVGRENDER_WORKER_MEMORY_LIMIT_MB" in answer.json()["message"]
        assert client.post("/designs/social-card", json={}).status_code == 201


def test_a_worker_gets_a_template_s_bytes_only_until_it_holds_it(pool_settings):
    """A render job carries the template's bytes to a worker that has not said it holds that
    version parsed; once it has, jobs go without them; the answers are the same drawing."""
    import asyncio

    import msgspec

    from svgrender.params import LayerParam, RenderRequest
    from svgrender.templates.model import load_template
    from svgrender.workers import WireJob, WorkerPool

    source = (pool_settings.templates_dir / "social-card.svg").read_bytes()
    version = load_template("social-card", source, pool_settings).version
    request = msgspec.json.encode(RenderRequest(format="png", params=[
        LayerParam(name="title", text="Held by the worker")]))
    job = WireJob("social-card", version, request, {}, source)

    async def run():
        pool = WorkerPool(pool_settings, 1)
        await pool.start()
        try:
            worker = pool.workers[0]
            sent, real_send = [], worker.conn.send
            worker.conn.send = lambda message: (sent.append(message), real_send(message))[1]
            answers = [await pool.render(job)]
            assert ("social-card", version) in worker.holds
            answers.append(await pool.render(job))
            worker.holds = ()  # as if it had dropped it: the bytes go again
            answers.append(await pool.render(job))
            return sent, answers
        finally:
            await pool.stop()

    sent, answers = asyncio.run(run())
    assert [message.template_source is not None for message in sent] == [True, False, True]
    files = [[f.data for f in answer.files] for answer in answers]
    assert files[0] == files[1] == files[2]
    image = Image.open(io.BytesIO(files[1][0]))
    assert image.size == (1200, 630)


def test_batch_rows_draw_in_their_own_workers_at_a_lower_priority(pool_settings):
    """SVGRENDER_BATCH_WORKERS: a batch row (no client) is drawn by a batch worker, started
    with the first row and niced by SVGRENDER_BATCH_NICE; an interactive render by a render
    worker at the server's own priority."""
    import asyncio
    import os

    settings = replace(pool_settings, workers=1, batch_workers=1, batch_nice=5,
                       render_timeout=30.0)
    service = build_service(settings)
    executor = service.executor
    body = b'{"params": [{"name": "title", "text": "Row"}]}'

    async def run():
        await executor.start()
        try:
            assert not executor.batch_started  # no row yet: no batch process
            await service.run(await service.admit("social-card", body))
            render, batch = executor.pool.workers[0], executor.batch_pool.workers[0]
            before = render.renders  # the template's load, drawn in a render worker
            await service.run(await service.admit("social-card", body.replace(b"Row", b"Key")),
                              client="key:a")
            return (render.renders - before, batch.renders,
                    os.getpriority(os.PRIO_PROCESS, render.process.pid),
                    os.getpriority(os.PRIO_PROCESS, batch.process.pid))
        finally:
            await executor.stop()

    own = os.getpriority(os.PRIO_PROCESS, 0)
    render_renders, batch_renders, render_nice, batch_nice = asyncio.run(run())
    assert (render_renders, batch_renders) == (1, 1)
    assert render_nice == own and batch_nice == min(19, own + 5)
    assert executor.batch_pool._deadline(None) == 3 * executor.pool._deadline(None)


def test_batch_rows_share_the_render_workers_by_default(pool_settings):
    from svgrender.executors import ProcessExecutor

    assert ProcessExecutor(pool_settings).batch_pool is None
    assert ProcessExecutor(replace(pool_settings, batch_workers=-1)).batch_pool.size == 2
    assert ProcessExecutor(replace(pool_settings, batch_workers=-1), batch=False).batch_pool \
        is None
