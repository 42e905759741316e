"""What the local AWS acknowledged, on disk before the answer leaves: one SQLite file under STORYTELLER_HOME.

moto keeps everything in memory. Each write it acknowledges (a table item, a published message, an
execution and each of its history events) is committed here first, so a SIGKILL at any instant loses
nothing that a caller was told had happened. SQLite in WAL mode with `synchronous=FULL` makes each
commit one fsync of the log (~0.3 ms here); its own recovery handles a write torn by the kill. History
events, thirty-odd a run, are written without their own fsync (see `add_event`). Media are
files (see `write_durably`), never rows: they are large and the web pages read them as they are.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE_FILE = "state.db"
PREVIOUS_SUFFIX = ".previous"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (tbl TEXT NOT NULL, key TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (tbl, key));
CREATE TABLE IF NOT EXISTS executions (arn TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (arn, id));
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, notification TEXT NOT NULL);
"""


class CorruptStateError(Exception):
    """The state file cannot be read; the message names it and says how to recover."""


class DurableStore:
    """The state file. Thread-safe: one connection behind a lock, each call one committed transaction."""

    def __init__(self, home: Path) -> None:
        self.path = home / STATE_FILE
        self.previous = self.path.with_name(STATE_FILE + PREVIOUS_SUFFIX)
        self.created = not self.path.exists()
        home.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # A deleted row's bytes are zeroed, not left in a free page: a forgotten story is not on disk either.
            self._db.execute("PRAGMA secure_delete=ON")
            verdict = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise CorruptStateError(self._recovery_advice(error)) from error

    def _recovery_advice(self, error: sqlite3.DatabaseError) -> str:
        if self.previous.exists():
            fix = f"restore the last good copy with: mv {self.previous} {self.path}"
        else:
            fix = f"move it aside to start empty: mv {self.path} {self.path}.damaged"
        return f"the state file {self.path} is damaged ({error}); {fix}"

    def keep_generation(self) -> None:
        """Copy the state, as it is now, beside it: the way back if the file is ever damaged."""
        partial = self.previous.with_name(self.previous.name + ".part")
        partial.unlink(missing_ok=True)
        target = sqlite3.connect(partial)
        try:
            with self._lock:
                self._db.backup(target)
        finally:
            target.close()
        partial.replace(self.previous)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Table items, keyed by their key attributes as DynamoDB JSON.
    def put_items(self, changes: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> None:
        """(table, key, item or None for deleted), committed together."""
        with self._lock, self._transaction():
            for table, key, item in changes:
                encoded = _key(key)
                if item is None:
                    self._db.execute("DELETE FROM items WHERE tbl = ? AND key = ?", (table, encoded))
                else:
                    self._db.execute(
                        "INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (table, encoded, json.dumps(item))
                    )

    def items(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT item FROM items WHERE tbl = ? ORDER BY key", (table,)).fetchall()
        return [json.loads(item) for (item,) in rows]

    def delete_items(self, table: str, keys: list[dict[str, Any]]) -> None:
        self.put_items([(table, key, None) for key in keys])

    # Executions and their history events.
    def put_execution(self, arn: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO executions VALUES (?, ?)", (arn, json.dumps(record)))

    def add_event(self, arn: str, event: dict[str, Any]) -> None:
        """A history event: written, not fsynced. The OS holds it through a SIGKILL; the next fsynced commit
        (any item, message or run) takes it to the platter. A power loss may cost the last few events: the
        run then looks interrupted one step earlier, and every step is safe to do again (docs/architecture.md).
        """
        encoded = json.dumps(event, default=str)
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", (arn, int(event["id"]), encoded))
            finally:
                self._db.execute("PRAGMA synchronous=FULL")

    def executions(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT record FROM executions").fetchall()
        return [json.loads(record) for (record,) in rows]

    def events(self, arn: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT event FROM events WHERE arn = ? ORDER BY id", (arn,)).fetchall()
        return [json.loads(event) for (event,) in rows]

    def forget_executions(self, arns: list[str]) -> None:
        with self._lock, self._transaction():
            for arn in arns:
                self._db.execute("DELETE FROM executions WHERE arn = ?", (arn,))
                self._db.execute("DELETE FROM events WHERE arn = ?", (arn,))

    def compact(self) -> None:
        """Give deleted rows' pages back to the file system: a forgotten story leaves no bytes behind.

        Then the kept generation (`state.db.previous`) is replaced too: it would still hold them.
        """
        with self._lock:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if self.previous.exists():
            self.keep_generation()

    # Messages published to the topic, until their email is in the outbox.
    def put_message(self, notification: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO messages VALUES (?, ?)", (notification["MessageId"], json.dumps(notification))
            )

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT notification FROM messages").fetchall()
        return [json.loads(notification) for (notification,) in rows]

    def forget_message(self, message_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _key(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


def write_durably(path: Path, body: bytes) -> None:
    """The file is whole on disk (content and name) when this returns; a kill leaves the old one or a `.part`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def partial_files(root: Path) -> Iterator[Path]:
    """Leftovers of writes a kill interrupted: never loaded, always removed."""
    yield from root.rglob("*.part") if root.exists() else iter(())
