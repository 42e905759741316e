"""STORYTELLER_HOME is private to its user: it holds every family's shelf token and addresses, their emails.

Files are 0600 and folders 0700 (issue 30): the stack's files are created under a 0o077 umask while it
runs, and what an older version left readable is tightened at start.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
PRIVATE_UMASK = 0o077


def make_private(home: Path) -> None:
    """Create the home if needed and take group and other access away from everything in it."""
    home.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    home.chmod(PRIVATE_FOLDER)
    for folder, folders, files in os.walk(home):
        for name in folders:
            path = Path(folder, name)
            if not path.is_symlink():  # a link's target is not ours to change (and os.walk does not follow it)
                path.chmod(PRIVATE_FOLDER)
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(PRIVATE_FILE)


def private_umask() -> int:
    """Files and folders created from now on are the user's only; returns the umask to restore."""
    return os.umask(PRIVATE_UMASK)
