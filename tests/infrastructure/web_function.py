"""The packaged web function in a CPython 3.13 process, the events CloudFront sends it, and a stack to serve.

Shared by tests/infrastructure/test_web_contract.py and bench/web_cold_start.py.
"""

from __future__ import annotations

import base64
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from frontend import front_door
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Family

INVOKER = Path(__file__).with_name("lambda_invoke.py")
VIEWER_HOST = "d111111abcdef8.cloudfront.net"
URL_HOST = "abcdefghij.lambda-url.eu-west-2.on.aws"
ORIGIN_SECRET = "origin-secret-" + "o" * 40
PASSWORD = "moonlight-operator"
SECRET_NAMES = {
    "STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME": "web/console",
    "STORYTELLER_SESSION_SECRET_NAME": "web/session",
    "STORYTELLER_ORIGIN_SECRET_NAME": "web/origin",
}
FAMILY = Family(
    id="kiwis",
    name="The Kiwis",
    recipients=["mum@kiwis.example"],
    timeZone="Pacific/Auckland",
    at="19:30",
    shelfToken="kiwis-shelf-token-0123456789",
)


def event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    form: dict[str, str] | None = None,
    origin_secret: str | None = ORIGIN_SECRET,
) -> dict[str, Any]:
    """A Function URL request as CloudFront's origin request makes it: payload 2.0, its headers added."""
    headers = {
        "host": URL_HOST,  # CloudFront sends the Function URL's own host (AllViewerExceptHostHeader)
        "x-forwarded-proto": "https",
        "x-forwarded-for": "198.51.100.7, 130.176.1.1",
        "user-agent": "Amazon CloudFront",
        front_door.FORWARDED_HOST: VIEWER_HOST,  # set by the viewer-request function
        front_door.VIEWER_ADDRESS: "198.51.100.7",
    }
    if origin_secret is not None:
        headers[front_door.ORIGIN_HEADER] = origin_secret
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
        "isBase64Encoded": False,
    }
    if query:
        found["queryStringParameters"] = query
    if cookies:
        found["cookies"] = cookies
    if form is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
        headers["origin"] = f"https://{VIEWER_HOST}"
        found["body"] = base64.b64encode(urlencode(form).encode()).decode()  # as Function URLs send forms
        found["isBase64Encoded"] = True
    return found


def body_of(answer: dict[str, Any]) -> str:
    """The answer's body as text (Mangum base64-encodes what is not text)."""
    raw = answer.get("body") or ""
    return base64.b64decode(raw).decode() if answer.get("isBase64Encoded") else str(raw)


def cookie_pairs(answer: dict[str, Any]) -> list[str]:
    """The `name=value` of each cookie the answer sets (payload 2.0 puts them in `cookies`, not headers)."""
    return [cookie.split(";", 1)[0] for cookie in answer.get("cookies", [])]


@dataclass(frozen=True)
class Seeded:
    """What the local stack holds for the pages: a family's story and its finished run."""

    story_id: str
    run_name: str
    state_machine_arn: str


def seed(runtime: LocalRuntime) -> Seeded:
    """The web function's secrets, a family far from the operator, and one story made through the whole flow."""
    from tests.browser.stack import Stack

    secrets = client("secretsmanager", runtime.settings.aws_region)
    values = {"web/console": json.dumps({"password": PASSWORD}), "web/session": "s" * 48, "web/origin": ORIGIN_SECRET}
    for name, value in values.items():
        secrets.create_secret(Name=name, SecretString=value)
    FamilyStore(runtime.settings).add(FAMILY)
    stack = Stack(runtime, base_url="")
    stack.stand_in_media()
    story = stack.add_story(title="Pip and the Southern Stars", family=FAMILY)
    outcome = stack.finish(story)
    if outcome.status != "COMPLETE" or outcome.execution_arn is None:
        raise RuntimeError(f"the seeded story did not finish: {outcome}")
    return Seeded(story.id, outcome.execution_arn.rsplit(":", 1)[-1], runtime.resources.state_machine_arn)


def local_references(runtime: LocalRuntime) -> dict[str, str]:
    """The web function's settings that the template fills with references, as the local stack has them."""
    settings = runtime.settings
    return {
        "STORYTELLER_STORIES_TABLE": settings.stories_table,
        "STORYTELLER_FAMILIES_TABLE": settings.families_table,
        "STORYTELLER_CHARACTERS_TABLE": settings.characters_table,
        "STORYTELLER_SCENES_TABLE": settings.scenes_table,
        "STORYTELLER_MEDIA_BUCKET": settings.media_bucket,
        "STORYTELLER_STATE_MACHINE_ARN": runtime.resources.state_machine_arn,
        **SECRET_NAMES,
    }


@dataclass
class WebFunction:
    """The packaged handler in its own process: one event in, its answer out, as one warm Lambda sandbox."""

    process: subprocess.Popen[str]
    import_seconds: float
    last_seconds: float = 0.0

    @classmethod
    def start(cls, python: str, paths: list[str], environment: dict[str, str]) -> WebFunction:
        """Import the handler (the cold start) in a clean interpreter with only `paths` to import from."""
        setup = json.dumps({"paths": paths, "module": "functions.web.handler"})
        process = subprocess.Popen(
            [python, "-I", "-S", "-B", str(INVOKER), setup],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first:
            process.kill()
            raise RuntimeError(f"the handler did not import: {process.stderr.read() if process.stderr else ''}")
        return cls(process, json.loads(first)["imported"])

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the function ended: {self.process.stderr.read() if self.process.stderr else ''}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        self.last_seconds = reply["seconds"]
        answer: dict[str, Any] = reply["answer"]
        return answer

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
