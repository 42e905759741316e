"""Orchestration overhead: one story's end-to-end time over its critical path, and Parallel against a chain.

Providers only sleep (text T, image I, audio A), so everything above T + max(I, A) is the flow itself:
handler code, the stream pump, moto's engine, the outbox. Each run is cut into segments, so the table
shows where the overhead goes. The sequential variant is the real ASL file with the Parallel replaced by
its branch tasks chained (made here, never shipped), run on the same runtime.

    python -m bench.orchestration
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from bench.common import isolated_home, median, sleeping_providers, table, verdict, write_result
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.flow.workflow import WorkflowResources, render_definition
from storyteller.households.seed import seed
from storyteller.local import runtime as local_runtime
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryCreated
from storyteller.settings import get_settings

TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS = 0.5, 2.0, 2.0
CRITICAL_PATH = TEXT_SECONDS + max(IMAGE_SECONDS, AUDIO_SECONDS)
CHAIN_PATH = TEXT_SECONDS + IMAGE_SECONDS + AUDIO_SECONDS
RUNS = 5
SEQUENTIAL_RUNS = 3
# The shipped interval and two others: how much of the overhead is the pump's polling.
PUMP_INTERVALS = (0.01, 0.05)
PUMP_RUNS = 3
MAX_OVERHEAD_RATIO = 1.10
MIN_PARALLEL_SPEEDUP = 1.6
# Where the sequential variant keeps each branch's result until the join (the Parallel's array, by name).
_CHAIN_RESULTS = "$.chained"
_BRANCH_INDEX = re.compile(r"\$\[(\d+)\]")

SEGMENTS = (
    ("create_story", "create_story call over T: handler, catalog reads, validation, put"),
    ("stream_to_start", "stream record to execution started: pump poll, enrichment, bus, StartExecution"),
    ("start_to_media", "execution start to media states entered: CheckEvent, Claim"),
    ("media_over_providers", "media states over the providers' sleep: handlers, S3, join"),
    ("media_to_end", "media done to execution end: SaveMedia, Notify, MarkNotified"),
    ("end_to_email", "execution end to .eml written: SNS, SQS, outbox poll"),
    ("email_to_seen", "email written to wait_for_story returning: its poll"),
)


@dataclass(frozen=True)
class Run:
    """One story's run, as seconds on one clock."""

    total: float
    segments: dict[str, float]
    states: list[str]


def sequential_definition(rendered: str) -> str:
    """The same definition with every Parallel replaced by its branches' tasks run one after another.

    Each branch (one Task) keeps its Parameters, ResultSelector and Retry; its result goes to
    `$.chained.b<k>`, and a Pass state applies the Parallel's ResultSelector to those instead of the
    branches' array. Later tasks get the story event's own fields as their payload, since our handlers
    refuse unknown keys.
    """
    definition = json.loads(rendered)
    states: dict[str, Any] = definition["States"]
    for name, state in list(states.items()):
        if state["Type"] != "Parallel":
            continue
        chain: list[tuple[str, dict[str, Any]]] = []
        for index, branch in enumerate(state["Branches"]):
            [(task_name, task)] = branch["States"].items()  # each of our branches is one Task
            task = copy.deepcopy(task)
            task.pop("End", None)
            task["ResultPath"] = f"{_CHAIN_RESULTS}.b{index}"
            if index > 0 and task.get("Parameters", {}).get("Payload.$") == "$":
                del task["Parameters"]["Payload.$"]
                task["Parameters"]["Payload"] = {f"{field}.$": f"$.{field}" for field in StoryCreated.model_fields}
            chain.append((task_name, task))
        join_name = f"{name}Joined"
        selector = json.dumps(state.get("ResultSelector", {}))
        join = {
            "Type": "Pass",
            "Parameters": json.loads(_BRANCH_INDEX.sub(lambda match: f"{_CHAIN_RESULTS}.b{match.group(1)}", selector)),
            "ResultPath": state.get("ResultPath", "$"),
            "Next": state["Next"],
        }
        for (_, task), (next_name, _) in itertools.pairwise(chain):
            task["Next"] = next_name
        chain[-1][1]["Next"] = join_name
        del states[name]
        states.update(chain)
        states[join_name] = join
        _redirect(definition, name, chain[0][0])
    return json.dumps(definition)


def _redirect(node: Any, old: str, new: str) -> None:
    """Every transition to `old` (Next, Default, StartAt, in Choices and Catches too) now goes to `new`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Next", "Default", "StartAt") and value == old:
                node[key] = new
            else:
                _redirect(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _redirect(item, old, new)


def _workflow_resources(runtime: LocalRuntime) -> WorkflowResources:
    assert runtime.resources is not None
    lambdas = client("lambda", runtime.settings.aws_region)

    def arn(function: str) -> str:
        return str(lambdas.get_function(FunctionName=function)["Configuration"]["FunctionArn"])

    return WorkflowResources(
        stories_table=runtime.settings.stories_table,
        generate_image_function_arn=arn(names.GENERATE_IMAGE_FUNCTION),
        generate_audio_function_arn=arn(names.GENERATE_AUDIO_FUNCTION),
        notify_topic_arn=runtime.resources.topic_arn,
    )


def use_definition(runtime: LocalRuntime, definition: str) -> None:
    """Swap the local state machine's definition; new executions run it."""
    assert runtime.resources is not None
    client("stepfunctions", runtime.settings.aws_region).update_state_machine(
        stateMachineArn=runtime.resources.state_machine_arn, definition=definition
    )


def run_story(runtime: LocalRuntime, media_states: tuple[str, ...]) -> Run:
    """Make one story through the whole flow and cut its time into segments."""
    started = time.time()
    story_id = runtime.create_story()
    created = time.time()
    outcome = runtime.wait_for_story(story_id, timeout=60)
    seen = time.time()
    if outcome.status != "COMPLETE" or len(outcome.emails) != 1 or outcome.execution_arn is None:
        raise RuntimeError(f"story {story_id} did not complete with one email: {outcome}")
    sfn = client("stepfunctions", runtime.settings.aws_region)
    execution = sfn.describe_execution(executionArn=outcome.execution_arn)
    history = sfn.get_execution_history(executionArn=outcome.execution_arn, maxResults=1000)["events"]
    entered = {
        event["stateEnteredEventDetails"]["name"]: event["timestamp"].timestamp()
        for event in history
        if "stateEnteredEventDetails" in event
    }
    exited = {
        event["stateExitedEventDetails"]["name"]: event["timestamp"].timestamp()
        for event in history
        if "stateExitedEventDetails" in event
    }
    execution_start = execution["startDate"].timestamp()
    execution_end = execution["stopDate"].timestamp()
    media_start = min(entered[state] for state in media_states)
    media_end = max(exited[state] for state in media_states)
    emailed = outcome.emails[0].stat().st_mtime
    providers = max(IMAGE_SECONDS, AUDIO_SECONDS) if len(media_states) == 1 else IMAGE_SECONDS + AUDIO_SECONDS
    segments = {
        "create_story": created - started - TEXT_SECONDS,
        "stream_to_start": execution_start - created,
        "start_to_media": media_start - execution_start,
        "media_over_providers": media_end - media_start - providers,
        "media_to_end": execution_end - media_end,
        "end_to_email": emailed - execution_end,
        "email_to_seen": seen - emailed,
    }
    states = [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]
    return Run(total=seen - started, segments=segments, states=states)


def _runs(runtime: LocalRuntime, count: int, media_states: tuple[str, ...], expect: str) -> list[Run]:
    runs = []
    for _ in range(count):
        run = run_story(runtime, media_states)
        if expect not in run.states:
            raise RuntimeError(f"expected state {expect} in {run.states}: the wrong definition ran")
        runs.append(run)
    return runs


def _segment_medians(runs: list[Run]) -> dict[str, float]:
    return {name: round(median([run.segments[name] for run in runs]), 4) for name, _ in SEGMENTS}


def measure() -> dict[str, Any]:
    """Every figure of this benchmark, as one JSON-able dict."""
    with isolated_home("orchestration"):
        providers = sleeping_providers(TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS)
        with LocalRuntime(get_settings(), providers=providers) as runtime:
            seed(CatalogStore(runtime.settings))
            parallel_states = ("MakeMedia",)
            run_story(runtime, parallel_states)  # warm-up: first imports of handlers and providers
            parallel = _runs(runtime, RUNS, parallel_states, expect="MakeMedia")

            rendered = render_definition(_workflow_resources(runtime))
            use_definition(runtime, sequential_definition(rendered))
            chained = _runs(runtime, SEQUENTIAL_RUNS, ("Illustrate", "Narrate"), expect="MakeMediaJoined")
            use_definition(runtime, rendered)

            shipped_interval = local_runtime.PUMP_INTERVAL_SECONDS
            by_interval: dict[str, float] = {}
            try:
                for interval in PUMP_INTERVALS:
                    local_runtime.PUMP_INTERVAL_SECONDS = interval
                    by_interval[str(interval)] = median(
                        [run.total for run in _runs(runtime, PUMP_RUNS, parallel_states, "MakeMedia")]
                    )
            finally:
                local_runtime.PUMP_INTERVAL_SECONDS = shipped_interval
            by_interval[str(shipped_interval)] = median([run.total for run in parallel])

    parallel_total = median([run.total for run in parallel])
    chained_total = median([run.total for run in chained])
    ratio = parallel_total / CRITICAL_PATH
    speedup = chained_total / parallel_total
    return {
        "providers_seconds": {"text": TEXT_SECONDS, "image": IMAGE_SECONDS, "audio": AUDIO_SECONDS},
        "critical_path_seconds": CRITICAL_PATH,
        "runs": RUNS,
        "parallel_seconds": [round(run.total, 4) for run in parallel],
        "parallel_median_seconds": round(parallel_total, 4),
        "orchestration_overhead_ratio": round(ratio, 4),
        "overhead_seconds": round(parallel_total - CRITICAL_PATH, 4),
        "overhead_segments_seconds": _segment_medians(parallel),
        "sequential_seconds": [round(run.total, 4) for run in chained],
        "sequential_median_seconds": round(chained_total, 4),
        "sequential_ratio_to_chain": round(chained_total / CHAIN_PATH, 4),
        "sequential_segments_seconds": _segment_medians(chained),
        "parallel_speedup": round(speedup, 4),
        "ideal_speedup": round(CHAIN_PATH / CRITICAL_PATH, 4),
        "pump_interval_median_seconds": {key: round(value, 4) for key, value in sorted(by_interval.items())},
        "shipped_pump_interval_seconds": shipped_interval,
        "targets": {
            "orchestration_overhead_ratio": {"max": MAX_OVERHEAD_RATIO, "met": ratio <= MAX_OVERHEAD_RATIO},
            "parallel_speedup": {"min": MIN_PARALLEL_SPEEDUP, "met": speedup >= MIN_PARALLEL_SPEEDUP},
        },
    }


def report(result: dict[str, Any]) -> str:
    """The figures as text tables."""
    targets = result["targets"]
    lines = [
        f"Orchestration: fakes sleep T={TEXT_SECONDS} s, I={IMAGE_SECONDS} s, A={AUDIO_SECONDS} s; "
        f"critical path T + max(I, A) = {CRITICAL_PATH} s; median of {RUNS} runs",
        "",
        table(
            ["variant", "median s", "ideal s", "ratio", "target", ""],
            [
                [
                    "Parallel (shipped ASL)",
                    result["parallel_median_seconds"],
                    CRITICAL_PATH,
                    result["orchestration_overhead_ratio"],
                    f"<= {MAX_OVERHEAD_RATIO}",
                    verdict(targets["orchestration_overhead_ratio"]["met"]),
                ],
                [
                    "sequential (generated)",
                    result["sequential_median_seconds"],
                    CHAIN_PATH,
                    result["sequential_ratio_to_chain"],
                    "",
                    "",
                ],
                [
                    "speedup sequential/parallel",
                    result["parallel_speedup"],
                    result["ideal_speedup"],
                    "",
                    f">= {MIN_PARALLEL_SPEEDUP}",
                    verdict(targets["parallel_speedup"]["met"]),
                ],
            ],
        ),
        "",
        "Where the parallel run's overhead goes (median seconds):",
        table(
            ["segment", "seconds", "what"],
            [[name, result["overhead_segments_seconds"][name], what] for name, what in SEGMENTS],
        ),
        "",
        "Pump interval (the stream, outbox and wait polls) against median end-to-end time:",
        table(
            ["interval s", "median s", "ratio"],
            [
                [float(interval), seconds, round(seconds / CRITICAL_PATH, 4)]
                for interval, seconds in result["pump_interval_median_seconds"].items()
            ],
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    result = measure()
    print(report(result))
    write_result("orchestration", result)


if __name__ == "__main__":
    main()
