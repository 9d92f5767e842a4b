"""The import graph of the project's apps and of the project package, read with `ast` (every import, also those
inside functions): no two modules import each other in a circle, no app imports another in a circle (the apps form
layers: actionplan < evidence < programme < lke < monev < public < notifications), evidence never imports monev, and
the apps use of the project package only its library (zi_portal.lib, the system checks), never the pages that read
across them (home page, navigation counts, seed_demo)."""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["actionplan", "evidence", "monev", "notifications", "lke", "programme", "public"]
# The project package: imported by the apps only for its library; its own pages import the apps.
PROJECT = "zi_portal"
PROJECT_PARTS_APPS_MAY_USE = ("zi_portal.lib", "zi_portal.checks")


def _modules() -> dict[str, Path]:
    found = {}
    for app in [*APPS, PROJECT]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    edges = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                else:
                    base = node.module
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                # `import a.b.c` also runs a and a.b: count the deepest module that exists
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def app_edges(edges) -> dict[str, set[str]]:
    apps = defaultdict(set)
    for a, targets in edges.items():
        for b in targets:
            if a.split(".")[0] != b.split(".")[0] and {a.split(".")[0], b.split(".")[0]} <= set(APPS):
                apps[a.split(".")[0]].add(b.split(".")[0])
    return apps


def test_no_module_imports_another_in_a_circle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_evidence_does_not_import_monev():
    offenders = sorted((a, b) for a, targets in import_graph().items() if a.split(".")[0] == "evidence"
                       for b in targets if b.split(".")[0] == "monev")
    assert offenders == []


def test_notifications_app_is_in_no_circle_of_apps():
    for component in cycles(app_edges(import_graph())):
        assert "notifications" not in component, component


def test_no_app_imports_another_in_a_circle():
    assert cycles(app_edges(import_graph())) == []


def test_apps_use_of_the_project_package_only_its_library():
    offenders = sorted((a, b) for a, targets in import_graph().items() if a.split(".")[0] in APPS
                       for b in targets if b.split(".")[0] == PROJECT and not b.startswith(PROJECT_PARTS_APPS_MAY_USE))
    assert offenders == []


def test_the_project_library_imports_no_app():
    offenders = sorted((a, b) for a, targets in import_graph().items() if a.startswith(PROJECT_PARTS_APPS_MAY_USE)
                       for b in targets if b.split(".")[0] in APPS)
    assert offenders == []


def test_the_app_circle_finder_sees_a_circle_between_two_apps():
    assert cycles(app_edges({"lke.insights": {"monev.models"}, "monev.views": {"lke.selectors"}})) == [["lke", "monev"]]
