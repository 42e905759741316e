"""Console login: one operators' password, a signed session cookie, a CSRF token per session."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from frontend.settings import PASSWORD_MIN, FrontendSettings

COOKIE = "storyteller_console"
# The cookie goes to the console only: story pages never receive (or could leak) it.
COOKIE_PATH = "/console"
# scrypt at n=2**14 costs ~50 ms and 16 MB a guess: nothing for one login, a lot for a guesser.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class ConsolePasswordError(ValueError):
    """The configured password (or its secret) cannot be used; the message says which setting to fix."""


@dataclass(frozen=True)
class PasswordCheck:
    """Keeps only a salted scrypt hash of the password and compares in constant time."""

    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, password: str) -> PasswordCheck:
        salt = secrets.token_bytes(16)
        return cls(salt, _scrypt(password, salt))

    def matches(self, attempt: str) -> bool:
        """Whether `attempt` is the password; the time taken does not depend on where they differ."""
        return hmac.compare_digest(_scrypt(attempt, self.salt), self.digest)

    @property
    def fingerprint(self) -> str:
        """Short tag of this password: sessions signed under another password do not load."""
        return hashlib.sha256(self.digest).hexdigest()[:16]


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)


def parse_secret(text: str) -> str:
    """The password from a secret's string: the whole string, or the `password` field of a JSON object.

    CDK's generated secrets are JSON (`generate_string_key="password"`); a hand-made one is often plain.
    """
    value = text
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)["password"]
        except (ValueError, KeyError, TypeError) as error:
            raise ConsolePasswordError('the console secret is JSON without a string "password" field') from error
        if not isinstance(value, str):
            raise ConsolePasswordError('the console secret\'s "password" field must be a string')
    if len(value) < PASSWORD_MIN:
        raise ConsolePasswordError(f"the console password needs at least {PASSWORD_MIN} characters")
    return value


def console_password(
    settings: FrontendSettings,
    fetch_secret: Callable[[str], str],
    announce: Callable[[str], None] | None = None,
) -> str:
    """The password: from the setting, else from Secrets Manager, else a new one announced on stderr.

    A password made up at start is what a local user expects from a dev server (Jupyter does the
    same): nothing to configure, nothing guessable, and it is shown where they started the app.
    """
    if settings.console_password is not None:
        return settings.console_password.get_secret_value()
    if settings.console_password_secret_name:
        return parse_secret(fetch_secret(settings.console_password_secret_name))
    password = secrets.token_urlsafe(12)
    (announce or _to_stderr)(
        f"storyteller console: no STORYTELLER_CONSOLE_PASSWORD set; the password for this run is {password}"
    )
    return password


def session_key(settings: FrontendSettings, fetch_secret: Callable[[str], str]) -> str:
    """The cookie-signing key: the setting, else its Secrets Manager secret, else random for this process."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    if settings.session_secret_name:
        return fetch_secret(settings.session_secret_name)
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ConsoleKeys:
    """The console's password check and its cookie signer."""

    password: PasswordCheck
    sessions: Sessions


def console_keys(
    settings: FrontendSettings,
    fetch_secret: Callable[[str], str],
    announce: Callable[[str], None] | None = None,
) -> Callable[[], ConsoleKeys]:
    """The console's keys, made at its first request and kept for the process.

    Reading their two secrets and hashing the password (scrypt, ~50 ms) is work no story page needs, and in
    AWS the web function's cold start is a story page's first view (issue 25). A password made up for this
    run is made and announced at once: the user needs it before their first visit.
    """
    made_up = None
    if settings.console_password is None and not settings.console_password_secret_name:
        made_up = console_password(settings, fetch_secret, announce)
    made: ConsoleKeys | None = None
    lock = threading.Lock()  # two first requests at once must not make two keys

    def keys() -> ConsoleKeys:
        nonlocal made
        with lock:
            if made is None:
                check = PasswordCheck.of(made_up or console_password(settings, fetch_secret))
                key = session_key(settings, fetch_secret)
                made = ConsoleKeys(check, Sessions(key, check, int(settings.console_session_hours * 3600)))
            return made

    return keys


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class ConsoleSession:
    """What the console's cookie carries: the CSRF token, whether the holder logged in, one notice."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    operator: bool = False
    notice: str | None = None

    def take_notice(self) -> str | None:
        """The message left for the next page (shown once)."""
        notice, self.notice = self.notice, None
        return notice


class Sessions:
    """Signed (not encrypted) session cookies; nothing secret is stored in them."""

    def __init__(self, secret: str, password: PasswordCheck, max_age_seconds: int) -> None:
        salt = f"storyteller.console.{password.fingerprint}"
        self._serializer = URLSafeTimedSerializer(secret, salt=salt)
        self.max_age = max_age_seconds
        # Logged-out sessions (by their CSRF token, unique per login) until their cookie would have expired:
        # a copied cookie is worth nothing after logout. Kept in this process: one instance serves the console.
        self._revoked: dict[str, float] = {}
        self._revoked_lock = threading.Lock()

    def revoke(self, session: ConsoleSession) -> None:
        """End a session on the server: its cookie no longer loads, even if someone kept a copy."""
        now = time.monotonic()
        with self._revoked_lock:
            self._revoked = {token: until for token, until in self._revoked.items() if until > now}
            self._revoked[session.csrf] = now + self.max_age

    def _is_revoked(self, token: str) -> bool:
        with self._revoked_lock:
            until = self._revoked.get(token)
        return until is not None and until > time.monotonic()

    def load(self, request: Request) -> ConsoleSession | None:
        """The request's valid session, or None (absent, tampered, expired, or from another password)."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data: Any = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str) or self._is_revoked(data["csrf"]):
            return None
        notice = data.get("notice")
        return ConsoleSession(
            csrf=data["csrf"],
            operator=data.get("operator") is True,
            notice=notice if isinstance(notice, str) else None,
        )

    def store(self, response: Response, request: Request, session: ConsoleSession) -> None:
        """Set the cookie: HttpOnly, SameSite=Lax, Secure except over plain http on a loopback socket."""
        value = self._serializer.dumps({"csrf": session.csrf, "operator": session.operator, "notice": session.notice})
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age,
            path=COOKIE_PATH,
            httponly=True,
            secure=cookie_must_be_secure(request.scope),
            samesite="lax",
        )

    def clear(self, response: Response, request: Request) -> None:
        """Remove the cookie (logout)."""
        response.delete_cookie(
            COOKIE, path=COOKIE_PATH, httponly=True, secure=cookie_must_be_secure(request.scope), samesite="lax"
        )


def cookie_must_be_secure(scope: MutableMapping[str, Any]) -> bool:
    """False only for plain http served on a loopback socket (`storyteller up`, tests).

    The server's own socket address decides, not the client-controlled Host header; behind a TLS
    proxy uvicorn's proxy headers make the scheme https, so the cookie is Secure there.
    """
    if scope.get("scheme") == "https":
        return True
    server = scope.get("server")
    if not server:
        return True
    try:
        return not ipaddress.ip_address(str(server[0])).is_loopback
    except ValueError:
        return str(server[0]) != "localhost"


def csrf_ok(session: ConsoleSession | None, submitted: str | None) -> bool:
    """The form's token is the session's, compared in constant time."""
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())


def same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, names this site (defence in depth beside the token)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def client_address(request: Request, header: str | None = None) -> str:
    """Whose login attempt this is, for the throttle: never a header a client can choose.

    In AWS `header` names the one the front door overwrites with the viewer's address (CloudFront sends
    `ip` or `ip:port`); locally it is None and the socket's peer counts (uvicorn runs without proxy
    headers, so `X-Forwarded-For` changes nothing). IPv6 clients count by their /64, which one host
    usually holds whole: otherwise each of its addresses would get its own ten guesses.
    """
    value = request.headers.get(header) if header else None
    if value is None:
        value = request.client.host if request.client else "unknown"
    address = _ip(value.strip())
    if address is None:
        return value.strip()[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in `ip`, `ip:port` or `[ip]:port`."""
    candidates = [value, value.rpartition(":")[0], value.removeprefix("[").partition("]")[0]]
    for candidate in candidates:
        try:
            return ipaddress.ip_address(candidate)
        except ValueError:
            continue
    return None


class LoginThrottle:
    """After `limit` wrong passwords from one client within `window` seconds, refuse that client's logins.

    Per client address, so a guesser elsewhere cannot lock the operator out; scrypt already makes each
    guess dear. The table is bounded: the oldest addresses are forgotten first.
    """

    def __init__(
        self,
        limit: int = 10,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self._limit, self._window, self._clock, self._max_clients = limit, window, clock, max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allowed(self, client: str) -> bool:
        with self._lock:
            failures = self._recent(client)
            return len(failures) < self._limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self._clock())
            while len(self._failures) > self._max_clients:
                self._failures.pop(next(iter(self._failures)))

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        horizon = self._clock() - self._window
        while failures and failures[0] < horizon:
            failures.popleft()
        return failures
