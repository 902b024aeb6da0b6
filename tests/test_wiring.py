"""svgrender/wiring.py builds the service for the API, the CLI and the workers alike; nobody
else builds one by hand, and nothing swaps the template store's loader at start-up."""

import asyncio
import re
from dataclasses import replace
from pathlib import Path

from svgrender.executors import ProcessExecutor, ThreadExecutor
from svgrender.io.storage import LocalFileStore, MemoryFileStore
from svgrender.templates.loading import TemplateSource
from svgrender.wiring import build_service, local_service

ROOT = Path(__file__).parent.parent / "svgrender"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
       b'<text id="title" x="1" y="8">Hi</text></svg>')


def test_only_the_wiring_builds_a_service():
    built = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                   if re.search(r"\bRenderService\(", p.read_text()))
    assert built == ["wiring.py"]
    assert "getattr(self.files" not in (ROOT / "service.py").read_text()
    assert ".loader =" not in (ROOT / "api" / "app.py").read_text()


def test_the_api_and_the_cli_get_the_same_kind_of_service(settings):
    served = build_service(settings, executor=ThreadExecutor(settings))
    local = local_service(settings, ThreadExecutor(settings))
    assert isinstance(served.files, LocalFileStore) and not served.files.remote
    assert isinstance(local.files, MemoryFileStore) and not local.records.remote
    assert local.templates.valid("social-card").id == served.templates.valid("social-card").id


def test_templates_parse_in_the_worker_processes_while_they_run(settings):
    service = build_service(replace(settings, workers=1))
    executor = service.executor
    assert isinstance(executor, ProcessExecutor)
    sent = []
    render = executor.pool.render

    async def counted(job):
        sent.append(type(job).__name__)
        return await render(job)
    executor.pool.render = counted
    source = TemplateSource("t", SVG, upload=True)
    before, _ = service.templates.loader(source)  # not started: in this process

    async def while_running():
        await executor.start()
        try:
            return await asyncio.to_thread(service.templates.loader, source)
        finally:
            await executor.stop()
    during, clean = asyncio.run(while_running())
    after, _ = service.templates.loader(source)  # stopped: in this process again
    assert sent == ["TemplateSource"]
    assert before.find("title") is not None and during.find("title") is not None
    assert after.find("title") is not None and clean
