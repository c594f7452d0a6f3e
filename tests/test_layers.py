"""The layers of the package: the core that Lava process models run imports no torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = [
    "astrolava.anomaly_scoring",
    "astrolava.checkpoint",
    "astrolava.data",
    "astrolava.figures",
    "astrolava.fixed_point",
    "astrolava.mgd",
    "astrolava.mgd.engine",
    "astrolava.mgd.equations",
    "astrolava.mgd.fixed",
    "astrolava.mgd.learner",
    "astrolava.progress",
    "astrolava.provenance",
    "astrolava.rhythmic",
    "astrolava.rhythmic.coupling",
    "astrolava.rhythmic.fixed",
    "astrolava.stopping",
    "astrolava.validation",
]
PROCESSES = [
    "astrolava.processes.tripartite_synapse.models",
    "astrolava.processes.astrocyte.models",
    "astrolava.processes.global_cost.models",
    "astrolava.processes.delta_mgd_network.models",
    "astrolava.processes.delta_mgd_network.hierarchical",
    "astrolava.processes.rhythmic_reservoir.models",
    "astrolava.processes.third_factor_lif.models",
    "astrolava.processes.engine_dmgd.models",
]


def _imports_torch(modules: list[str]) -> bool:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in modules)
        + "print('torch' in sys.modules or 'snntorch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip() == "True"


@pytest.mark.parametrize("modules", [CORE, PROCESSES], ids=["core", "process models"])
def test_core_and_process_models_import_without_torch(modules):
    assert not _imports_torch(modules)


def test_torch_reference_does_import_torch():
    assert _imports_torch(["astrolava.models.mgd"])


ROOT = Path(__file__).resolve().parents[1]
TOP = ("astrolava.deploy", "astrolava.lava_training", "astrolava.cli", "astrolava.nir",
       "astrolava.sweep")
"""The top layer: deployment, training inside Lava, the command line, NIR in and out, sweeps
on Ray Tune."""
FORBIDDEN = {
    "core": ("astrolava.runtime", "astrolava.loihi_report", "astrolava.processes",
             "astrolava.models", *TOP),
    "lava helpers": ("astrolava.processes", "astrolava.models", *TOP),
    "processes": ("astrolava.models", *TOP),
    "models": ("astrolava.runtime", "astrolava.loihi_report", "astrolava.processes", *TOP),
    "everything but the command line": ("astrolava.cli", "argparse"),
}
"""Modules a layer may not import (an entry names a module and its submodules)."""
CORE_PATHS = ["astrolava/data", "astrolava/mgd", "astrolava/rhythmic",
              "astrolava/fixed_point.py", "astrolava/progress.py", "astrolava/provenance.py",
              "astrolava/checkpoint.py", "astrolava/validation.py",
              "astrolava/stopping.py"]
LAYERS = {
    "core": CORE_PATHS,
    "lava helpers": ["astrolava/runtime.py", "astrolava/loihi_report.py"],
    "processes": ["processes"],
    "models": ["models"],
    "everything but the command line": [*CORE_PATHS, "astrolava/runtime.py",
                                        "astrolava/loihi_report.py", "astrolava/deploy",
                                        "astrolava/lava_training.py", "processes", "models",
                                        "astrolava/nir"],
}


def _sources(paths: list[str]) -> list[Path]:
    return [file for path in paths for file in
            ([ROOT / path] if path.endswith(".py") else sorted((ROOT / path).rglob("*.py")))]


def _imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` statement of ``path`` names, function-level ones included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", list(LAYERS))
def test_no_layer_imports_a_layer_above_it(layer):
    """Core <- Lava helpers <- processes / models <- deployment, Lava training, CLI: nothing
    points back up (imports inside functions included)."""
    forbidden = FORBIDDEN[layer]
    offending = {}
    for path in _sources(LAYERS[layer]):
        names = sorted(name for name in _imported_modules(path)
                       if any(name == f or name.startswith(f + ".") for f in forbidden))
        if names:
            offending[str(path.relative_to(ROOT))] = names
    assert not offending
