"""The shape the code keeps: layering, no import cycles, small modules, a true ARCHITECTURE.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "captions", "consent", "safeio")
MAX_LINES = 420  # "none over ~400 lines"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, name: str) -> set[str]:
    """Project modules ``name`` imports anywhere (functions included), except for type checking."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                targets.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets.add(base)
                # `from pipeline import runner` imports the module pipeline.runner
                targets.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: _imports(path, name) for name, path in MODULES.items()}


def test_there_is_something_to_check() -> None:
    assert {"pipeline.cli", "captions.model", "consent.ledger", "safeio.atomic"} <= set(MODULES)
    assert GRAPH["pipeline.project"], "the import scan found no imports at all"


@pytest.mark.parametrize("library", ["captions", "consent", "safeio"])
def test_libraries_never_import_pipeline(library: str) -> None:
    offenders = {name: sorted(t for t in targets if t.startswith("pipeline"))
                 for name, targets in GRAPH.items() if name.startswith(library)}
    assert not {k: v for k, v in offenders.items() if v}


def _cycle() -> list[str] | None:
    """One import cycle among the project's modules (package __init__ re-exports excluded)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def edges(name: str) -> set[str]:
        # A submodule importing its own package's __init__ only reaches what __init__ re-exports;
        # that is how packages are built, not a dependency cycle.
        return {t for t in GRAPH[name] if not name.startswith(t + ".")}

    def walk(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for target in sorted(edges(name)):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (found := walk(target)):
                return found
        stack.pop()
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := walk(name)):
            return found
    return None


def test_no_import_cycles() -> None:
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_sees_a_cycle() -> None:
    saved = {k: set(v) for k, v in GRAPH.items()}
    try:
        GRAPH["captions.model"].add("captions.srt_fake")
        GRAPH["captions.srt_fake"] = {"captions.model"}
        assert _cycle() is not None
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines"


ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def test_architecture_doc_names_only_modules_that_exist() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    roots = "pipeline|captions|consent|safeio|tests|bench|projects"
    named = set(re.findall(rf"`((?:{roots})/[\w/.-]*)`", text))
    assert len(named) > 20, "ARCHITECTURE.md names too few modules to be a map"
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_architecture_doc_covers_every_module() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    unnamed = sorted(str(path.relative_to(ROOT)) for name, path in MODULES.items()
                     if path.name != "__main__.py" and str(path.relative_to(ROOT)) not in text
                     and not (path.name == "__init__.py"
                              and f"{path.parent.relative_to(ROOT)}/" in text))
    assert not unnamed, f"modules ARCHITECTURE.md does not describe: {unnamed}"


# A module name used twice, and why that is the rule rather than a clash: each package's own
# errors, a command module named after its group, and a step named for the same thing seen from
# another package. Issue 25 renamed the real clashes (three `access` modules, two `Span`
# classes); a new name used twice must be added here with its reason, or renamed.
SHARED_NAMES = {
    "exceptions": "each library's and the pipeline's base error",
    "errors": "each pipeline package's errors",
    "access_report": "the access report and its command (pipeline/cli/ names a group's command)",
    "project": "the project folder and its commands",
    "server": "the review page's and the film page's server",
    "plan": "a render's plan of parts and an edit import's plan of changes",
    "gate": "the consent gate and the render's call of it",
    "views": "consent's views of the ledger and the review page's views",
}


def test_no_two_modules_share_a_name_without_a_reason() -> None:
    seen: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        if path.name not in ("__init__.py", "__main__.py"):
            seen.setdefault(path.stem, []).append(name)
    twice = {stem: names for stem, names in seen.items() if len(names) > 1}
    assert not {s: n for s, n in twice.items() if s not in SHARED_NAMES}
    assert set(SHARED_NAMES) <= set(twice), "a reason for a name no longer shared"


def test_no_two_classes_share_a_name() -> None:
    defined: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                defined.setdefault(node.name, []).append(name)
    # Left for now: a ledger file's line and a transcript line on the film page; where a
    # description goes and where an edit's clip goes.
    allowed = {"Line", "Placement"}
    twice = {c: m for c, m in defined.items() if len(m) > 1}
    assert set(twice) == allowed, twice
