"""The web function as packaged in cdk.out, on CPython 3.13, answering the events CloudFront's origin sends.

The handler is imported from the staged asset in a clean interpreter (the asset, then the Powertools layer's
release and boto3, nothing else; no `dot` on PATH) and invoked with Function URL events (payload 2.0) that
carry the headers CloudFront adds. Its AWS calls go to the local endpoint, seeded with a family, a story
and a finished run: each page the front door serves is checked on its real answer.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import lambda_asset as builder
from storyteller import names
from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings
from tests.infrastructure.conftest import Synthesized
from tests.infrastructure.web_function import (
    FAMILY,
    PASSWORD,
    SECRET_NAMES,
    Seeded,
    WebFunction,
    body_of,
    cookie_pairs,
    event,
    seed,
)

pytestmark = pytest.mark.infra


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


@pytest.fixture
def seeded() -> Iterator[Seeded]:
    """The local stack (its endpoint in this process's AWS_* settings) with a family's story and its run."""
    with LocalRuntime(get_settings()) as runtime:
        yield seed(runtime)


@pytest.fixture
def web_function(synthesized: Synthesized, seeded: Seeded, tmp_path: Path) -> Iterator[WebFunction]:
    python = builder.lambda_python()
    if python is None:
        pytest.fail("the web contract test needs CPython 3.13 (pyenv install 3.13), the functions' runtime")
    [variables] = [
        resource["Properties"]["Environment"]["Variables"]
        for resource in synthesized.resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("FunctionName") == names.WEB_FUNCTION
    ]
    references = {
        **SECRET_NAMES,
        "STORYTELLER_STATE_MACHINE_ARN": seeded.state_machine_arn,
    }
    assert set(references) <= set(variables)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    asset = staged_web_asset(synthesized)
    environment = {
        # The template's literal settings as deployed; table and bucket names are the defaults both use.
        **{key: value for key, value in variables.items() if isinstance(value, str)},
        **references,
        **{key: value for key, value in os.environ.items() if key.startswith("AWS_")},  # the local endpoint
        "AWS_LAMBDA_FUNCTION_NAME": names.WEB_FUNCTION,
        "LAMBDA_TASK_ROOT": str(asset),
        "PATH": str(empty_bin),  # no Graphviz `dot` (nor any other program) where the function could find it
        "HOME": str(tmp_path),
    }
    function = WebFunction.start(python, [str(asset), str(builder.build_runtime_stand_in())], environment)
    try:
        yield function
    finally:
        function.stop()


def test_the_packaged_web_function_serves_every_page_through_its_front_door(
    web_function: WebFunction, seeded: Seeded
) -> None:
    story_id = seeded.story_id

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
    web_function: WebFunction, seeded: Seeded
) -> None:
    story_id, run_name = seeded.story_id, seeded.run_name

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
