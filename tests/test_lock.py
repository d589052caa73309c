"""The lock files (issue 25, item 5): every dependency pyproject.toml declares is pinned at a
version it allows, and the Makefile installs from them (make demo without the test tools)."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
TESTED_EXTRAS = ("openai-whisper", "cluster", "dev")


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _pins(filename: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / filename).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "--")):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"{filename}: {line!r} is not pinned exactly (NAME==VERSION)"
        pins[_canonical(name)] = Version(version)
    return pins


def _uncovered(requirements: list[str], pins: dict[str, Version]) -> list[str]:
    missing = []
    for text in requirements:
        req = Requirement(text)
        version = pins.get(_canonical(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            missing.append(f"{text} (locked: {version})")
    return missing


def test_the_lock_pins_every_dependency_the_tests_install() -> None:
    declared = list(PROJECT["dependencies"])
    for extra in TESTED_EXTRAS:
        declared += PROJECT["optional-dependencies"][extra]
    assert _uncovered(declared, _pins("requirements.lock")) == []


def test_the_demo_lock_pins_coprod_s_dependencies_and_no_test_tools() -> None:
    pins = _pins("requirements-demo.lock")
    assert _uncovered(list(PROJECT["dependencies"]), pins) == []
    dev = {_canonical(Requirement(text).name) for text in PROJECT["optional-dependencies"]["dev"]}
    assert sorted(dev & set(pins)) == []


def test_openai_whisper_is_locked_without_triton() -> None:
    pins = _pins("requirements.lock")
    assert "openai-whisper" in pins and "torch" in pins and "triton" not in pins


@pytest.mark.parametrize(("target", "lock", "other"), [
    ("demo", "requirements-demo.lock", "requirements.lock"),
    ("test", "requirements.lock", None),
])
def test_the_makefile_installs_from_the_lock(target: str, lock: str, other: str | None) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n: print the commands only; -B: as on a fresh machine, where nothing is installed yet.
    plan = subprocess.run([make, "-n", "-B", target], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert f"pip install -q --no-deps -r {lock}" in plan
    assert "pip install -q --no-deps -e ." in plan
    assert "[dev]" not in plan and "openai-whisper==" not in plan
    if other:
        assert other not in plan.replace(lock, "")
