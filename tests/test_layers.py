"""The folders of annotate/ are layers, and imports only go down them:

    apps                                        (wiring: signal receivers)
    web, api, admin, management, templatetags   (requests, pages, commands)
    read, io                                    (selectors; files in and out)
    actions                                     (every write)
    models, permissions                         (tables; who may do what)
    rules                                       (pure functions, no ORM)

apps.py sits on top because its ready() connects receivers from any layer
(the token revocation in actions/ on the user model's save) and nothing
imports it; the package itself stays where models are.

Every import counts, a function-local one too: a lazy import that goes up
is still a dependency that goes up. No database needed."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "annotate"
MAX_LINES = 500

LAYERS = {
    "rules": 0,
    "models": 1,
    "simple_history_manager": 1,
    "permissions": 1,
    "package": 1,
    "actions": 2,
    "read": 3,
    "io": 3,
    "web": 4,
    "api": 4,
    "admin": 4,
    "management": 4,
    "templatetags": 4,
    "tasks": 4,
    "apps": 5,
}


def app_modules() -> dict[str, Path]:
    """Dotted name → file of every module in the app but its migrations."""
    found = {}
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found[".".join(parts)] = path
    return found


MODULES = app_modules()


def imported_modules(module: str, path: Path) -> set[str]:
    """The app modules ``module`` imports, anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            names.add(base)
            # "from annotate.read import reports" imports the module annotate.read.reports.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name in MODULES and name != module}


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return LAYERS["package"]  # annotate/__init__.py
    return LAYERS[parts[1]]


IMPORTS = {module: imported_modules(module, path) for module, path in MODULES.items()}


def test_every_module_has_a_layer():
    assert [m for m in MODULES if len(m.split(".")) > 1 and m.split(".")[1] not in LAYERS] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down_the_layers(module):
    upward = sorted(name for name in IMPORTS[module] if layer_of(name) > layer_of(module))
    assert upward == [], f"{module} (layer {layer_of(module)}) imports from a higher layer"


def test_rules_do_not_touch_django():
    offenders = []
    for module, path in MODULES.items():
        if module.startswith("annotate.rules"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom | ast.Import):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    offenders += [f"{module}: {n}" for n in names if n.split(".")[0] in ("django", "annotate")]
    assert [o for o in offenders if ": annotate.rules" not in o] == []


def test_there_is_no_import_circle():
    """Depth-first search for a cycle in the module graph; a package's
    __init__ importing its own modules does not count as a circle through
    them, so it is left out."""
    graph = {m: {n for n in deps if not m.startswith(n + ".")} for m, deps in IMPORTS.items()}
    state: dict[str, str] = {}
    circles = []

    def visit(module, trail):
        state[module] = "open"
        for name in sorted(graph[module]):
            if state.get(name) == "open":
                circles.append([*trail[trail.index(name) :], name])
            elif name not in state:
                visit(name, [*trail, name])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_500_lines(module):
    assert len(MODULES[module].read_text().splitlines()) <= MAX_LINES
