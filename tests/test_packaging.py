"""Packaging: public names import, and the declared dependency ranges install on Python 3.10
with stock lava-nc (the exact pins of constraints.txt are for the reproducible setup only)."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib
from lava.magma.core.process.process import AbstractProcess
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REQUIREMENTS = {canonicalize_name(req.name): req
                for req in map(Requirement, PROJECT["dependencies"])}
DECLARED = REQUIREMENTS | {
    canonicalize_name(req.name): req
    for extra in PROJECT["optional-dependencies"].values()
    for req in map(Requirement, extra) if canonicalize_name(req.name) != "astrolava"}
"""Every package the project names: its dependencies and those of its extras."""


def _python310() -> str | None:
    """A working Python 3.10 interpreter (on PATH, or pyenv's), or None."""
    candidates = [shutil.which("python3.10"),
                  *map(str, sorted(Path("/root/.pyenv/versions").glob("3.10*/bin/python3.10")))]
    for candidate in filter(None, candidates):
        try:
            subprocess.run([candidate, "-c", "import venv"], check=True, capture_output=True,
                           timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        return candidate
    return None


PYTHON310 = _python310()


@pytest.mark.parametrize("package", ["astrolava.processes", "astrolava.models"])
def test_public_names_import_as_classes_or_functions(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package} exports nothing"
    for name in module.__all__:
        obj = getattr(module, name)
        assert inspect.isclass(obj) or inspect.isfunction(obj), f"{package}.{name}: {obj!r}"


def test_every_process_class_is_exported():
    import astrolava.processes as processes

    defined = set()
    for info in pkgutil.iter_modules(processes.__path__):
        if info.ispkg:
            module = importlib.import_module(f"astrolava.processes.{info.name}.process")
            defined |= {name for name, cls in vars(module).items() if inspect.isclass(cls)
                        and issubclass(cls, AbstractProcess) and cls.__module__ == module.__name__}
    assert defined and defined <= set(processes.__all__), defined - set(processes.__all__)


def _constraints() -> dict[str, Requirement]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(pin.name): pin for pin in pins}


def test_ranges_admit_stock_releases_and_the_pinned_setup():
    """Stock lava-nc 0.10.0 and the torch releases of the range on Python 3.10; the exact
    versions of constraints.txt (the patched Lava wheel among them) inside the ranges."""
    assert Version("0.10.0") in REQUIREMENTS["lava-nc"].specifier
    assert Version("2.13.0") in REQUIREMENTS["torch"].specifier
    assert Version("1.26.4") in REQUIREMENTS["numpy"].specifier
    assert Version("2.0.0") not in REQUIREMENTS["numpy"].specifier
    assert "3.10.13" in SpecifierSet(PROJECT["requires-python"])
    for name, pin in _constraints().items():
        if name not in DECLARED:  # a pin of a dependency's dependency (pyarrow for ray.tune)
            continue
        pinned = [spec.version for spec in pin.specifier if spec.operator == "=="]
        for version in pinned:
            assert DECLARED[name].specifier.contains(version, prereleases=True), (name, version)
    assert all("==" not in str(req.specifier) for req in REQUIREMENTS.values())


def _pip310(venv: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), "-m", "pip", *args,
                           "--disable-pip-version-check"], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.skipif(PYTHON310 is None, reason="no Python 3.10 here (the range check above holds)")
def test_plain_pip_resolves_on_python310_with_stock_lava(tmp_path):
    """pip on Python 3.10 resolves every dependency but torch from binaries (a dry run: no
    install); torch is checked against the index only, its wheels being gigabytes."""
    venv = tmp_path / "py310"
    subprocess.run([str(PYTHON310), "-m", "venv", str(venv)], check=True, timeout=120)
    report = tmp_path / "report.json"
    requirements = [str(req) for name, req in REQUIREMENTS.items() if name != "torch"]
    result = _pip310(venv, "install", "--dry-run", "--ignore-installed", "--only-binary",
                     ":all:", "--report", str(report), *requirements)
    assert result.returncode == 0, result.stderr[-3000:]
    chosen = {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
              for item in json.loads(report.read_text())["install"]}
    assert Version(chosen["lava-nc"]).local is None  # the stock release, not our build
    for name, req in REQUIREMENTS.items():
        if name != "torch":
            assert req.specifier.contains(chosen[name], prereleases=True), (name, chosen[name])
    result = _pip310(venv, "index", "versions", "torch", "--only-binary", ":all:", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    listed = result.stdout.split("Available versions:")[1].splitlines()[0].split(",")
    assert list(REQUIREMENTS["torch"].specifier.filter(v.strip() for v in listed))


@pytest.mark.skipif(PYTHON310 is None, reason="no Python 3.10 here")
def test_sources_compile_on_python310():
    """No syntax newer than 3.10, the lowest Python that pyproject.toml admits (compiled in
    memory: no bytecode written)."""
    files = [str(path) for name in ("astrolava", "models", "processes")
             for path in sorted((ROOT / name).rglob("*.py"))]
    code = ("import sys\nfor path in sys.argv[1:]:\n"
            "    compile(open(path, encoding='utf-8').read(), path, 'exec')\n")
    result = subprocess.run([str(PYTHON310), "-c", code, *files], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
