"""Interface of the astrocyte perturbation controller."""

from __future__ import annotations

from collections.abc import Sequence

from lava.magma.core.process.ports.ports import InPort, OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.mgd.config import (
    NORMALIZATIONS,
    require_count,
    require_in_range,
    require_one_of,
    require_positive,
)


class Astrocyte(AbstractProcess):
    """Perturbation controller of the synapses of a network (δ-MGD paper §V, Fig. 8).

    It holds one DeltaVec per class (``deltavecs``, all layers side by side), reads the
    label of each sample, and sends its synapses the class DeltaVec scaled to amplitude ε.
    Every ``τδ`` learned samples all classes fall due (post_mgmt phase); a due class is
    re-measured on its next sample: the global cost returns the node-perturbation bias
    gradients of that sample and ``δ_c ← (1 − ρ) δ_c + ρ δ_new`` (Alg. 1 lines 4–8) — only
    forward passes, no backprop.

    Per sample (a clean and a perturbed pass of ``T`` steps each, see
    :class:`TripartiteSynapse`): the clean pass sends the flag (0 evaluate, 1 learn, 2 learn
    and refresh) and collects, in its last step, ``‖v_l‖²`` from the synapses and
    ``δ_new`` from the cost; the perturbed pass sends ``u_l = s_l·δ_{y,l}`` with the normalisation
    ``s_l`` (``"global"``: ``ε/‖θ̃‖``, ``"layer"``: ``ε/‖θ̃_l‖``, ``"none"``: ε, where
    ``‖θ̃_l‖² = ‖δ_{y,l}‖²(‖v_l‖² + 1)``).

    The fixed_pt model holds the DeltaVecs as 24-bit integers and sends ``δ_y`` unscaled
    with a power-of-two amplitude ``2**s`` (global normalisation; see its docstring).

    Parameters
    ----------
    layer_sizes : sequence of int
        Neurons per layer ``n_1..n_L`` (the last is the number of classes).
    tau_delta : int >= 1
        Refresh period τδ in samples.
    delta_mix : float in (0, 1]
        ρ.
    epsilon : float > 0
    normalize : {"none", "layer", "global"}
    num_steps : int >= 1
        Steps ``T`` of a pass (a sample takes ``2·T`` steps, see ``TripartiteSynapse``): the
        flag goes out in every clean step, ``‖v‖²`` and ``δ_new`` are read in step ``T−1``,
        ``u`` is formed in step ``T`` and sent in every perturbed step.
    name : str, optional

    Ports
    -----
    label_in : InPort (1,)
    norm_in : InPort (L,)
    delta_new_in : InPort (N,)
    delta_out : OutPort (N + 2,)
        ``u`` (all layers), the amplitude exponent ``s`` (0 in floating_pt), the flag.
    """

    def __init__(self, *, layer_sizes: Sequence[int], tau_delta: int, delta_mix: float,
                 epsilon: float, normalize: str = "global", num_steps: int = 1,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        sizes = [int(n) for n in layer_sizes]
        if not sizes or min(sizes) < 1:
            raise ValueError(f"layer_sizes={sizes} must list >= 1 layer widths >= 1")
        require_count("tau_delta", tau_delta)
        require_in_range("delta_mix", delta_mix, 1e-12, 1.0)
        require_positive("epsilon", epsilon)
        require_one_of("normalize", normalize, NORMALIZATIONS)
        require_count("num_steps", num_steps)
        n_neurons, n_classes = sum(sizes), sizes[-1]
        for key, value in (("layer_sizes", sizes), ("tau_delta", int(tau_delta)),
                           ("delta_mix", float(delta_mix)), ("epsilon", float(epsilon)),
                           ("normalize", normalize), ("num_steps", int(num_steps))):
            self.proc_params.overwrite(key, value)
        self.label_in = InPort(shape=(1,))
        self.norm_in = InPort(shape=(len(sizes),))
        self.delta_new_in = InPort(shape=(n_neurons,))
        self.delta_out = OutPort(shape=(n_neurons + 2,))
        self.deltavecs = Var(shape=(n_classes, n_neurons), init=0)
        self.learning = Var(shape=(1,), init=1)
        self.n_refreshes = Var(shape=(1,), init=0)
