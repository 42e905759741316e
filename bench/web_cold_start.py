"""The web function's cold start: its import against the floor handler's, and the first story page after idle.

A first view after idle is a new Lambda sandbox: CPython 3.13 starts, imports `functions.web.handler` from the
asset as shipped (the app is built at import: settings, the origin header's secret read, the templates; the
console's two secrets wait for its first request), then renders the story page. Both are measured in a fresh
interpreter each time, in turns with the floor handler (boto3 and Powertools' Logger, bench/cold_start.py),
against the local endpoint seeded with a family's finished story. Interpreter start-up itself is not counted
(Lambda's own init is not ours to cut). In AWS each secret read is a Secrets Manager call (~10-30 ms
in-region) instead of a loopback one.

    python -m bench.web_cold_start
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.cold_start import FLOOR, _compiled_copy, _floor, _import_once, _lambda_environment, _python_3_13
from bench.common import table, verdict, write_result

REPEATS = 5
FIRST_PAGE_MAX_SECONDS = 1.0


def _web_environment(asset: Path, references: dict[str, str]) -> dict[str, str]:
    """What the deployed web function's process has (infra/frontend.py), its references as the local stack has them."""
    from frontend import front_door

    environment = _lambda_environment("web", str(asset))
    environment.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": "storyteller-web",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "STORYTELLER_CLIENT_ADDRESS_HEADER": front_door.VIEWER_ADDRESS,
            "STORYTELLER_SCHEDULE_TIME_ZONE": "Europe/London",
            "STORYTELLER_PUBLIC_SHELF": "false",
            **references,
            # The local endpoint and its credentials, in place of Lambda's.
            **{key: value for key, value in os.environ.items() if key.startswith("AWS_ENDPOINT")},
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        }
    )
    environment.pop("AWS_EC2_METADATA_DISABLED", None)
    environment["AWS_EC2_METADATA_DISABLED"] = "true"
    return environment


def measure() -> dict[str, Any]:
    """Median of REPEATS fresh sandboxes: import, first story page, a second one; the floor's import beside."""
    from infra import lambda_asset
    from storyteller.local.runtime import LocalRuntime
    from storyteller.settings import get_settings
    from tests.infrastructure.web_function import WebFunction, event, local_references, seed

    python = _python_3_13()
    if python is None:
        raise SystemExit("bench.web_cold_start needs CPython 3.13 at ~/.pyenv/versions/3.13.* (the functions' runtime)")
    asset = lambda_asset.build().path
    runs: dict[str, list[float]] = {"floor_import": [], "web_import": [], "first_page": [], "second_page": []}
    with tempfile.TemporaryDirectory(prefix="storyteller-bench-web-") as folder:
        scratch = Path(folder)
        # Byte-compiled, as a runtime's own packages are (bench/cold_start.py does the same).
        runtime_dir = _compiled_copy(lambda_asset.build_runtime_stand_in(), scratch / "runtime", python)
        for name in list(os.environ):
            if name.startswith(("AWS_", "STORYTELLER_")):
                del os.environ[name]
        os.environ["STORYTELLER_HOME"] = str(scratch / "home")
        get_settings.cache_clear()
        with LocalRuntime(get_settings()) as runtime:
            seeded = seed(runtime)
            environment = _web_environment(asset, local_references(runtime))
            floor_paths = [str(_floor(scratch)), str(asset), str(runtime_dir)]
            for _ in range(REPEATS):
                floor_ms, _ = _import_once(
                    python, ["-I", "-S", "-B"], f"functions.{FLOOR}.handler", floor_paths, environment, scratch
                )
                runs["floor_import"].append(floor_ms / 1000)
                function = WebFunction.start(python, [str(asset), str(runtime_dir)], environment)
                try:
                    page = function(event("GET", f"/stories/{seeded.story_id}"))
                    if page["statusCode"] != 200:
                        raise RuntimeError(f"the story page answered {page['statusCode']}")
                    first = function.last_seconds
                    function(event("GET", f"/stories/{seeded.story_id}"))
                    runs["web_import"].append(function.import_seconds)
                    runs["first_page"].append(first)
                    runs["second_page"].append(function.last_seconds)
                finally:
                    function.stop()
    medians = {name: round(statistics.median(values), 3) for name, values in runs.items()}
    first_view = round(statistics.median(a + b for a, b in zip(runs["web_import"], runs["first_page"], strict=True)), 3)
    return {
        "python_lambda": python,
        "repeats": REPEATS,
        "runs_seconds": {name: [round(value, 3) for value in values] for name, values in runs.items()},
        "median_seconds": medians,
        "web_import_seconds": medians["web_import"],
        "floor_import_seconds": medians["floor_import"],
        "web_import_vs_floor": round(medians["web_import"] / medians["floor_import"], 2),
        "first_story_page_seconds": first_view,
        "snapstart": False,
        "targets": {
            "first_story_page_seconds": {"max": FIRST_PAGE_MAX_SECONDS, "met": first_view <= FIRST_PAGE_MAX_SECONDS}
        },
    }


def report(result: dict[str, Any]) -> str:
    medians = result["median_seconds"]
    rows = [
        ["floor handler import (boto3 + Powertools Logger)", medians["floor_import"]],
        ["web handler import (app built, origin secret read)", medians["web_import"]],
        ["first story page, after the import", medians["first_page"]],
        ["second story page (warm)", medians["second_page"]],
    ]
    met = result["targets"]["first_story_page_seconds"]["met"]
    return "\n".join(
        [
            f"Web function cold start on CPython 3.13, the asset as shipped, median of {result['repeats']} (s)",
            "",
            table(["step", "seconds"], rows),
            "",
            f"web import {result['web_import_vs_floor']}x the floor's; first story page after idle (import + render) "
            f"{result['first_story_page_seconds']} s (target <= {FIRST_PAGE_MAX_SECONDS}: {verdict(met)}); "
            "no SnapStart",
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("web_cold_start", result)


if __name__ == "__main__":
    main()
