"""When a request takes SQLite's write lock.

SQLite lets one writer at a time. A request that writes begins its transaction with BEGIN
IMMEDIATE, so it holds the write lock from its first statement: begun as a reader, it could
not write after another writer had committed since ("database is locked" at once, whatever
busy_timeout says). That makes every read-check-write of a writing request atomic on SQLite.

Posting a comment reads a dozen things (the process, the draft, the round's admission rules,
the author) and then inserts one row; holding the lock for all of it made two web processes
post one after the other. A view marked `takes_write_lock_late` begins as a reader and takes
the lock at its first write: the reads so far end (nothing was written, so nothing is lost)
and the rest of the request runs under BEGIN IMMEDIATE, so its writes and what it reads from
then on are atomic as before. What it read before is as PostgreSQL's READ COMMITTED would have
it, which the marked views are written for (they also run on PostgreSQL): a double send is
caught by the unique submission key, and a `for_change` read (participation.core.conflicts)
takes the lock before it reads, as FOR UPDATE locks on PostgreSQL.

PostgreSQL needs none of this: its writers lock rows, not the database.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request

#: Statements that need the write lock (SQLAlchemy's savepoints too: they hold the writes).
_WRITING = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")
_DEFERRED = "write_lock_deferred"


def takes_write_lock_late(view):
    """Mark a view whose POST reads first and writes at the end (see the module's note)."""
    view.takes_write_lock_late = True
    return view


def _writing_request() -> tuple[bool, bool]:
    """(does this request write, does its view take the write lock late)."""
    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False, False
    view = current_app.view_functions.get(request.endpoint or "")
    return True, bool(getattr(view, "takes_write_lock_late", False))


def begin(connection) -> None:
    """The `begin` event of a SQLite engine: BEGIN or BEGIN IMMEDIATE (see the module's note).
    On the driver's connection: not a statement of the page's (the tests count those)."""
    writes, late = _writing_request()
    connection.info[_DEFERRED] = writes and late
    connection.connection.dbapi_connection.execute(
        "BEGIN IMMEDIATE" if writes and not late else "BEGIN")


def before_statement(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    """Before a statement of a request that began as a reader: the first write (or a read for
    a change) ends the reading and takes the write lock."""
    if not connection.info.get(_DEFERRED):
        return
    first = statement.lstrip()[:9].upper()
    if not (first.startswith(_WRITING)
            or (context is not None and context.execution_options.get("for_change"))):
        return
    connection.info[_DEFERRED] = False
    driver = connection.connection.dbapi_connection
    driver.execute("COMMIT")  # only reads so far: nothing to keep but the end of the snapshot
    driver.execute("BEGIN IMMEDIATE")


def end(connection) -> None:
    """The `commit` and `rollback` events: the next transaction decides for itself."""
    connection.info[_DEFERRED] = False
