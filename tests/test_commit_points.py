"""One commit point per request: services flush, the view (or a command) commits.

So a change and the outbox row that reports it are one transaction, and a view that catches a
conflict (participation.core.conflicts) or a second send (participation.core.submissions) still
decides what is saved. The exceptions commit for a reason of their own, named here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import participation

PACKAGE = Path(participation.__file__).parent

#: (module, function) that commit outside a view or a command, and why.
COMMITTING_ELSEWHERE = {
    # The mail worker: each attempt is on record before the SMTP server hears of it, then its
    # outcome; it runs in a command, not in a request.
    ("mail/services.py", "send_due"),
    # The view step of placing a comment, shared by the section page (drafts) and the reply
    # page (comments) so that neither imports the other's views: it is the views' commit.
    ("comments/posting.py", "create"),
    # The jobs worker: a job is the worker's unit of work, as a request is the view's; it
    # commits the job's writes, then marks it done only while it holds the lease.
    ("jobs/services.py", "run"),
    # The workers' daily scheduler (once_a_day, inside make_huey, where the periodic tasks
    # are made): the day's digest or purge job, one per day (once_key).
    ("jobs/queue.py", "once_a_day"),
    ("jobs/queue.py", "make_huey"),
}


def _commits(tree: ast.AST):
    """(function, line) of every `<...>session.commit()` call, by the function it is in."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"
                    and ast.unparse(node.func.value).endswith("session")):
                yield function.name, node.lineno


@pytest.mark.once
def test_only_views_and_commands_commit():
    elsewhere = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if path.name in ("views.py", "cli.py"):
            continue
        for function, line in _commits(ast.parse(path.read_text(encoding="utf-8"))):
            if (module, function) not in COMMITTING_ELSEWHERE:
                elsewhere.add(f"{module}:{line} ({function})")
    assert sorted(elsewhere) == []


@pytest.mark.once
def test_the_listed_exceptions_still_commit():
    """A listed exception that no longer commits is taken off the list."""
    for module, function in COMMITTING_ELSEWHERE:
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        assert function in {name for name, _line in _commits(tree)}, (module, function)
