"""The tree tells the data path: every import between our packages points one way.

    config  <-  retrieval  <-  ingest
                           <-  bot  (its command line, bot/cli.py, composes ingest and evaluation)
    evaluation -> bot, ingest, retrieval, config

Every import counts, also those inside functions, so a lazy import cannot hide a wrong arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

OURS = ("bot", "config", "evaluation", "ingest", "retrieval", "scripts", "tests")
ALLOWED = {
    "config": {"config"},
    "retrieval": {"retrieval", "config"},
    "ingest": {"ingest", "retrieval", "config"},
    "bot": {"bot", "retrieval", "config"},
    "evaluation": {"evaluation", "bot", "ingest", "retrieval", "config"},
}
# where the product's commands are put together from the packages
COMPOSITION_ROOTS = {"bot/cli.py": {"ingest", "evaluation"}}


def imported_packages(path: Path) -> set[str]:
    """Our top-level packages that one module imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in OURS}
    return found


def wrong_arrows(package: str) -> list[str]:
    """'module -> package' for every import the layering forbids."""
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED[package] | COMPOSITION_ROOTS.get(rel, set())
        out += [f"{rel} -> {p}" for p in sorted(imported_packages(path) - allowed)]
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    assert wrong_arrows(package) == []


def test_the_check_sees_a_wrong_arrow(tmp_path: Path) -> None:
    """A lazy import of bot inside a retrieval function is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.answer import Answerer\n    import config.settings\n")
    assert imported_packages(module) == {"bot", "config"}
