"""The package's shape: no import cycles, short modules, and the layer rule."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "intranet"
MAX_LINES = 400
# Layers below the web layer never import Flask or the web package (docs/design.md).
FLASK_FREE = ("records", "archive", "index", "actions", "sheets")


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under intranet/."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    """Return every module under intranet/ by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_names(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Return the modules of intranet/ that one module imports (at any level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: -(node.level - 1)]
                base_name = ".".join(base)
                target = f"{base_name}.{node.module}" if node.module else base_name
            else:
                target = node.module or ""
            # `from pkg import mod` depends on pkg.mod, not on pkg/__init__.
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    edges: set[str] = set()
    for imported in found:
        # An import of a.b.c names a.b.c; keep the deepest module we know.
        target = imported
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            edges.add(target)
    return edges


def import_graph() -> dict[str, set[str]]:
    """Return the import graph of intranet/, module → modules it imports."""
    known = all_modules()
    return {name: imported_names(name, path, known) for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_graph_sees_submodule_imports() -> None:
    graph = import_graph()
    assert "intranet.records.files.schema" in graph
    assert any(t.startswith("intranet.records.") for t in graph["intranet.records.files.customers"])


def test_find_cycle_names_the_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_modules_are_short() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_lower_layers_do_not_import_flask_or_web() -> None:
    graph_offenders = []
    known = all_modules()
    for name, path in known.items():
        layer = name.split(".")[1] if name.count(".") else ""
        if layer not in FLASK_FREE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else []
            for n in names:
                if n.split(".")[0] in {"flask", "flask_wtf", "flask_babel", "werkzeug"}:
                    graph_offenders.append((name, n))
        for target in imported_names(name, path, known):
            if target == "intranet.web" or target.startswith("intranet.web."):
                graph_offenders.append((name, target))
    assert not graph_offenders, graph_offenders
