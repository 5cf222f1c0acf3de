"""One exception hierarchy, in one module, and every raise of the package uses it."""

from __future__ import annotations

import ast
import inspect

from paths import ROOT

from cpambot import errors

PACKAGE = ROOT / "src" / "cpambot"
ALLOWED_BUILTINS = {"SystemExit"}  # the console entry points' exit status


def _raised_names() -> dict[str, list[str]]:
    """Name of every class raised by a ``raise X(...)`` / ``raise X`` of the package → places."""
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _classes() -> list[type[BaseException]]:
    return [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
            if issubclass(obj, BaseException) and obj.__module__ == errors.__name__]


def test_every_error_class_belongs_to_the_hierarchy():
    """GIVEN the errors module WHEN its classes are listed THEN each is a CpambotError, with a docstring."""
    classes = _classes()
    assert len(classes) >= 15
    for cls in classes:
        assert issubclass(cls, errors.CpambotError), cls
        assert cls.__doc__ and cls.__doc__.strip(), cls


def _constructed_names() -> set[str]:
    """Names called as ``X(...)`` outside the errors module (``raise X(...)``, or an error built
    by a helper that the caller raises)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found.add(node.func.id)
    return found


def test_every_error_class_is_raised_somewhere():
    """GIVEN the package's source WHEN every error built is read THEN each class of the errors
    module is built (to be raised), or is the base of one that is: no documented-but-unused class."""
    raised = _constructed_names()
    for cls in _classes():
        users = {c.__name__ for c in _classes() if issubclass(c, cls)}
        assert users & raised, f"{cls.__name__} is never raised"


def test_no_raise_outside_the_hierarchy():
    """GIVEN the package's source WHEN every ``raise`` is read THEN it raises a class of the errors
    module (re-raising a caught exception aside), never a bare built-in exception."""
    ours = {cls.__name__ for cls in _classes()}
    strays = {name: places for name, places in _raised_names().items()
              if name not in ours and name not in ALLOWED_BUILTINS and name[0].isupper()}
    assert not strays, strays


def test_no_exception_class_is_defined_outside_the_errors_module():
    """GIVEN the package's source WHEN its classes are read THEN none derives from an exception
    outside cpambot/errors.py."""
    exception_bases = {"Exception", "BaseException", "ValueError", "CpambotError", "RuntimeError"}
    exception_bases |= {cls.__name__ for cls in _classes()}
    strays = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if bases & exception_bases or any(b.endswith(("Error", "Exception")) for b in bases):
                    strays.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not strays, strays
