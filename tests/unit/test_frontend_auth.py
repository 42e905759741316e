"""Console login pieces: hashed password, where it comes from, cookies, CSRF and the throttle."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from frontend import auth
from frontend.settings import FrontendSettings


def _request(scheme: str = "https", server: tuple[str, int] | None = ("10.0.0.7", 8080), cookie: str = "") -> Request:
    headers = [(b"host", b"stories.example")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return Request({"type": "http", "scheme": scheme, "server": server, "headers": headers, "path": "/console"})


def test_the_password_is_kept_only_as_a_salted_hash_and_compared_whole() -> None:
    check = auth.PasswordCheck.of("moonlight-operator")

    assert check.matches("moonlight-operator")
    assert not check.matches("moonlight-operatoR")
    assert not check.matches("")
    assert b"moonlight" not in check.digest
    assert auth.PasswordCheck.of("moonlight-operator").digest != check.digest  # a new salt each time


def test_the_secret_may_be_the_password_or_cdk_json() -> None:
    assert auth.parse_secret("correct horse battery") == "correct horse battery"
    assert auth.parse_secret('{"password": "correct horse battery", "username": "x"}') == "correct horse battery"
    for bad in ('{"user": "x"}', '{"password": 12345678}', "{not json", "short"):
        with pytest.raises(auth.ConsolePasswordError):
            auth.parse_secret(bad)


def test_the_setting_wins_then_secrets_manager_then_a_made_up_one_shown_once() -> None:
    fetched: list[str] = []

    def fetch(name: str) -> str:
        fetched.append(name)
        return '{"password": "from-secrets-manager"}'

    said: list[str] = []
    both = FrontendSettings(console_password="from-the-setting", console_password_secret_name="console")
    assert auth.console_password(both, fetch, said.append) == "from-the-setting"
    assert fetched == []
    secret_only = FrontendSettings(console_password_secret_name="storyteller/console")
    assert auth.console_password(secret_only, fetch, said.append) == "from-secrets-manager"
    assert fetched == ["storyteller/console"]
    assert said == []

    made_up = auth.console_password(FrontendSettings(), fetch, said.append)

    assert len(made_up) >= 16
    assert said == [f"storyteller console: no STORYTELLER_CONSOLE_PASSWORD set; the password for this run is {made_up}"]


def test_weak_settings_fail_at_start_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="STORYTELLER_CONSOLE_PASSWORD needs at least 8"):
        FrontendSettings(console_password="abc")
    with pytest.raises(ValidationError, match="STORYTELLER_SESSION_SECRET needs at least 32"):
        FrontendSettings(session_secret="too-short")


@pytest.mark.parametrize(
    ("scheme", "server", "secure"),
    [
        ("https", ("10.0.0.7", 8080), True),
        ("https", ("127.0.0.1", 8000), True),
        ("http", ("10.0.0.7", 8080), True),  # a server behind a TLS front
        ("http", ("0.0.0.0", 8080), True),
        ("http", ("127.0.0.1", 8000), False),  # storyteller up, the browser tests
        ("http", ("::1", 8000), False),
        ("http", ("localhost", 8000), False),
        ("http", ("testserver", 80), True),
        ("http", None, True),
    ],
)
def test_the_cookie_is_secure_except_over_http_on_a_loopback_socket(
    scheme: str, server: tuple[str, int] | None, secure: bool
) -> None:
    assert auth.cookie_must_be_secure(_request(scheme, server).scope) is secure


def test_the_session_cookie_is_httponly_lax_scoped_to_the_console_and_signed() -> None:
    check = auth.PasswordCheck.of("moonlight-operator")
    sessions = auth.Sessions("s" * 32, check, max_age_seconds=3600)
    response = Response()
    session = auth.ConsoleSession(operator=True, notice="hello")

    sessions.store(response, _request(), session)

    header = response.headers["set-cookie"]
    assert header.startswith(f"{auth.COOKIE}=")
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/console", "Max-Age=3600"):
        assert flag in header
    value = header.split(";")[0].split("=", 1)[1]
    loaded = sessions.load(_request(cookie=f"{auth.COOKIE}={value}"))
    assert loaded == session
    assert sessions.load(_request(cookie=f"{auth.COOKIE}={value[:-2]}xx")) is None  # tampered
    other_password = auth.Sessions("s" * 32, auth.PasswordCheck.of("a-new-password"), 3600)
    assert other_password.load(_request(cookie=f"{auth.COOKIE}={value}")) is None
    other_key = auth.Sessions("t" * 32, check, 3600)
    assert other_key.load(_request(cookie=f"{auth.COOKIE}={value}")) is None


def test_csrf_tokens_must_match_the_session() -> None:
    session = auth.ConsoleSession()

    assert auth.csrf_ok(session, session.csrf)
    assert not auth.csrf_ok(session, auth.ConsoleSession().csrf)
    assert not auth.csrf_ok(session, "")
    assert not auth.csrf_ok(session, None)
    assert not auth.csrf_ok(None, session.csrf)
    assert len(session.csrf) >= 40


def test_a_foreign_origin_is_refused_and_no_origin_is_left_to_the_token() -> None:
    def with_origin(origin: str | None) -> Request:
        headers = [(b"host", b"stories.example")]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        return Request({"type": "http", "headers": headers})

    assert auth.same_origin(with_origin("https://stories.example"))
    assert auth.same_origin(with_origin(None))
    assert not auth.same_origin(with_origin("https://evil.example"))
    assert not auth.same_origin(with_origin("null"))


def test_the_throttle_refuses_after_ten_misses_then_forgives() -> None:
    now = [1000.0]
    throttle = auth.LoginThrottle(limit=10, window=300, clock=lambda: now[0])
    for _ in range(9):
        throttle.failed("203.0.113.9")
    assert throttle.allowed("203.0.113.9")
    throttle.failed("203.0.113.9")
    assert not throttle.allowed("203.0.113.9")
    now[0] += 301
    assert throttle.allowed("203.0.113.9")


def test_a_guesser_does_not_lock_the_operator_out_from_another_address() -> None:
    throttle = auth.LoginThrottle(limit=10, window=300, clock=lambda: 1000.0)
    for _ in range(50):
        throttle.failed("203.0.113.9")
    assert not throttle.allowed("203.0.113.9")
    assert throttle.allowed("198.51.100.7")


def test_the_throttle_forgets_the_oldest_addresses_first() -> None:
    throttle = auth.LoginThrottle(limit=1, window=300, clock=lambda: 1000.0, max_clients=3)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        throttle.failed(address)
    assert throttle.allowed("10.0.0.1")  # forgotten
    assert not throttle.allowed("10.0.0.4")
