"""Template sets: several templates sharing layer names (`sets.json` beside the templates:
`{"launch": ["social-card", "instagram-post"]}`, or `PUT /sets/{id}`), rendered by one request —
every size a campaign needs. A layer a member does not have is skipped for that member and
reported in its `skipped`, not an error.

Sets made through the API are kept where uploaded templates are (the storage's `_templates`, or
the bucket with SVGRENDER_STORAGE_URL) in UPLOADED_SETS; the operator's `sets.json` is read-only
there, as the operator's templates are."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import msgspec

from svgrender.errors import Forbidden, InvalidParam, InvalidTemplate, NotFound

SETS_FILE = "sets.json"
UPLOADED_SETS = ".sets.json"  # beside the `.uploaded.json` manifest of uploaded templates
MAX_MEMBERS = 20
MAX_SET_RENDERS = 60  # members × variants of one set request
SET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class SetNotFound(NotFound):
    code = "set_not_found"


def load_sets(templates_dir: Path) -> dict[str, list[str]]:
    """The sets of `templates_dir/sets.json` (none when the file is absent). A malformed file
    is a 422 naming it, never a crash."""
    path = Path(templates_dir) / SETS_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InvalidTemplate(f"{SETS_FILE} cannot be read: {exc}"[:300]) from None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v)
            for k, v in data.items()):
        raise InvalidTemplate(f"{SETS_FILE} is an object of set id → list of template ids")
    return {key: list(dict.fromkeys(value))[:MAX_MEMBERS] for key, value in data.items()}


def _members_of(sets: dict[str, list[str]], set_id: str) -> list[str]:
    if not SET_ID.match(set_id) or set_id not in sets:
        raise SetNotFound(f"Set {set_id[:40]!r} not found; sets: {', '.join(sorted(sets)) or 'none'}"
                          f" (templates/{SETS_FILE} or PUT /sets/{{id}})")
    if not sets[set_id]:
        raise InvalidParam(f"set {set_id!r} has no members", field="setId")
    return sets[set_id]


class SetBody(msgspec.Struct, forbid_unknown_fields=True):
    templates: list[str]


class SetStore:
    """The operator's sets (`sets.json`, read-only) and the API's (UPLOADED_SETS, stored through
    the template store's files: the folder or the bucket, like uploaded templates)."""

    def __init__(self, templates):
        self.templates = templates  # a TemplateStore
        self.lock = threading.Lock()  # one writer at a time in this process

    def _uploaded(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.templates.files.read(UPLOADED_SETS) or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def all(self) -> dict[str, list[str]]:
        return {**load_sets(self.templates.directory), **self._uploaded()}

    def members(self, set_id: str) -> list[str]:
        return _members_of(self.all(), set_id)

    def put(self, set_id: str, wanted: SetBody) -> list[str]:
        """Store a set after checking every member is a usable template (422 naming it)."""
        if not SET_ID.match(set_id):
            raise InvalidParam("set ids use letters, digits, '-', '_' and '.' (64 at most)",
                               field="setId", code="invalid_set_id")
        if set_id in load_sets(self.templates.directory) and not \
                self.templates.settings.templates_writable:
            raise Forbidden(f"set {set_id!r} came with the server (templates/{SETS_FILE}): "
                            "put yours under another id", field="setId", code="set_read_only")
        if not wanted.templates:
            raise InvalidParam("a set names at least one template", field="templates",
                               code="empty_set")
        if len(wanted.templates) > MAX_MEMBERS:
            raise InvalidParam(f"a set has at most {MAX_MEMBERS} templates", field="templates",
                               code="too_many_members")
        ids = list(dict.fromkeys(wanted.templates))
        for index, template_id in enumerate(ids):
            try:
                template = self.templates.get(template_id)
            except NotFound:
                raise InvalidParam(f"set member {template_id[:80]!r} is not a template",
                                   field=f"templates[{index}]",
                                   code="unknown_set_member") from None
            if template.error:
                raise InvalidParam(f"set member {template_id!r} is an invalid template: "
                                   f"{template.error}"[:300], field=f"templates[{index}]",
                                   code="invalid_set_member")
        with self.lock:
            sets = self._uploaded()
            sets[set_id] = ids
            self.templates.files.write(UPLOADED_SETS, json.dumps(sets, indent=1).encode())
        return ids


def check_set_request(request) -> None:
    if request.webhookUrl:
        raise InvalidParam("a set render takes no webhookUrl yet: render the set's templates "
                           "one by one for that", field="webhookUrl", code="set_webhookurl")


def for_member(template, request) -> tuple[object, list[str]]:
    """The request with every param of a layer `template` lacks taken out (shared, page and
    frame params alike), and those layers' names."""
    skipped: list[str] = []

    def keep(params: list) -> list:
        kept = []
        for param in params:
            if template.find(param.name) is None:
                if param.name not in skipped:
                    skipped.append(param.name)
            else:
                kept.append(param)
        return kept

    changes: dict = {"params": keep(request.params)}
    if request.pages is not None:
        changes["pages"] = [msgspec.structs.replace(p, params=keep(p.params))
                            for p in request.pages]
    if request.frames is not None:
        changes["frames"] = [msgspec.structs.replace(f, params=keep(f.params))
                             for f in request.frames]
    return msgspec.structs.replace(request, **changes), skipped
