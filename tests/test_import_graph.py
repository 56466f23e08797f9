"""The package's import graph, read with `ast`: no cycles, and nothing outside training imports training."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fomm_core"
ROOT = "fomm_core"
# Training code and the command that runs it; everything else animates, evaluates or serves, and must not
# need training code.
TRAINING = ("fomm_core.train", "fomm_core.commands.train")


def _module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes under `if TYPE_CHECKING:`, which never run."""
    blocks = [n for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]
    return {inner for block in blocks for stmt in block.body for inner in ast.walk(stmt)}


def _imports(name: str, path: Path, modules: set[str], typing: bool) -> set[str]:
    """The package modules `name` imports anywhere in its file (lazy imports included, type-checking ones when
    `typing`), with the packages Python runs on the way: importing a.b.c runs a.b's __init__ (the root's
    aside, which only re-exports and always runs first)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skipped = set() if typing else _type_checking_only(tree)
    found = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    targets = set()
    for target in found & modules:
        parts = target.split(".")
        targets.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
    return {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}


def import_graph(typing: bool = True) -> dict[str, set[str]]:
    """Module → the package modules it imports (with those under `if TYPE_CHECKING:` when `typing`)."""
    names = _module_names()
    return {name: _imports(name, path, set(names), typing) for name, path in names.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _is_training(name: str) -> bool:
    return any(name == t or name.startswith(t + ".") for t in TRAINING)


def test_the_graph_sees_relative_lazy_and_package_imports() -> None:
    graph = import_graph()
    assert "fomm_core.engines.fomm" in graph["fomm_core.engines"]  # from . import fomm
    assert "fomm_core.checkpoints.states" in graph["fomm_core.checkpoints.load"]  # imported inside load_model
    assert {"fomm_core.engines", "fomm_core.engines.motion_model"} <= graph["fomm_core.animate"]
    assert "fomm_core.engines.fomm" in graph["fomm_core.train.fomm_objective"]
    assert "fomm_core.engines.motion_model" in graph["fomm_core.pipeline"]  # under TYPE_CHECKING
    assert "fomm_core.engines.motion_model" not in import_graph(typing=False)["fomm_core.pipeline"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycles() -> None:
    assert _cycle(import_graph(typing=False)) is None  # a cycle through type hints alone never runs


def test_nothing_outside_training_imports_training() -> None:
    arrows = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        if not _is_training(name)
        for target in targets
        if _is_training(target)
    )
    assert arrows == []
