"""No module-level mutable state in bot/ and commands/ (issue 15): what a running bot keeps
lives on the services the composition root builds, so two bots in one process (tests)
never share it.

Checked on the source tree: a module-level name bound to a container or an object made
by a call (``_CACHE = {}``, ``_LOCKS = defaultdict(asyncio.Lock)``, ``_RUNNERS = set()``)
must never be changed in place by a function (``.append``/``.update``/``.add``/…,
``X[k] = v``, ``del X[k]``, ``X[k] += 1``), in its own module or in one that imports it;
and no function rebinds a module name (``global``). Reading constant tables, and filling
them once at import time (top-level code), stays allowed.
Not seen: changes through an alias (``cache = _CACHE; cache[k] = v``) and class
attributes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "commands")
MUTATORS = frozenset(
    {
        "add",
        "append",
        "appendleft",
        "clear",
        "difference_update",
        "discard",
        "extend",
        "extendleft",
        "insert",
        "intersection_update",
        "pop",
        "popitem",
        "popleft",
        "remove",
        "reverse",
        "setdefault",
        "sort",
        "symmetric_difference_update",
        "update",
    }
)
CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp, ast.Call)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_containers(tree: ast.Module) -> set[str]:
    """Names the module binds at top level to a container literal or a call's result."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, CONTAINERS):
            found.update(t.id for t in targets if isinstance(t, ast.Name) and t.id != "__all__")
    return found


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names a function binds itself (parameters, assignments), unless declared global."""
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    declared: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Global):
            declared.update(node.names)
    return names - declared


def _changed(node: ast.AST) -> Iterator[tuple[ast.expr, int]]:
    """The objects a node changes in place, with the line."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MUTATORS
    ):
        yield node.func.value, node.lineno
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    for target in targets:
        if isinstance(target, ast.Subscript):
            yield target.value, target.lineno


def mutations(path: Path, root: Path, containers: dict[str, set[str]]) -> list[str]:
    """Where a module changes a module-level container (its own or an imported one), or
    rebinds a module name with ``global``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path, root)
    names = {name: (here, name) for name in containers.get(here, set())}
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name in containers.get(node.module, set()):
                    names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in containers and alias.asname:
                    modules[alias.asname] = alias.name
    rel = path.relative_to(root).as_posix()
    found: list[str] = []

    def visit(node: ast.AST, shadowed: frozenset[str] | None) -> None:
        """``shadowed``: the locals of the enclosing function; None at top level."""
        if isinstance(node, ast.Global):
            found.append(f"{rel}:{node.lineno} rebinds module name(s) {', '.join(node.names)}")
        changed = _changed(node) if shadowed is not None else iter(())
        local = shadowed or frozenset()
        for obj, line in changed:
            if isinstance(obj, ast.Name) and obj.id in names and obj.id not in local:
                owner, name = names[obj.id]
                found.append(f"{rel}:{line} changes {owner}.{name}")
            elif (
                isinstance(obj, ast.Attribute)
                and isinstance(obj.value, ast.Name)
                and obj.value.id not in local
            ):
                owner = modules.get(obj.value.id) or (
                    obj.value.id if obj.value.id in containers else ""
                )
                if obj.attr in containers.get(owner, set()):
                    found.append(f"{rel}:{line} changes {owner}.{obj.attr}")
        inner = shadowed
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inner = (shadowed or frozenset()) | _locals(node)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, None)
    return found


def check(root: Path, packages: tuple[str, ...]) -> list[str]:
    paths = [p for package in packages for p in sorted((root / package).rglob("*.py"))]
    trees = {module_name(p, root): ast.parse(p.read_text(encoding="utf-8")) for p in paths}
    containers = {name: module_containers(tree) for name, tree in trees.items()}
    return [problem for p in paths for problem in mutations(p, root, containers)]


def test_bot_and_commands_keep_no_module_level_mutable_state() -> None:
    problems = check(ROOT, PACKAGES)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("_CACHE = {}\ndef f(k):\n    _CACHE[k] = 1\n", ["pkg/m.py:3 changes pkg.m._CACHE"]),
        ("_SEEN = set()\nasync def f(k):\n    _SEEN.add(k)\n", ["pkg/m.py:3 changes pkg.m._SEEN"]),
        ("_Q: list[int] = []\ndef f():\n    del _Q[0]\n", ["pkg/m.py:3 changes pkg.m._Q"]),
        ("_N = {}\ndef f():\n    _N['a'] += 1\n", ["pkg/m.py:3 changes pkg.m._N"]),
        ("_N = 0\ndef f():\n    global _N\n", ["pkg/m.py:3 rebinds module name(s) _N"]),
        # reading a table, or changing a local of the same name, is fine
        ("WORDS = {'a': 1}\ndef f(k):\n    return WORDS.get(k)\n", []),
        ("_C = {}\ndef f():\n    _C = {}\n    _C['a'] = 1\n", []),
        ("_C = {}\ndef f(_C):\n    _C.update(a=1)\n", []),
        # a table filled once at import time is a constant
        ("_T = []\nfor x in 'ab':\n    _T.append(x)\n", []),
    ],
)
def test_the_checker_sees_a_change_of_module_state(
    tmp_path: Path, source: str, expected: list[str]
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(source, encoding="utf-8")
    assert check(tmp_path, ("pkg",)) == expected


def test_the_checker_follows_an_import(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("REGISTRY = []\n", encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text(
        "from pkg.a import REGISTRY as R\nimport pkg.a as a\n"
        "def f(x):\n    R.append(x)\n    a.REGISTRY.extend([x])\n",
        encoding="utf-8",
    )
    assert check(tmp_path, ("pkg",)) == [
        "pkg/b.py:4 changes pkg.a.REGISTRY",
        "pkg/b.py:5 changes pkg.a.REGISTRY",
    ]
