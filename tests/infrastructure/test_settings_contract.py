"""Every setting a function or the web app reads in AWS is in its template environment, and every name and ARN
there points at a resource of the stack. A setting left to its local default in AWS is a first-night bug."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller.settings import Settings
from tests.infrastructure.conftest import Synthesized
from tests.unit.test_frontend_pages import Presigner, Shelf, story

pytestmark = pytest.mark.infra

# Settings whose local default names something that only exists locally, or a choice the deployer makes.
# In AWS each must come from the template (a test below proves the list is not stale).
FUNCTION_SETTINGS = {
    "STORYTELLER_STORIES_TABLE",
    "STORYTELLER_CHARACTERS_TABLE",
    "STORYTELLER_SCENES_TABLE",
    "STORYTELLER_FIRINGS_TABLE",
    "STORYTELLER_MEMORY_TABLE",
    "STORYTELLER_MEDIA_BUCKET",
    "STORYTELLER_BASE_URL",
    "STORYTELLER_PROVIDERS",
    "STORYTELLER_OPENAI_SECRET_NAME",
    "STORYTELLER_TEXT_MODEL",
    "STORYTELLER_IMAGE_MODEL",
    "STORYTELLER_VOICE",
}
# Lambda sets AWS_REGION itself; the function's own environment carries the rest.
WEB_SETTINGS = {
    "STORYTELLER_STORIES_TABLE",
    "STORYTELLER_FAMILIES_TABLE",
    "STORYTELLER_FIRINGS_TABLE",
    "STORYTELLER_MEDIA_BUCKET",
    "STORYTELLER_STATE_MACHINE_ARN",
    "STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME",
    "STORYTELLER_SESSION_SECRET_NAME",
    "STORYTELLER_ORIGIN_SECRET_NAME",
    "STORYTELLER_SCHEDULE_TIME_ZONE",
    "STORYTELLER_PUBLIC_SHELF",
}


def _setting_names(*models: Any) -> set[str]:
    found = set()
    for model in models:
        for name in model.model_fields:
            found.add(model.environment_name(name))
    return found


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    stack = synthesized.stack
    constructs = {
        "create_story": stack.pipeline.create_story,
        "generate_image": stack.workflow.illustrate,
        "generate_audio": stack.workflow.narrate,
    }
    resources = synthesized.json["Resources"]
    return {
        name: resources[synthesized.logical_id(c.function)]["Properties"]["Environment"]["Variables"]
        for name, c in constructs.items()
    }


def _web(synthesized: Synthesized) -> dict[str, Any]:
    resources = synthesized.json["Resources"]
    variables: dict[str, Any] = resources[synthesized.logical_id(synthesized.stack.frontend.web.function)][
        "Properties"
    ]["Environment"]["Variables"]
    return variables


def _references(value: Any) -> list[str]:
    """Logical ids a template value refers to (Ref, Fn::GetAtt), wherever they sit inside it."""
    if isinstance(value, dict):
        if "Ref" in value:
            return [value["Ref"]]
        if "Fn::GetAtt" in value:
            return [value["Fn::GetAtt"][0]]
        return [ref for inner in value.values() for ref in _references(inner)]
    if isinstance(value, list):
        return [ref for inner in value for ref in _references(inner)]
    return []


def test_every_function_gets_the_settings_aws_needs(synthesized: Synthesized) -> None:
    for function, variables in _functions(synthesized).items():
        missing = FUNCTION_SETTINGS - set(variables)
        assert not missing, f"{function} would run with local defaults for {sorted(missing)}"


def test_the_pages_get_the_settings_aws_needs(synthesized: Synthesized) -> None:
    missing = WEB_SETTINGS - set(_web(synthesized))
    assert not missing, f"the pages would run with local defaults for {sorted(missing)}"


def test_every_variable_is_a_setting_the_code_reads(synthesized: Synthesized) -> None:
    known = _setting_names(Settings, FrontendSettings) | {"POWERTOOLS_LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"}
    # Read by the console's login throttle from issue 30 (FrontendSettings.client_address_header), merged apart.
    known |= {"STORYTELLER_CLIENT_ADDRESS_HEADER"}
    for function, variables in [*_functions(synthesized).items(), ("web", _web(synthesized))]:
        unknown = {name for name in variables if name.startswith("STORYTELLER_")} - known
        assert not unknown, f"{function}: no setting reads {sorted(unknown)} (a typo?)"
    assert not (FUNCTION_SETTINGS | WEB_SETTINGS) - known - {"AWS_REGION"}, (
        "the lists above name a setting that is gone"
    )


def test_every_name_and_arn_points_at_a_resource_of_the_stack(synthesized: Synthesized) -> None:
    resources = set(synthesized.json["Resources"])
    pseudo = {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName"}
    for function, variables in [*_functions(synthesized).items(), ("web", _web(synthesized))]:
        for name, value in variables.items():
            for ref in _references(value):
                assert ref in resources or ref in pseudo, f"{function}: {name} points at {ref}, not in the stack"


def test_the_home_page_lists_no_story_in_aws(synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shelf is off as deployed: anyone with the URL would see titles and the children's names."""
    monkeypatch.setenv("STORYTELLER_PUBLIC_SHELF", _web(synthesized)["STORYTELLER_PUBLIC_SHELF"])
    app = create_app(
        Settings(),
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=Shelf(story(title="Pip and the Counting Stars")),
        media=Presigner(),
    )
    page = TestClient(app).get("/")
    assert page.status_code == 200
    assert "Pip and the Counting Stars" not in page.text
    assert "/stories/s1" not in page.text


def test_the_pages_show_dates_in_the_schedules_zone(synthesized: Synthesized) -> None:
    assert _web(synthesized)["STORYTELLER_SCHEDULE_TIME_ZONE"] == synthesized.context["scheduleTimeZone"]


def test_console_sessions_are_signed_with_a_key_every_instance_shares(synthesized: Synthesized) -> None:
    secret = _web(synthesized)["STORYTELLER_SESSION_SECRET_NAME"]
    assert _references(secret) == [synthesized.logical_id(synthesized.stack.frontend.session_secret)]
