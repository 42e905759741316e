"""The console over recorded executions: login, runs list, one run, and Retry's rules. No I/O."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient
from httpx import Response

from frontend.app import create_app
from frontend.graph import PALETTE
from frontend.history import StateStatus
from frontend.runs import Runs
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.flow.workflow import definition_text
from storyteller.mail import Delivery
from storyteller.models import NightFailure
from storyteller.settings import Settings
from tests.unit.frontend_histories import recorded
from tests.unit.test_frontend_pages import Shelf, story

PASSWORD = "moonlight-operator"
MACHINE = f"arn:aws:states:eu-west-2:123456789012:stateMachine:{names.STATE_MACHINE}"


class FakeStepFunctions:
    """The Step Functions calls the console makes, answered from recorded executions."""

    def __init__(self, *recordings: str) -> None:
        self.executions: dict[str, dict[str, Any]] = {}
        self.histories: dict[str, list[dict[str, Any]]] = {}
        for name in recordings:
            execution, events = recorded(name)
            self.executions[execution["executionArn"]] = execution
            self.histories[execution["executionArn"]] = events
        self.redriven: list[str] = []
        self.refuse_redrive = False

    def get_paginator(self, operation: str) -> Any:
        fake = self

        class Paginator:
            def paginate(self, **request: Any) -> list[dict[str, Any]]:
                if operation == "list_state_machines":
                    return [
                        {
                            "stateMachines": [
                                {"name": "other", "stateMachineArn": "x"},
                                {"name": names.STATE_MACHINE, "stateMachineArn": MACHINE},
                            ]
                        }
                    ]
                if operation == "list_executions":
                    request.pop("PaginationConfig", None)
                    return [fake.list_executions(**request)]
                return [{"events": fake.histories[request["executionArn"]]}]

        return Paginator()

    def list_executions(self, **request: Any) -> dict[str, Any]:
        assert request["stateMachineArn"] == MACHINE
        rows = [
            {key: execution[key] for key in ("executionArn", "name", "status", "startDate") if key in execution}
            for execution in self.executions.values()
            if request.get("statusFilter") in (None, execution["status"])
        ]
        return {"executions": rows}

    def describe_execution(self, executionArn: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        if executionArn not in self.executions:
            raise ClientError({"Error": {"Code": "ExecutionDoesNotExist", "Message": "no"}}, "DescribeExecution")
        return self.executions[executionArn]

    def describe_state_machine_for_execution(self, executionArn: str) -> dict[str, Any]:  # noqa: N803
        return {"definition": definition_text()}

    def describe_state_machine(self, stateMachineArn: str) -> dict[str, Any]:  # noqa: N803
        return {"definition": definition_text()}

    def redrive_execution(self, executionArn: str) -> dict[str, Any]:  # noqa: N803
        if self.refuse_redrive:
            raise ClientError(
                {"Error": {"Code": "ExecutionNotRedrivable", "Message": "Execution is RUNNING"}}, "RedriveExecution"
            )
        self.redriven.append(executionArn)
        self.executions[executionArn] = {**self.executions[executionArn], "status": "RUNNING", "redriveCount": 1}
        return {}


def _story_of(sfn: FakeStepFunctions, recording: str) -> Any:
    execution, _ = recorded(recording)
    event = json.loads(execution["input"])
    return story(event["id"], title=event["title"])


def make_client(
    sfn: FakeStepFunctions,
    *,
    arn_setting: str | None = None,
    base_url: str = "https://testserver",
    deliveries: Any = None,
    night_failures: list[NightFailure] | None = None,
) -> TestClient:
    stories = Shelf(*(_story_of(sfn, name) for name in ("failed", "succeeded")))
    app = create_app(
        Settings(),
        FrontendSettings(console_password=PASSWORD, state_machine_arn=arn_setting),
        stories=stories,
        runs=Runs(lambda: sfn, arn_setting, names.STATE_MACHINE),
        deliveries=deliveries or NoEmailsYet(),
        night_failures=lambda: list(night_failures or []),
    )
    return TestClient(app, base_url=base_url, follow_redirects=False)


class NoEmailsYet:
    """The Deliveries table before any story was mailed."""

    def of_story(self, story_id: str) -> list[Delivery]:
        return []


def csrf(page: Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def log_in(client: TestClient, next_path: str = "/console") -> Response:
    form = client.get("/console/login", params={"next": next_path})
    return client.post("/console/login", data={"csrf": csrf(form), "password": PASSWORD, "next": next_path})


def run_name(recording: str) -> str:
    return str(recorded(recording)[0]["name"])


@pytest.fixture
def sfn() -> FakeStepFunctions:
    return FakeStepFunctions("succeeded", "failed", "retried")


def test_every_console_page_asks_for_a_login_first(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)

    for path in ("/console", "/console?status=FAILED", f"/console/runs/{run_name('failed')}"):
        answer = client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/login?next=%2Fconsole")
    answer = client.post(f"/console/runs/{run_name('failed')}/retry", data={"csrf": "x"})
    assert answer.status_code == 303
    assert sfn.redriven == []


def test_logging_in_needs_the_form_token_and_the_password(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    form = client.get("/console/login")
    assert "Set-Cookie" in form.headers or "set-cookie" in form.headers

    forged = client.post("/console/login", data={"csrf": "forged", "password": PASSWORD})
    wrong = client.post("/console/login", data={"csrf": csrf(form), "password": "nope-nope"})

    assert forged.status_code == 403
    assert wrong.status_code == 401
    assert "That password is not right." in wrong.text
    right = client.post(
        "/console/login", data={"csrf": csrf(wrong), "password": PASSWORD, "next": "/console?status=FAILED"}
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/console?status=FAILED"
    cookie = right.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/console"):
        assert flag in cookie
    assert client.get("/console").status_code == 200


def test_login_never_sends_you_off_the_console(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    for target in ("//evil.example/console", "https://evil.example", "/stories/x", "/console\\@evil"):
        answer = log_in(client, target)
        assert answer.headers["location"] == "/console", target
        client.cookies.clear()


def test_the_cookie_is_secure_when_not_on_loopback_even_over_http(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn, base_url="http://testserver")

    assert "Secure" in client.get("/console/login").headers["set-cookie"]


def test_the_runs_list_is_newest_first_with_titles_and_a_status_filter(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    page = client.get("/console")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    rows = re.findall(r'<span class="badge (\w+)">', page.text)
    assert rows == ["succeeded", "failed", "succeeded"]  # retried (newest), failed, succeeded
    # Titles come from the Stories table: the retried run's story is not there, so its row shows the run's name.
    assert page.text.count("The Lantern and the Lullaby") == 2
    assert run_name("retried")[:8] in page.text
    failed_only = client.get("/console?status=FAILED")
    assert re.findall(r'<span class="badge (\w+)">', failed_only.text) == ["failed"]
    assert 'aria-current="page">Failed' in failed_only.text
    assert "No aborted runs." in client.get("/console?status=ABORTED").text
    assert client.get("/console?status=<script>").status_code == 200  # unknown filter: all runs


def test_the_state_machine_is_found_by_name_or_taken_from_the_setting(sfn: FakeStepFunctions) -> None:
    by_setting = make_client(sfn, arn_setting=MACHINE)
    log_in(by_setting)
    assert by_setting.get("/console").status_code == 200

    empty = FakeStepFunctions()
    empty.get_paginator = lambda operation: type("P", (), {"paginate": lambda self: [{"stateMachines": []}]})()  # type: ignore[method-assign]
    missing = make_client(empty)
    log_in(missing)
    page = missing.get("/console")
    assert page.status_code == 503
    assert "STORYTELLER_STATE_MACHINE_ARN" in page.text


def test_a_failed_run_shows_its_graph_states_error_input_and_a_retry_button(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    page = client.get(f"/console/runs/{run_name('failed')}")

    assert page.status_code == 200
    html = page.text
    assert 'id="run-status">FAILED' in html
    assert 'data-state="Narrate" data-status="failed"' in html
    assert 'data-state="Illustrate" data-status="succeeded"' in html
    assert 'data-state="SaveMedia" data-status="not-reached"' in html
    assert "speech engine crashed" in html
    assert f'action="/console/runs/{run_name("failed")}/retry"' in html
    # The recorded input is a version 2 event: its id shows, its title only from the table (the h1).
    assert f"&#34;id&#34;: &#34;{_story_of(sfn, 'failed').id}&#34;" in html
    assert "&#34;title&#34;: &#34;The Lantern and the Lullaby&#34;" not in html
    assert 'id="story-status">IN_PROGRESS' not in html  # the fake story is COMPLETE
    assert '<meta http-equiv="refresh"' not in html


def test_a_failed_run_page_draws_its_graph_with_the_failed_state_marked(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    html = client.get(f"/console/runs/{run_name('failed')}").text

    start = html.index('<svg role="img" aria-labelledby="graph-title"')
    svg = html[start : html.index("</svg>", start)]
    assert 'href="?state=Narrate#state"' in svg
    assert f'fill="{PALETTE[StateStatus.FAILED][0]}"' in svg


def test_a_retried_state_and_a_succeeded_run_have_no_retry_button(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    html = client.get(f"/console/runs/{run_name('retried')}").text

    assert 'data-state="Illustrate" data-status="retried"' in html
    assert "ProviderUnavailableError" in html
    assert "/retry" not in html


def test_retry_redrives_a_failed_run_once_and_says_so(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    name = run_name("failed")
    page = client.get(f"/console/runs/{name}")

    answer = client.post(f"/console/runs/{name}/retry", data={"csrf": csrf(page)})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/runs/{name}"
    assert sfn.redriven == [recorded("failed")[0]["executionArn"]]
    after = client.get(f"/console/runs/{name}")
    assert "Retry started" in after.text
    assert '<meta http-equiv="refresh" content="2">' in after.text  # it is running again
    assert "Retry started" not in client.get(f"/console/runs/{name}").text  # said once

    again = client.post(f"/console/runs/{name}/retry", data={"csrf": csrf(after)})

    assert again.status_code == 303
    assert len(sfn.redriven) == 1
    assert (
        "This run is still running (perhaps a retry already started). Nothing was changed."
        in client.get(f"/console/runs/{name}").text
    )


def test_retry_of_a_run_that_did_not_fail_changes_nothing(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    name = run_name("succeeded")
    token = csrf(client.get(f"/console/runs/{name}"))

    client.post(f"/console/runs/{name}/retry", data={"csrf": token})

    assert sfn.redriven == []
    assert (
        "This run succeeded, so there is nothing to retry. Nothing was changed."
        in client.get(f"/console/runs/{name}").text
    )


def test_a_retry_step_functions_refuses_is_reported_not_raised(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    name = run_name("failed")
    token = csrf(client.get(f"/console/runs/{name}"))
    sfn.refuse_redrive = True

    client.post(f"/console/runs/{name}/retry", data={"csrf": token})

    assert (
        "Step Functions refused the retry: Execution is RUNNING. Nothing was changed."
        in client.get(f"/console/runs/{name}").text
    )


def test_retry_without_the_pages_token_or_from_another_site_is_refused(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    name = run_name("failed")
    token = csrf(client.get(f"/console/runs/{name}"))

    forged = client.post(f"/console/runs/{name}/retry", data={"csrf": "forged"})
    missing = client.post(f"/console/runs/{name}/retry", data={})
    cross_site = client.post(
        f"/console/runs/{name}/retry", data={"csrf": token}, headers={"origin": "https://evil.example"}
    )

    assert [forged.status_code, missing.status_code, cross_site.status_code] == [403, 403, 403]
    assert "Nothing was changed" in forged.text
    assert sfn.redriven == []


def test_unknown_runs_and_odd_names_get_a_404(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    for name in ("no-such-run", "bad:name", "x" * 81):
        page = client.get(f"/console/runs/{name}")
        assert page.status_code == 404, name
        assert "No such run" in page.text
    token = csrf(client.get("/console"))
    client.post("/console/runs/bad:name/retry", data={"csrf": token})
    assert sfn.redriven == []


def test_a_redriven_run_shows_the_redrive_and_its_new_outcome() -> None:
    sfn = FakeStepFunctions("redriven")
    client = make_client(sfn)
    log_in(client)

    html = client.get(f"/console/runs/{run_name('redriven')}").text

    assert 'id="run-status">SUCCEEDED' in html
    assert "retried 1&times;" in html
    assert '<tr class="redriven">' in html
    assert "entered 2&times;" in html


def test_logout_ends_the_session(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    token = csrf(client.get("/console"))

    assert client.post("/console/logout", data={"csrf": "forged"}).status_code == 403
    answer = client.post("/console/logout", data={"csrf": token})

    assert answer.status_code == 303
    assert "Max-Age=0" in answer.headers["set-cookie"] or "expires=" in answer.headers["set-cookie"].lower()
    client.cookies.clear()
    assert client.get("/console").status_code == 303


def test_a_cookie_kept_after_logout_opens_nothing(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    kept = dict(client.cookies)
    token = csrf(client.get("/console"))
    assert client.post("/console/logout", data={"csrf": token}).status_code == 303

    client.cookies.clear()
    client.cookies.update(kept)  # someone copied the cookie before the operator logged out
    answer = client.get("/console")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")


def test_recorded_input_stays_intact(sfn: FakeStepFunctions) -> None:
    before = copy.deepcopy((sfn.executions, sfn.histories))
    client = make_client(sfn)
    log_in(client)

    assert client.get("/console").status_code == 200
    for arn in sfn.executions:  # each run page parses the run's input and its history
        name = arn.rsplit(":", 1)[1]
        assert client.get(f"/console/runs/{name}").status_code == 200
        assert client.get(f"/console/runs/{name}", params={"state": "Illustrate"}).status_code == 200

    assert (sfn.executions, sfn.histories) == before


def test_the_runs_and_nights_pages_filter_by_family(sfn: FakeStepFunctions) -> None:
    # The failed run is the Smiths' (a version 2 event); the others are from before households (version 1).
    failed = next(arn for arn, execution in sfn.executions.items() if execution["status"] == "FAILED")
    event = json.loads(sfn.executions[failed]["input"])
    sfn.executions[failed]["input"] = json.dumps(
        event | {"version": "2", "family": {"id": "smiths", "shelf": "/shelf/smiths/token"}}
    )
    client = make_client(sfn)
    log_in(client)

    everyone = client.get("/console").text
    smiths = client.get("/console?family=smiths").text
    default = client.get("/console?family=default").text

    assert re.findall(r'<span class="badge (\w+)">', everyone) == ["succeeded", "failed", "succeeded"]
    assert re.findall(r'<span class="badge (\w+)">', smiths) == ["failed"]
    assert re.findall(r'<span class="badge (\w+)">', default) == ["succeeded", "succeeded"]
    assert '<a href="/console?family=smiths">smiths</a>' in everyone  # a row's family narrows the list
    assert "Family <strong>smiths</strong> only" in smiths
    assert "No runs of family okafor" in client.get("/console?family=okafor").text
    assert re.findall(r'<span class="badge (\w+)">', client.get("/console?family=Bad!").text) == [
        "succeeded",
        "failed",
        "succeeded",
    ]  # an id no family can have is ignored, not an error
    nights = client.get("/console/nights.json?family=smiths").json()
    assert [run["family"] for run in nights] == ["smiths"]


def test_a_version_2_runs_history_and_export_show_no_story_content(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    execution, events = recorded("failed")
    text = json.loads(execution["input"])["text"]
    names_in_cast = [character["name"] for character in json.loads(execution["input"])["characters"]]
    recorded_text = json.dumps(events, default=str)
    assert all(line in recorded_text for line in text.splitlines())  # the recording holds the story in its data

    page = client.get(f"/console/runs/{run_name('failed')}").text
    exported = client.get(f"/console/runs/{run_name('failed')}/history.json").json()
    history = json.dumps(exported["events"]) + json.dumps(exported["execution"])

    for line in text.splitlines():
        assert line not in history
        assert line.replace("'", "&#39;") not in page
    for name in names_in_cast:
        assert f'"name": "{name}"' not in history
    # While the story lives, the title and cast come from the table (the fake shelf's story).
    shelf_story = _story_of(sfn, "failed")
    assert exported["story"] == {
        "id": shelf_story.id,
        "expired": False,
        "title": shelf_story.title,
        "cast": [character.name for character in shelf_story.characters],
        "status": "COMPLETE",
    }
    assert 'id="story-cast">Cast: ' + ", ".join(c.name for c in shelf_story.characters) in page


def test_a_run_whose_story_expired_says_so_and_shows_only_ids(sfn: FakeStepFunctions) -> None:
    execution, _ = recorded("failed")
    event = json.loads(execution["input"])
    expired = story(event["id"], title=event["title"], age=timedelta(days=3))
    app = create_app(
        Settings(),
        FrontendSettings(console_password=PASSWORD),
        stories=Shelf(expired),
        runs=Runs(lambda: sfn, None, names.STATE_MACHINE),
    )
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    log_in(client)

    page = client.get(f"/console/runs/{run_name('failed')}").text
    exported = client.get(f"/console/runs/{run_name('failed')}/history.json").json()
    listed = client.get("/console").text
    nights_page = client.get("/console/nights").text

    assert 'id="story-expired"' in page
    assert exported["story"] == {"id": event["id"], "expired": True}
    for shown in (page, json.dumps(exported), listed, nights_page):
        assert event["title"] not in shown
        assert event["text"].splitlines()[0] not in shown
