"""The functions' code asset, built without Docker, and cached by a hash of what goes into it.

Third-party wheels are fetched for Lambda's platform with `pip install --platform ... --only-binary=:all:
--target`, so compiled packages (pydantic-core, jiter) are the Linux/CPython 3.13 builds whatever machine
runs `cdk synth`; then our `storyteller/` and `functions/` packages are copied in. Lambda's runtime
provides boto3, and the AWS-managed Powertools layer provides Powertools, so neither is bundled.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = REPO_ROOT / "build" / "lambda"

PYTHON_VERSION = "3.13"
# x86_64, not arm64: the machines that build and test this asset are x86_64, so the asset test imports
# the very pydantic-core/jiter binaries Lambda will load. arm64's ~20 % lower GB-second price is worth
# well under a cent a night for four short invocations.
ARCHITECTURE = "x86_64"
# Lambda's python3.13 runtime (Amazon Linux 2023) has glibc 2.34, so manylinux2014 (glibc 2.17) and
# manylinux_2_28 wheels both run there; pip does not infer the one from the other, so both are named.
_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}[ARCHITECTURE]
PIP_PLATFORMS = (f"manylinux2014_{_MACHINE}", f"manylinux_2_28_{_MACHINE}")

# What the cloud path imports beyond boto3 (runtime) and Powertools (layer). The offline providers'
# numpy, hibari-tts/onnxruntime and lameenc stay out: in AWS, OpenAI draws and Polly speaks.
# The web function's FastAPI app (through Mangum) shares the asset: a few MB, no compiled code of its own.
# The mailer needs Pillow (the email's JPEG) and mrml (MJML): small manylinux wheels.
RUNTIME_DISTRIBUTIONS = (
    "pydantic",
    "python-dotenv",
    "openai",
    "pronouncing",
    "fastapi",
    "jinja2",
    "python-multipart",
    "itsdangerous",
    "mangum",
    "pillow",
    "mrml",
    "email-validator",  # the models decide recipients' addresses with it
    "dnspython",
)
# Must never be bundled: provided by Lambda or the layer, or local-only and heavy.
FORBIDDEN_DISTRIBUTIONS = (
    "boto3",
    "botocore",
    "aws_lambda_powertools",
    "numpy",
    "onnxruntime",
    "hibari",
    "moto",
)

PACKAGES = ("storyteller", "functions", "frontend")
# Local-mode code (moto endpoint, CLI) and the offline providers need packages the asset leaves out.
EXCLUDED_SOURCES = (
    "storyteller/local",
    "storyteller/cli",
    "storyteller/__main__.py",
    "storyteller/providers/offline",
)

# The AWS-managed Powertools layer the functions use. Layer version 27 is Powertools 3.23.0 (checked
# against the project's release notes); the asset test installs that same release to stand in for it.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_VERSION = 27
POWERTOOLS_VERSION = "3.23.0"


@dataclass(frozen=True)
class LambdaAsset:
    """A built asset directory and the hash of everything that went into it."""

    path: Path
    fingerprint: str

    def handler(self, function: str) -> str:
        """The Lambda handler string of one of our functions."""
        return f"functions.{function}.handler.handler"


def powertools_layer_name() -> str:
    """The layer's name for our runtime and architecture (the ARN adds region, account and version)."""
    return f"AWSLambdaPowertoolsPythonV3-python{PYTHON_VERSION.replace('.', '')}-{ARCHITECTURE}"


def pinned_requirements() -> list[str]:
    """The runtime distributions at the versions this environment has, so Lambda runs what the tests ran."""
    pins = []
    for name in RUNTIME_DISTRIBUTIONS:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError as error:
            raise RuntimeError(
                f"{name} is not installed here; run `make install` (or pip install -e '.[local,dev,cdk]') first"
            ) from error
    return pins


def source_files(root: Path = REPO_ROOT) -> list[Path]:
    """Our files that go into the asset, relative to the repository root, in a stable order."""
    files = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and "__pycache__" not in relative.parts and not _excluded(relative):
                files.append(relative)
    return files


def build(root: Path = REPO_ROOT, build_dir: Path = BUILD_DIR) -> LambdaAsset:
    """The asset for the current sources, built once per distinct input and reused after that."""
    requirements = pinned_requirements()
    files = source_files(root)
    deps_key = _digest([*PIP_PLATFORMS, PYTHON_VERSION, *requirements, _RECIPE])
    fingerprint = _digest([deps_key, *(f"{path.as_posix()}:{_file_hash(root / path)}" for path in files)])
    asset_dir = build_dir / f"asset-{fingerprint[:16]}"
    if (asset_dir / ".complete").exists():
        return LambdaAsset(asset_dir, fingerprint)
    build_dir.mkdir(parents=True, exist_ok=True)
    with _locked(build_dir / ".lock"):
        if not (asset_dir / ".complete").exists():
            deps_dir = _dependencies(requirements, build_dir / f"deps-{deps_key[:16]}")
            staging = build_dir / f"staging-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(deps_dir, staging, ignore=shutil.ignore_patterns(".complete"))
            for relative in files:
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / relative, staging / relative)
            byte_compile(staging)
            (staging / ".complete").write_text(fingerprint + "\n", encoding="utf-8")
            staging.rename(asset_dir)
            _forget_others(build_dir, keep={asset_dir.name, deps_dir.name})
    return LambdaAsset(asset_dir, fingerprint)


def lambda_python() -> str | None:
    """An interpreter of the Lambda runtime's version on this machine, if there is one."""
    # pyenv's own builds first: its `python3.13` shim on PATH fails unless that version is selected.
    candidates = sorted(Path.home().glob(f".pyenv/versions/{PYTHON_VERSION}.*/bin/python"))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(f"python{PYTHON_VERSION}")
    return found if found and "/shims/" not in found else None


def byte_compile(tree: Path) -> None:
    """Ship bytecode: Lambda cannot write it beside the code, so each cold start would compile from source.

    unchecked-hash, because a zip keeps no source modification times to check against. Without a
    Python of the runtime's version here the asset still works, only its cold starts are slower.
    """
    python = lambda_python()
    if python is None:
        print(f"note: no Python {PYTHON_VERSION} here; the Lambda asset ships without bytecode", file=sys.stderr)
        return
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(tree)]
    subprocess.run(command, check=True, capture_output=True)


def build_runtime_stand_in(build_dir: Path = BUILD_DIR) -> Path:
    """What Lambda adds at run time (the Powertools layer's release, boto3), for the asset's import test.

    Laid out like a layer (`python/` inside), so the test puts it after the asset on `sys.path` just as
    Lambda puts `/opt/python` after `/var/task`.
    """
    requirements = [f"aws-lambda-powertools[tracer]=={POWERTOOLS_VERSION}", "boto3"]
    key = _digest([*PIP_PLATFORMS, PYTHON_VERSION, *requirements, _RECIPE])
    layer_dir = build_dir / f"runtime-{key[:16]}"
    build_dir.mkdir(parents=True, exist_ok=True)
    with _locked(build_dir / ".lock"):
        if not (layer_dir / ".complete").exists():
            shutil.rmtree(layer_dir, ignore_errors=True)
            pip_install(requirements, layer_dir / "python")
            (layer_dir / ".complete").write_text(key + "\n", encoding="utf-8")
            for stale in build_dir.glob("runtime-*"):
                if stale != layer_dir:
                    shutil.rmtree(stale, ignore_errors=True)
    return layer_dir / "python"


def pip_install(requirements: Sequence[str], target: Path) -> None:
    """Wheels for Lambda's platform into `target`; no sdists, so nothing is compiled for this machine."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *(option for platform in PIP_PLATFORMS for option in ("--platform", platform)),
        "--python-version", PYTHON_VERSION, "--implementation", "cp",
        "--only-binary=:all:", "--target", str(target), *requirements,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not fetch Lambda wheels for {' '.join(requirements)}:\n{done.stderr}")
    # Console scripts carry this machine's interpreter path; Lambda never runs them.
    shutil.rmtree(target / "bin", ignore_errors=True)


def directory_size(path: Path) -> int:
    """Bytes of every file under `path`."""
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def _dependencies(requirements: Sequence[str], deps_dir: Path) -> Path:
    if not (deps_dir / ".complete").exists():
        shutil.rmtree(deps_dir, ignore_errors=True)
        pip_install(requirements, deps_dir)
        (deps_dir / ".complete").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return deps_dir


def _excluded(relative: Path) -> bool:
    text = relative.as_posix()
    return any(text == excluded or text.startswith(excluded + "/") for excluded in EXCLUDED_SOURCES)


def _digest(values: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for value in values:
        digest.update(value.encode() + b"\0")
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# A change to how the asset is built (this file) is a change to the asset.
_RECIPE = _file_hash(Path(__file__))


def _forget_others(build_dir: Path, keep: set[str]) -> None:
    """Old assets and dependency sets go; the runtime stand-in for tests stays."""
    for entry in build_dir.iterdir():
        if entry.is_dir() and entry.name.startswith(("asset-", "deps-", "staging-")) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """One builder at a time: `make synth` and a test run may start together."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
