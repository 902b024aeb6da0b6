"""The package's imports point one way: no module imports (even inside a function) a module
that imports it back."""

import ast
from pathlib import Path

import svgrender

ROOT = Path(svgrender.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; use absolute svgrender.* imports")
        found.update(name for name in names if name in known)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: imports_of(path, set(files)) - {name} for name, path in files.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles():
    edges = graph()
    assert len(edges) > 30  # the walk really saw the package
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges))


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_lower_layers_do_not_import_upper_ones():
    """svg/ and io/ know nothing of drawing, templates, the service or the API."""
    edges = graph()
    upper = ("svgrender.api", "svgrender.service", "svgrender.cli", "svgrender.templates")
    for name, targets in edges.items():
        if name.startswith(("svgrender.svg", "svgrender.io", "svgrender.draw")):
            bad = [t for t in targets if t.startswith(upper)]
            assert not bad, f"{name} imports {bad}"


def reached(edges: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others (inside functions too)."""
    seen, todo = set(), [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_property_registry_is_at_the_bottom():
    """The request schema does not depend on tree editing, drawing or fetching: properties.py
    imports nothing of the package, and params.py nothing of apply, draw or io."""
    edges = graph()
    assert not {t for t in edges["svgrender.properties"] if t.startswith("svgrender.")}
    below = ("svgrender.apply", "svgrender.draw", "svgrender.io")
    for name in ("svgrender.properties", "svgrender.params"):
        bad = sorted(t for t in reached(edges, name) if t.startswith(below))
        assert not bad, f"{name} reaches {bad}"


def test_io_knows_nothing_of_the_render_layer():
    """Storage, fetching and encoding are below rendering: nothing in io/ reaches apply,
    draw, render, formats, budgets, params, properties, kinds or the templates."""
    edges = graph()
    render = ("svgrender.apply", "svgrender.draw", "svgrender.render", "svgrender.formats",
              "svgrender.budgets", "svgrender.params", "svgrender.properties",
              "svgrender.kinds", "svgrender.templates")
    for name in edges:
        if name.startswith("svgrender.io"):
            bad = sorted(t for t in reached(edges, name) if t.startswith(render))
            assert not bad, f"{name} reaches {bad}"


# Per-thread state that is not a render's: each may stay only with its reason.
THREAD_STATE_ALLOWED = {
    # Dramatiq runs actors on its own worker threads; an asyncio loop belongs to one thread,
    # so each worker thread keeps its own loop for the engine's whole life (no render state).
    ("svgrender/jobs/redis_engine.py", "self.loops = threading.local()"),
    # Pango's default font map is itself per thread: this records which font generation this
    # thread's map has seen, so a thread drops its map after fonts are added (fonts.py).
    ("svgrender/draw/fonts.py", "_thread_generation = threading.local()"),
}


def test_no_render_state_in_context_variables_or_thread_locals():
    """One RenderContext per render, handed down (draw/context.py on the drawing surfaces):
    no ContextVar, and no thread-local beyond the allowed per-thread resources above."""
    found = set()
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT.parent).as_posix()
        for line in path.read_text().splitlines():
            code = line.split("#", 1)[0]
            if any(word in code for word in ("ContextVar", "contextvars", "threading.local",
                                             "from threading import local")):
                found.add((name, code.strip()))
    assert found <= THREAD_STATE_ALLOWED, sorted(found - THREAD_STATE_ALLOWED)
    assert found == THREAD_STATE_ALLOWED, "allow-list entries that no longer exist: " + \
        repr(sorted(THREAD_STATE_ALLOWED - found))
