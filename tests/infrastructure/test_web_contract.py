"""The web function as packaged in cdk.out, on CPython 3.13, answering the events CloudFront's origin sends.

The handler is imported from the staged asset in a clean interpreter (the asset, then the Powertools layer's
release and boto3, nothing else; no `dot` on PATH) and invoked with Function URL events (payload 2.0) that
carry the headers CloudFront adds. Its AWS calls go to the local endpoint, seeded with a family, a story
and a finished run: each page the front door serves is checked on its real answer.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from frontend import front_door
from infra import lambda_asset as builder
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Family
from storyteller.settings import get_settings
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra

INVOKER = Path(__file__).with_name("lambda_invoke.py")
VIEWER_HOST = "d111111abcdef8.cloudfront.net"
URL_HOST = "abcdefghij.lambda-url.eu-west-2.on.aws"
ORIGIN_SECRET = "origin-secret-" + "o" * 40
PASSWORD = "moonlight-operator"
FAMILY = Family(
    id="kiwis",
    name="The Kiwis",
    recipients=["mum@kiwis.example"],
    timeZone="Pacific/Auckland",
    at="19:30",
    shelfToken="kiwis-shelf-token-0123456789",
)


def staged_web_asset(synthesized: Synthesized) -> Path:
    """The code asset cdk.out holds for the web function (what `cdk deploy` uploads)."""
    manifest = json.loads(next(synthesized.outdir.glob("*.assets.json")).read_text())
    staged = [
        synthesized.outdir / entry["source"]["path"]
        for entry in manifest["files"].values()
        if (synthesized.outdir / entry["source"]["path"] / "functions" / "web" / "handler.py").is_file()
    ]
    assert len(staged) == 1, staged
    return staged[0]


def event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    form: dict[str, str] | None = None,
    origin_secret: str | None = ORIGIN_SECRET,
    extra_headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Function URL request as CloudFront's origin request makes it: payload 2.0, its headers added."""
    headers = {
        "host": URL_HOST,  # CloudFront sends the Function URL's own host (AllViewerExceptHostHeader)
        "x-forwarded-proto": "https",
        "x-forwarded-for": "198.51.100.7, 130.176.1.1",
        "user-agent": "Amazon CloudFront",
        front_door.FORWARDED_HOST: VIEWER_HOST,  # set by the viewer-request function
        front_door.VIEWER_ADDRESS: "198.51.100.7",
        **(extra_headers or {}),
    }
    if origin_secret is not None:
        headers[front_door.ORIGIN_HEADER] = origin_secret
    body, encoded = None, False
    if form is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
        headers["origin"] = f"https://{VIEWER_HOST}"
        body, encoded = base64.b64encode(urlencode(form).encode()).decode(), True  # as Function URLs send forms
    found: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefghij",
            "domainName": URL_HOST,
            "domainPrefix": "abcdefghij",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "130.176.1.1",
                "userAgent": "Amazon CloudFront",
            },
            "requestId": "contract",
            "routeKey": "$default",
            "stage": "$default",
            "time": "07/Dec/2026:19:15:00 +0000",
            "timeEpoch": 1_796_670_900_000,
        },
        "isBase64Encoded": encoded,
    }
    if query:
        found["queryStringParameters"] = query
    if cookies:
        found["cookies"] = cookies
    if body is not None:
        found["body"] = body
    return found


@dataclass
class WebFunction:
    """The packaged handler in its own CPython 3.13 process: one event in, its answer out."""

    process: subprocess.Popen[str]
    import_seconds: float

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the function process ended: {self.process.stderr.read() if self.process.stderr else ''}"
        reply = json.loads(line)
        assert "error" not in reply, reply["error"]
        answer: dict[str, Any] = reply["answer"]
        return answer


def body_of(answer: dict[str, Any]) -> str:
    raw = answer.get("body") or ""
    return base64.b64decode(raw).decode() if answer.get("isBase64Encoded") else str(raw)


def cookie_pairs(answer: dict[str, Any]) -> list[str]:
    """The `name=value` of each cookie the answer sets (payload 2.0 puts them in `cookies`, not headers)."""
    return [cookie.split(";", 1)[0] for cookie in answer.get("cookies", [])]


@pytest.fixture
def seeded_stack(tmp_path: Path) -> Iterator[tuple[LocalRuntime, str, str]]:
    """The local stack with the web function's secrets, a family, and one story whose run has finished."""
    from tests.browser.stack import Stack

    with LocalRuntime(get_settings()) as runtime:
        secrets = client("secretsmanager", runtime.settings.aws_region)
        secrets.create_secret(Name="web/console", SecretString=json.dumps({"password": PASSWORD}))
        secrets.create_secret(Name="web/session", SecretString="s" * 48)
        secrets.create_secret(Name="web/origin", SecretString=ORIGIN_SECRET)
        FamilyStore(runtime.settings).add(FAMILY)
        stack = Stack(runtime, base_url="")
        stack.stand_in_media()
        story = stack.add_story(title="Pip and the Southern Stars", family=FAMILY)
        outcome = stack.finish(story)
        assert outcome.status == "COMPLETE", outcome
        assert outcome.execution_arn is not None
        run_name = outcome.execution_arn.rsplit(":", 1)[-1]
        yield runtime, story.id, run_name


@pytest.fixture
def web_function(
    synthesized: Synthesized, seeded_stack: tuple[LocalRuntime, str, str], tmp_path: Path
) -> Iterator[WebFunction]:
    python = builder.lambda_python()
    if python is None:
        pytest.fail("the web contract test needs CPython 3.13 (pyenv install 3.13), the functions' runtime")
    runtime, _, _ = seeded_stack
    [variables] = [
        resource["Properties"]["Environment"]["Variables"]
        for resource in synthesized.resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("FunctionName") == names.WEB_FUNCTION
    ]
    settings = runtime.settings
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    # The template's literal settings as deployed; its references (tables, secrets) as the local stack has them.
    references = {
        "STORYTELLER_STORIES_TABLE": settings.stories_table,
        "STORYTELLER_FAMILIES_TABLE": settings.families_table,
        "STORYTELLER_CHARACTERS_TABLE": settings.characters_table,
        "STORYTELLER_SCENES_TABLE": settings.scenes_table,
        "STORYTELLER_MEDIA_BUCKET": settings.media_bucket,
        "STORYTELLER_STATE_MACHINE_ARN": runtime.resources.state_machine_arn,
        "STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME": "web/console",
        "STORYTELLER_SESSION_SECRET_NAME": "web/session",
        "STORYTELLER_ORIGIN_SECRET_NAME": "web/origin",
    }
    assert set(references) <= set(variables)
    environment = {
        **{key: value for key, value in variables.items() if isinstance(value, str)},
        **references,
        **{key: value for key, value in os.environ.items() if key.startswith("AWS_")},  # the local endpoint
        "AWS_LAMBDA_FUNCTION_NAME": names.WEB_FUNCTION,
        "LAMBDA_TASK_ROOT": str(staged_web_asset(synthesized)),
        "PATH": str(empty_bin),  # no Graphviz `dot` (nor any other program) where the function could find it
        "HOME": str(tmp_path),
    }
    assert not any(Path(folder, "dot").exists() for folder in environment["PATH"].split(":")), "dot is on PATH"
    setup = json.dumps({"paths": [environment["LAMBDA_TASK_ROOT"], str(builder.build_runtime_stand_in())],
                        "module": "functions.web.handler"})  # fmt: skip
    process = subprocess.Popen(
        [python, "-I", "-S", "-B", str(INVOKER), setup],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first, f"the handler did not import: {process.stderr.read() if process.stderr else ''}"
        yield WebFunction(process, json.loads(first)["imported"])
    finally:
        process.kill()
        process.wait(timeout=30)


def test_the_packaged_web_function_serves_every_page_through_its_front_door(
    web_function: WebFunction, seeded_stack: tuple[LocalRuntime, str, str]
) -> None:
    _, story_id, _ = seeded_stack

    health = web_function(event("GET", "/healthz"))
    assert health["statusCode"] == 200
    assert json.loads(body_of(health)) == {"status": "ok"}

    style = web_function(event("GET", "/static/style.css"))
    assert style["statusCode"] == 200
    assert style["headers"]["content-type"].startswith("text/css")
    assert "{" in body_of(style)

    home = web_function(event("GET", "/"))
    assert home["statusCode"] == 200
    assert "<html" in body_of(home)

    page = web_function(event("GET", f"/stories/{story_id}"))
    assert page["statusCode"] == 200, body_of(page)
    html = body_of(page)
    assert "Pip and the Southern Stars" in html
    assert "here until" in html

    shelf = web_function(event("GET", FAMILY.shelf_path))
    assert shelf["statusCode"] == 200
    assert "Pip and the Southern Stars" in body_of(shelf)
    assert f'href="/stories/{story_id}"' in body_of(shelf)


def test_the_console_login_post_sets_a_cookie_that_opens_the_console_and_a_run_with_its_graph(
    web_function: WebFunction, seeded_stack: tuple[LocalRuntime, str, str]
) -> None:
    _, story_id, run_name = seeded_stack

    form_page = web_function(event("GET", "/console/login"))
    assert form_page["statusCode"] == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', body_of(form_page))
    assert csrf is not None
    session = cookie_pairs(form_page)
    assert session, form_page
    assert "set-cookie" not in {key.lower() for key in form_page.get("headers", {})}

    login = web_function(
        event(
            "POST",
            "/console/login",
            cookies=session,
            form={"csrf": csrf.group(1), "password": PASSWORD, "next": "/console"},
        )
    )
    assert login["statusCode"] == 303, body_of(login)
    assert login["headers"]["location"] == "/console"
    [set_cookie] = login["cookies"]
    assert "Secure" in set_cookie  # https, as CloudFront and the Function URL serve it
    assert "HttpOnly" in set_cookie
    operator = cookie_pairs(login)

    runs = web_function(event("GET", "/console", cookies=operator))
    assert runs["statusCode"] == 200, body_of(runs)
    assert run_name in body_of(runs)

    run = web_function(event("GET", f"/console/runs/{run_name}", cookies=operator))
    assert run["statusCode"] == 200, body_of(run)
    html = body_of(run)
    graph = html[html.index('<div class="graph">') :]
    assert graph.startswith('<div class="graph"><svg role="img"')
    for state in ("CheckEvent", "Claim", "MakeMedia", "Illustrate", "Narrate", "SaveMedia", "Notify"):
        assert f'href="?state={state}#state"' in graph, state
    assert story_id in html

    # Without a session the console is not shown, however the request came in.
    assert web_function(event("GET", "/console"))["statusCode"] in (302, 303, 307)


def test_a_request_that_did_not_come_through_cloudfront_is_refused(web_function: WebFunction) -> None:
    for secret in (None, "", "a-guess"):
        answer = web_function(event("GET", "/healthz", origin_secret=secret))
        assert answer["statusCode"] == 403
        assert "Forbidden" in body_of(answer)


def test_a_form_from_another_site_is_refused_even_through_cloudfront(web_function: WebFunction) -> None:
    form_page = web_function(event("GET", "/console/login"))
    csrf = re.search(r'name="csrf" value="([^"]+)"', body_of(form_page))
    assert csrf is not None
    forged = event(
        "POST",
        "/console/login",
        cookies=cookie_pairs(form_page),
        form={"csrf": csrf.group(1), "password": PASSWORD, "next": "/console"},
    )
    forged["headers"]["origin"] = "https://evil.example"
    answer = web_function(forged)
    assert answer["statusCode"] == 403
    assert "login form had expired" in body_of(answer)
