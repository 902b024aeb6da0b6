"""A queued job names its template by id and version. The bytes of that version are kept in the
job store when the job is queued, so whoever renders the rows draws exactly that version: a
worker with its own templates folder, one that started after the upload, or one that runs after
the template was changed or deleted (issue 27: "the first Dramatiq batch after a worker starts
lost 18 of 20 rows to template_not_found")."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict

from svgrender.errors import TemplateNotFound
from svgrender.jobs.store import JobStore
from svgrender.templates.loading import TemplateSource
from svgrender.templates.model import Template
from svgrender.templates.store import TemplateStore

KEPT_PARSES = 4  # snapshot versions kept parsed by a worker (a batch usually uses one)


class QueuedVersions:
    def __init__(self, templates: TemplateStore, store: JobStore):
        self.templates, self.store = templates, store
        self.parsed: OrderedDict[tuple[str, str], Template] = OrderedDict()
        self.lock = threading.Lock()

    def keep(self, template: Template) -> Template:
        """(Blocking.) Store the bytes of `template`'s version for the workers; if the file
        changed since it was read, keep (and answer) the current one instead."""
        for _ in range(3):
            data = template.source or self.templates.source(template.id, template.version)
            if data is not None:
                self.store.put_template(template.id, template.version, data)
                return template
            template = self.templates.valid(template.id)
        raise TemplateNotFound(f"Template {template.id!r} keeps changing; retry shortly")

    async def resolve(self, template_id: str, version: str, current) -> Template:
        """The template at `version`: the store's own if it has that version (`current`, the
        service's usual lookup), else the bytes kept when the job was queued, parsed once."""
        try:
            return await current(template_id, version)
        except TemplateNotFound:
            pass
        found = self.parsed.get((template_id, version))
        if found is not None:
            return found
        data = await asyncio.to_thread(self.store.template_source, template_id, version)
        if data is None:
            raise TemplateNotFound(f"Template {template_id!r} version {version[:20]!r} is gone "
                                   "(not in the template store nor kept with the job)")
        template = (await asyncio.to_thread(self.templates.loader,
                                            TemplateSource(template_id, data)))[0]
        template.source = data  # render workers that lack this version load it from here
        with self.lock:
            self.parsed[(template_id, version)] = template
            while len(self.parsed) > KEPT_PARSES:
                self.parsed.popitem(last=False)
        return template
