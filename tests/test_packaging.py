"""pyproject.toml (pip) and environment.yml (conda) must list the same dependencies."""
from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def _normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name, spec = match.group(1), match.group(2).replace(" ", "")
    return name.lower().replace("_", "-"), spec


def pip_requirements() -> set[tuple[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {_normalise(r) for r in listed}


def conda_requirements() -> set[tuple[str, str]]:
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies:")
    listed = [line.strip()[2:] for line in lines[start + 1:] if line.strip().startswith("- ")]
    # python itself and pip (with its "pip:" sub-list header) are tools, not project dependencies
    return {_normalise(r) for r in listed if not r.startswith("python=") and r not in ("pip", "pip:")}


def test_pip_and_conda_list_the_same_dependencies():
    assert pip_requirements() == conda_requirements()


def test_the_card_dependencies_are_declared():
    names = {name for name, _ in pip_requirements()}
    assert {"jupyterlab", "pandas", "openpyxl", "plotly", "ipywidgets", "papermill", "nbconvert"} <= names


def test_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["jixiao"] == "jixiao.cli:main"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme and "bash scripts/test.sh" in ci
    assert "bash scripts/demo.sh" in readme


def locked_versions() -> dict[str, list[tuple[str, str]]]:
    """requirements.lock as name -> [(version, environment marker)] (one name may be pinned per Python)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name = match.group(1).lower().replace("_", "-")
            pins.setdefault(name, []).append((match.group(2), match.group(3) or ""))
    return pins


def test_the_lock_pins_every_declared_dependency_inside_its_range():
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    here = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
            "platform_system": "Linux", "platform_machine": "x86_64", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "os_name": "posix", "extra": ""}
    pins = locked_versions()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["test"]:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        versions = [version for version, marker in pins.get(name, []) if not marker or Marker(marker).evaluate(here)]
        assert versions, f"{name} is declared in pyproject.toml but not locked: run bash scripts/lock.sh"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in versions), (name, versions)
