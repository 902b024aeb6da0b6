"""Template sets: several templates sharing layer names (`sets.json` beside the templates:
`{"launch": ["social-card", "instagram-post"]}`), rendered by one request — every size a
campaign needs. A layer a member does not have is skipped for that member and reported in its
`skipped`, not an error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec

from svgrender.errors import InvalidParam, InvalidTemplate, NotFound

SETS_FILE = "sets.json"
MAX_MEMBERS = 20
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


def members(templates_dir: Path, set_id: str) -> list[str]:
    sets = load_sets(templates_dir)
    if not SET_ID.match(set_id) or set_id not in sets:
        raise SetNotFound(f"Set {set_id[:40]!r} not found; sets: {', '.join(sorted(sets)) or 'none'}"
                          f" (templates/{SETS_FILE})")
    if not sets[set_id]:
        raise InvalidParam(f"set {set_id!r} has no members", field="setId")
    return sets[set_id]


def check_set_request(request) -> None:
    for name in ("variants", "webhookUrl"):
        if getattr(request, name):
            raise InvalidParam(f"a set render takes no {name} yet: render the set's templates "
                               "one by one for that", field=name, code="set_" + name.lower())


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
