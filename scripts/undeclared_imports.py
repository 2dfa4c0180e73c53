"""Every package the code imports is declared in pyproject.toml: lists the ones that are not.

What the site imports (participation/, migrations/) must be a dependency; what only the tests,
benchmarks and scripts import may be in the test extra. A package that is installed only
because another one needs it works until that one stops needing it. Exit status 1 when
something is missing.

    .venv/bin/python scripts/undeclared_imports.py
"""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ("participation", "migrations")
TOOLS = ("tests", "bench", "scripts")


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0)).lower()


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = {_name(r) for group in project.get("optional-dependencies", {}).values() for r in group}
    return {_name(r) for r in project["dependencies"]}, extras


def imports(folder: str) -> dict[str, set[str]]:
    """Top-level module -> the files importing it (at any depth of the file), leaving out the
    standard library and the project's own folders and modules."""
    local = {path.stem for path in ROOT.joinpath(folder).rglob("*.py")} | set(SITE + TOOLS)
    found: dict[str, set[str]] = {}
    for path in sorted(ROOT.joinpath(folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in local:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def main() -> int:
    dependencies, extras = declared()
    distributions = packages_distributions()
    missing = 0
    for folders, allowed, where in ((SITE, dependencies, "dependencies"),
                                    (TOOLS, dependencies | extras, "dependencies or the test extra")):
        used: dict[str, set[str]] = {}
        for folder in folders:
            for module, files in imports(folder).items():
                used.setdefault(module, set()).update(files)
        for module, files in sorted(used.items()):
            names = {_name(d) for d in distributions.get(module, [])}
            if not names:
                print(f"{module}: not installed (imported by {', '.join(sorted(files))})")
                missing += 1
            elif not names & allowed:
                print(f"{module} ({', '.join(sorted(names))}): not in {where}; imported by "
                      f"{', '.join(sorted(files)[:3])}{' …' if len(files) > 3 else ''}")
                missing += 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
