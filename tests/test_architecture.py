"""The shape of `src/shipdesk`'s imports, read from the source (AST), not by importing it.

Two rules:
- no circle: no module imports, directly or through others, a module that imports it back.
  Imports inside functions count like module-level ones: deferring an import to a function
  hides a circle from Python's loader but not from a reader, and the circle this test was
  written for (api/tasks -> api/webhooks -> sync/outbox -> sync/tasks -> sync/importer ->
  api/webhooks) went through such imports. Imports under `if TYPE_CHECKING:` do not count:
  they never run.
- the domain never imports the interfaces: nothing under the domain packages imports
  `shipdesk.api` or `shipdesk.web`, except their management commands, which are the
  command-line interface.

An import names the module it loads: `from pkg import sub` is an edge to `pkg.sub` when
`sub` is a module, else to `pkg`. Loading `pkg.sub` also runs `pkg/__init__.py`; that
edge is not counted, so a package may re-export its modules' names.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
DOMAIN = (
    "orders",
    "shipping",
    "sync",
    "stores",
    "carriers",
    "documents",
    "notifications",
    "backmarket",
    "outbox",
    "batches",
    "rules",
    "invoices",
)
INTERFACES = ("shipdesk.api", "shipdesk.web")


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = SRC) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / "shipdesk").rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST):
    """Every import statement that can run, at any depth."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        for child in ast.iter_child_nodes(node):
            if not _type_checking_only(child):
                pending.append(child)


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[tuple[int, str]]:
    """(line, shipdesk module imported) for each import of a shipdesk module in `path`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        found += [(node.lineno, t) for t in targets if t == "shipdesk" or t.startswith("shipdesk.")]
    return found


def import_graph(root: Path = SRC) -> dict[str, dict[str, int]]:
    """module -> {imported module: first line}, for shipdesk's own modules."""
    known = modules(root)
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges: dict[str, int] = {}
        for line, target in imports_of(name, path, known):
            if target in known and target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[tuple[list[str], list[str]]]:
    """(modules, one circle through them) for each group of modules that import each other
    (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative: the graph is deep enough to make recursion a risk.
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
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return [(group, _circle_in(group, graph)) for group in sorted(groups)]


def _circle_in(group: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child not in members or child in previous:
                    continue
                previous[child] = node
                if child == start:
                    path = [start]
                    while path[-1] != start or len(path) == 1:
                        path.append(previous[path[-1]])
                    return path[::-1]
                following.append(child)
        frontier = following
    return group


def domain_imports_of_interfaces(root: Path = SRC) -> list[str]:
    known = modules(root)
    found = []
    for name, path in known.items():
        package = name.split(".")[1] if name.count(".") else ""
        if package not in DOMAIN or ".management.commands." in f"{name}.":
            continue
        for line, target in imports_of(name, path, known):
            if any(target == i or target.startswith(f"{i}.") for i in INTERFACES):
                found.append(f"{path.relative_to(root)}:{line} imports {target}")
    return found


def _describe(circle: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [f"{a} (line {graph[a][b]})" for a, b in zip(circle, circle[1:], strict=False)]
    return " -> ".join([*steps, circle[-1]])


def test_src_imports_form_no_circle_and_the_domain_never_imports_the_interfaces():
    graph = import_graph()
    problems = [
        f"import circle among {', '.join(group)}; for example {_describe(circle, graph)}"
        for group, circle in circles(graph)
    ]
    problems += [f"domain imports an interface: {i}" for i in domain_imports_of_interfaces()]
    assert not problems, "\n".join(["", *problems])


# The checker itself, on small made-up trees: it must see what it is meant to see.


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "shipdesk" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [tmp_path / "shipdesk", *(tmp_path / "shipdesk").rglob("*")]:
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("", encoding="utf-8")
    return tmp_path


def test_a_circle_through_a_function_level_import_is_found(tmp_path):
    # given: a -> b at module level, b -> c in a function, c -> a relatively
    root = _tree(
        tmp_path,
        {
            "sync/a.py": "from shipdesk.sync import b\n",
            "sync/b.py": "def later():\n    from shipdesk.sync.c import thing\n",
            "sync/c.py": "import json\n\nfrom .a import name\n",
            "sync/d.py": "from shipdesk.sync import a\n",
        },
    )

    # when
    graph = import_graph(root)

    # then
    [(group, circle)] = circles(graph)
    assert group == ["shipdesk.sync.a", "shipdesk.sync.b", "shipdesk.sync.c"]
    assert circle == ["shipdesk.sync.a", "shipdesk.sync.b", "shipdesk.sync.c", "shipdesk.sync.a"]
    assert _describe(circle, graph) == (
        "shipdesk.sync.a (line 1) -> shipdesk.sync.b (line 2) -> shipdesk.sync.c (line 3) "
        "-> shipdesk.sync.a"
    )


def test_type_checking_imports_and_package_reexports_are_not_circles(tmp_path):
    # given
    root = _tree(
        tmp_path,
        {
            "backmarket/__init__.py": "from .client import Client\n",
            "backmarket/client.py": "from . import requests\n",
            "backmarket/requests.py": "",
            "carriers/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from shipdesk.carriers.b import B\n",
            "carriers/b.py": "from shipdesk.carriers import a\n",
        },
    )

    # when
    graph = import_graph(root)

    # then
    assert circles(graph) == []
    assert graph["shipdesk.backmarket.client"] == {"shipdesk.backmarket.requests": 1}


def test_domain_imports_of_interfaces_are_listed_but_not_from_commands(tmp_path):
    # given
    root = _tree(
        tmp_path,
        {
            "api/webhooks.py": "",
            "web/labels.py": "",
            "shipping/actions.py": "def ship():\n    from shipdesk.api.webhooks import x\n",
            "orders/history.py": "from shipdesk.web import labels\n",
            "orders/management/commands/orders.py": "from shipdesk.api import webhooks\n",
            "web/views.py": "from shipdesk.api import webhooks\n",
            "stores/models.py": "from shipdesk.apis import nothing\n",
        },
    )

    # when
    found = domain_imports_of_interfaces(root)

    # then
    assert found == [
        "shipdesk/orders/history.py:1 imports shipdesk.web.labels",
        "shipdesk/shipping/actions.py:2 imports shipdesk.api.webhooks",
    ]
