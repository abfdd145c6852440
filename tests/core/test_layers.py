"""The import graph of workhub/, transcription/ and surveys/ has no circles: not at import
time, and not behind imports inside functions either (a lazy import that closes a circle is
a layer in the wrong place). Read from the source with ast, so nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workhub", "transcription", "surveys")


def module_files() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.relative_to(ROOT).parts:
                continue  # run by Alembic, never imported by the app
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports anywhere in its file. ``from pkg import mod``
    counts as importing ``pkg.mod`` only (a package is always imported before its
    modules, so that edge says nothing)."""
    targets: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            submodules = [f"{module}.{a.name}" for a in node.names
                          if f"{module}.{a.name}" in known]
            targets.update(submodules)
            if len(submodules) < len(node.names):
                targets.add(module)
    resolved = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles():
    known = module_files()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert len(graph) > 100 and sum(map(len, graph.values())) > 500  # the graph was read
    assert circles(graph) == []


def test_the_check_finds_a_circle():
    """The detector itself: a → b → c → a and d → a are one circle of three."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


# The features: each lives in its own package and may use core, never another feature.
FEATURES = ("workhub.telework", "workhub.devices", "workhub.online_meetings", "surveys",
            "transcription")
# Composition: the few modules that put the features together (the app factory registering
# routes, the model registry Alembic reads, the CLI, the menu, the demo office). Everything
# else in workhub/ is core and imports no feature.
COMPOSITION = ("workhub", "workhub.all_models", "workhub.commands", "workhub.navigation",
               "workhub.demo")


def _within(name: str, packages: tuple[str, ...]) -> str | None:
    return next((p for p in packages if name == p or name.startswith(p + ".")), None)


def layer_breaches(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a feature from another feature or from core (not composition)."""
    found = []
    for name, targets in sorted(graph.items()):
        own = _within(name, FEATURES)
        if own is None and (name == "workhub" or _within(name, COMPOSITION[1:])):
            continue
        for target in sorted(targets):
            other = _within(target, FEATURES)
            if other is not None and other != own:
                found.append(f"{name} -> {target}")
    return found


def test_no_feature_imports_another_and_core_imports_none():
    known = module_files()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert layer_breaches(graph) == []


def test_the_layer_check_finds_a_breach():
    graph = {"workhub.devices.views": {"workhub.telework.policy", "workhub.clock"},
             "workhub.clock": {"surveys.models"}, "workhub.navigation": {"surveys.views"},
             "surveys.views": {"surveys.models"}}
    assert layer_breaches(graph) == ["workhub.clock -> surveys.models",
                                     "workhub.devices.views -> workhub.telework.policy"]


def test_tests_share_helpers_not_test_modules():
    """tests/ is laid out like the code (tests/core, tests/telework, ...): what several
    folders use lives in a helper module at the top (tests/office.py, tests/pages.py,
    tests/jobs.py, ...), never in another folder's test module, so a folder's tests run
    and move on their own."""
    crossing = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        folder = path.relative_to(ROOT / "tests").parts[0] if path.parent != ROOT / "tests" \
            else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [f"{node.module}.{alias.name}" for alias in node.names]
                     if isinstance(node, ast.ImportFrom) and node.module else [])
            for target in names:
                parts = target.split(".")
                if parts[0] != "tests" or len(parts) < 3:
                    continue
                if parts[1] != folder and parts[2].startswith("test_"):
                    crossing.append(f"{path.relative_to(ROOT)} imports {target}")
    assert crossing == []
