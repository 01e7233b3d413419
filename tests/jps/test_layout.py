"""The shape of ``jps``: subdomain packages whose arrows point one way, and modules a newcomer can read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

JPS = Path(__file__).resolve().parents[2] / "jps"

#: Each package, and the ``jps`` packages it must never import (they sit above it).
ABOVE = {
    "problems": {"casework", "meetings", "reminders", "insight", "alerts", "panels"},
    "insight": {"casework", "meetings", "reminders", "panels"},
    "casework": {"meetings", "reminders", "panels"},
    "meetings": {"reminders", "panels"},
    "people": {"casework", "meetings", "reminders", "insight", "alerts", "panels"},
    "case_reviews": {"meetings", "reminders", "insight", "alerts", "panels"},
    "panels": {"meetings", "reminders", "insight", "alerts"},
    "residents": {"meetings", "reminders", "insight", "panels", "case_reviews"},
    "attachments": {"meetings", "reminders", "insight", "panels", "case_reviews", "contacts", "people", "residents"},
    "contacts": {"problems", "casework", "meetings", "reminders", "insight", "alerts", "people", "panels"},
    # Beside ``publishing``: the problem and casework services report events to it.
    "webhooks": {
        "problems",
        "casework",
        "meetings",
        "reminders",
        "insight",
        "alerts",
        "people",
        "panels",
        "case_reviews",
        "contacts",
    },
}
#: Generated or data files, not code to read.
LONG_ALLOWED = {"demo/data.py"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (``jps.x.y``), relative imports resolved."""
    package = ".".join(path.relative_to(JPS.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def package_modules(name: str) -> list[Path]:
    return sorted((JPS / name).glob("*.py"))


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_packages_import_nothing_above_them(package):
    for path in package_modules(package):
        for module in imported_modules(path):
            parts = module.split(".")
            assert not (parts[0] == "jps" and len(parts) > 1 and parts[1] in ABOVE[package]), (path.name, module)


@pytest.mark.parametrize(
    "package",
    [
        "problems",
        "casework",
        "meetings",
        "reminders",
        "insight",
        "people",
        "case_reviews",
        "contacts",
        "panels",
        "webhooks",
        "residents",
        "attachments",
    ],
)
def test_packages_import_each_other_directly_not_through_the_indexes(package):
    for path in package_modules(package):
        assert not imported_modules(path) & {"jps.services", "jps.selectors"}, path.name


def test_no_module_of_the_domain_is_too_long_to_read():
    long = {
        str(path.relative_to(JPS)): len(path.read_text().splitlines())
        for path in JPS.rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(JPS)) not in LONG_ALLOWED
    }
    assert {name: lines for name, lines in long.items() if lines > 500} == {}


def test_the_indexes_define_nothing():
    """``jps.services`` and ``jps.selectors`` only name what the packages define."""
    for name in ("services.py", "selectors.py"):
        tree = ast.parse((JPS / name).read_text())
        defined = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert defined == [], name
