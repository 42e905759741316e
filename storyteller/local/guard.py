"""The local AWS endpoint answers this machine's storyteller only, not every web page the family opens.

Anything listening on 127.0.0.1 is reachable from a browser: a page can send it simple requests (a form
POST needs no CORS), and a DNS-rebinding page can even read the answers. So the endpoint refuses a Host
that is not a loopback name (rebinding), refuses CORS preflights and strips moto's permissive CORS
headers, requires every request to be signed (SigV4, checked in `sigv4.py`) with the credentials
generated for this STORYTELLER_HOME (a page cannot add an Authorization header without a preflight,
and does not know the secret), and refuses object keys and names that could reach outside
STORYTELLER_HOME when objects are written to disk.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller.local import sigv4

CREDENTIALS_FILE = "credentials.json"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class LocalCredentials:
    """An access key made for one STORYTELLER_HOME, kept in it readable by its owner only."""

    access_key_id: str
    secret_access_key: str

    @classmethod
    def for_home(cls, home: Path) -> LocalCredentials:
        """This home's credentials, made on first use."""
        path = home / CREDENTIALS_FILE
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            return cls(stored["accessKeyId"], stored["secretAccessKey"])
        home.mkdir(parents=True, exist_ok=True)
        made = cls(f"STL{secrets.token_hex(8).upper()}", secrets.token_urlsafe(30))
        partial = path.with_name(path.name + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump({"accessKeyId": made.access_key_id, "secretAccessKey": made.secret_access_key}, file)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)
        return made

    def environment(self) -> dict[str, str]:
        """boto3's own variables, so every client in this process signs with them."""
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}


def guarded(app: WSGIApp, credentials: LocalCredentials) -> WSGIApp:
    """The endpoint's app behind the checks above."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        problem = _refusal(environ, credentials)
        if problem is not None:
            status, message = problem
            body = message.encode()
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]

        def without_cors(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
            return start_response(status, kept, *exc_info)

        return app(environ, without_cors)

    return serve


def _refusal(environ: dict[str, Any], credentials: LocalCredentials) -> tuple[str, str] | None:
    if _host_name(environ.get("HTTP_HOST", "")) not in LOOPBACK_NAMES:
        return "403 Forbidden", "this endpoint answers requests to 127.0.0.1 or localhost only"
    if environ.get("REQUEST_METHOD") == "OPTIONS":
        return "403 Forbidden", "no cross-origin access"
    if (unsigned := sigv4.verify(environ, credentials.access_key_id, credentials.secret_access_key)) is not None:
        return "403 Forbidden", f"requests must be signed with this STORYTELLER_HOME's credentials ({unsigned})"
    path = environ.get("PATH_INFO", "")
    if any(part in ("..", ".") for part in path.split("/")[1:]) or "\\" in path or "\x00" in path:
        return "400 Bad Request", "names and keys may not contain '..', '.', backslashes or NUL"
    return None


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host
