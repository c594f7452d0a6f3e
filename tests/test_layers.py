"""The layers of the package: the core that Lava process models run imports no torch."""

import subprocess
import sys

import pytest

CORE = [
    "astrolava.data",
    "astrolava.fixed_point",
    "astrolava.mgd",
    "astrolava.mgd.equations",
    "astrolava.mgd.fixed",
    "astrolava.rhythmic",
    "astrolava.rhythmic.fixed",
]
PROCESSES = [
    "astrolava.processes.tripartite_synapse.models",
    "astrolava.processes.astrocyte.models",
    "astrolava.processes.global_cost.models",
    "astrolava.processes.delta_mgd_network.models",
    "astrolava.processes.delta_mgd_network.hierarchical",
    "astrolava.processes.rhythmic_reservoir.models",
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
