"""Ad-hoc SQL over the lake: one read statement, judged by DuckDB's parser, with access to the lake only."""

from __future__ import annotations

import duckdb

from ipops.lake.store import LakeStore


class RefusedStatementError(ValueError):
    """The SQL is not a single read statement; the message says why."""


def check_read_statement(sql: str) -> str:
    """The one SELECT statement of sql, else RefusedStatementError (COPY, ATTACH, writes, several)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise RefusedStatementError(f"SQL does not parse: {exc}") from exc
    if len(statements) != 1:
        raise RefusedStatementError(f"exactly one statement is allowed, got {len(statements)}")
    [statement] = statements
    kind = statement.type
    if kind != duckdb.StatementType.SELECT:
        raise RefusedStatementError(
            f"only a read (SELECT) statement is allowed, not {kind.name}"
            + (" (COPY … TO writes files)" if kind == duckdb.StatementType.COPY else "")
        )
    return str(statement.query)


def read_only_connection(store: LakeStore) -> duckdb.DuckDBPyConnection:
    """The lake's views on a connection that may read only inside the lake folder and change nothing."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        store.register_views(con)
        root = str(store.root.resolve()).rstrip("/") + "/"
        # allowed_directories first: once external access is off, settings are locked
        con.execute("SET allowed_directories = $dirs", {"dirs": [root]})
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def run_read_query(store: LakeStore, sql: str, *, limit: int) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and up to limit + 1 rows of one checked read statement."""
    statement = check_read_statement(sql)
    con = read_only_connection(store)
    try:
        result = con.execute(statement)
        names = [d[0] for d in result.description or []]
        return names, result.fetchmany(limit + 1)
    finally:
        con.close()
