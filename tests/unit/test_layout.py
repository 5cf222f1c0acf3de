"""The house: folders by stage of the pipeline, imports in one direction, no circle, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

from paths import ROOT

PACKAGE = ROOT / "src" / "cpambot"
MAX_LINES = 400
# Rank of each part: a module may import a part of lower rank, or its own part (package).
RANKS = {
    "errors": 0, "labels": 0, "instants": 1, "clock": 2, "randomness": 0,
    "config": 2, "store": 2,
    "mailbox": 3, "understanding": 4, "cases": 5, "books": 6, "letters": 7, "approval": 8, "sending": 9,
    "service": 10, "demo": 11, "cli": 12, "__main__": 13, "__init__": 0,
}
# What the functional core may not import: the shell's I/O and the clock/random sources.
CORE = ("understanding", "books.invoices", "books.tracking", "books.calendar", "books.stats",
        "books.bank", "books.reconcile",
        "cases.model", "cases.rules", "cases.deadlines", "cases.rejects", "letters",
        "approval.model", "approval.drafts", "approval.decide", "approval.commands", "approval.replies",
        "approval.checks", "approval.filing", "approval.tokens", "mailbox.auth_results", "approval.digest",
        "approval.mails",
        "sending.model", "sending.states", "sending.mime")
SHELL_ONLY = ("cpambot.store", "cpambot.mailbox.imap", "cpambot.mailbox.maildir", "cpambot.mailbox.ingest",
              "cpambot.sending.outbox", "cpambot.sending.smtp", "cpambot.sending.sent_folder",
              "cpambot.service", "cpambot.cli", "imapclient", "aiosmtplib", "tinydb", "secrets", "random",
              "socket", "cpambot.clock")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _internal(path: Path, modules: dict[str, Path]) -> set[str]:
    names = {name.removeprefix("cpambot.") for name in _imports(path) if name.startswith("cpambot.")}
    return {name for name in names if name in modules}


def test_imports_flow_one_way():
    """GIVEN every module of the package WHEN its imports of cpambot are read THEN each goes to a part of
    lower rank (service → stages in pipeline order → store, config and the core), or stays in its part."""
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        part = name.split(".")[0]
        for target in _internal(path, modules):
            other = target.split(".")[0]
            if other != part and RANKS[other] >= RANKS[part]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_no_import_circle():
    """GIVEN the import graph of the package WHEN searched THEN it has no circle."""
    modules = _modules()
    graph = {name: _internal(path, modules) - {name} for name, path in modules.items()}
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles


def test_the_core_does_no_io():
    """GIVEN the functional core (understanding, case rules, letters, approval decisions) WHEN its imports
    are read THEN none reaches the store, the mail servers, the service, the clock or a random source."""
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        if not any(name == core or name.startswith(core + ".") for core in CORE):
            continue
        for imported in _imports(path):
            if any(imported == bad or imported.startswith(bad + ".") for bad in SHELL_ONLY):
                wrong.append(f"{name} imports {imported}")
    assert not wrong, wrong


def test_modules_stay_small():
    """GIVEN every module of the package WHEN its lines are counted THEN none is over ~400 lines."""
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_every_module_says_its_role():
    """GIVEN every module of the package WHEN opened THEN it starts with a docstring of its role."""
    missing = [name for name, path in _modules().items()
               if path.stat().st_size and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert not missing, missing


def test_no_two_test_modules_share_a_name():
    """GIVEN every test module WHEN their file names are compared THEN each is unique: pytest imports them by
    name (rootdir import mode), so a second one of the same name stops the whole collection on a clean
    checkout."""
    from collections import Counter

    names = Counter(path.name for path in (ROOT / "tests").rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
