"""One local stack per STORYTELLER_HOME: two would overwrite each other's saved state."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyRunningError(Exception):
    """Another storyteller process holds this home."""


class HomeLock:
    """An advisory lock on `<home>/.lock`, released by the OS even if the process dies."""

    def __init__(self, home: Path) -> None:
        self._path = home / ".lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunningError(
                f"{holder} is using {self._path.parent}: stop it first, or set STORYTELLER_HOME to another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"storyteller (pid {os.getpid()})")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
