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

DELTAVEC_KINDS = ("class", "chain")
"""``DeltaMGDConfig.deltavecs`` values the Lava processes implement."""


class Astrocyte(AbstractProcess):
    """Perturbation controller of the synapses of a network (δ-MGD paper §V, Fig. 8).

    **Class DeltaVecs** (``deltavecs="class"``, the paper's text): it holds one DeltaVec per
    class (``deltavecs``, all layers side by side), reads the label of each sample, and sends
    its synapses the class DeltaVec scaled to amplitude ε.
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

    **Chain DeltaVecs** (``deltavecs="chain"``): the astrocyte of hidden layer ``l`` holds
    that layer's chain rows ``K_l[k, j] ≈ ∂z_L,k/∂a_l,j`` (one process serves every layer; its
    per-layer blocks share only the global normalisation). Every ``τδ`` learned samples (the
    learned samples ``i`` with ``i mod τδ = 0``) the clean pass carries the probe rows: the
    neurons' outputs shifted by ``±h`` one at a time (added where they enter the next
    synapse); the last synapse sends the output currents ``z_L`` of the probe rows here,
    summed over the pass, and ``K_l ← (1 − ρ) K_l + ρ (z̄_L(a_j + h) − z̄_L(a_j − h)) / 2h``
    (forward passes only; ``astrolava.mgd.equations.output_current_jacobians``). At the end
    of every clean pass the global cost sends the exact output δ ``δ_L = e ⊙ f'(z_L)``
    (n_classes numbers); the perturbed pass sends ``u_l = K_lᵀ δ_L`` to the hidden layers'
    synapses and ``u_L = δ_L`` to the output synapse. Each synapse applies its neurons' own
    slope, ``δ̂_l = f'(z_l) ⊙ u_l``, and returns ``δ̂_l`` on ``post_in``; the astrocyte answers
    on ``scale_out`` with the factor that scales ``θ̃`` to norm ε, in the same step.

    The fixed_pt model holds the DeltaVecs (or chain rows) as 24-bit integers and sends ``u``
    unscaled with a power-of-two amplitude ``2**s`` (global normalisation; see its docstring).

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
        flag goes out in every clean step, ``‖v‖²`` and ``δ_new`` (chain: the probe currents,
        summed over the pass, and ``δ_L``) are read in step ``T−1``, ``u`` is formed in step
        ``T`` and sent in every perturbed step (chain: in step ``T``).
    deltavecs : {"class", "chain"}
    fd_step : float > 0
        Chain only: the probe shift ``h`` of the neurons' outputs.
    spiking : bool
        Chain only: the neurons' outputs are 0/1 spikes (fixed_pt: ``h`` on the spike grid).
    name : str, optional

    Ports
    -----
    label_in : InPort (1,)
    norm_in : InPort (L,)
    delta_new_in : InPort (N,)
    delta_out : OutPort (N + 2,)
        ``u`` (all layers), the amplitude exponent ``s`` (0 in floating_pt), the flag.
    error_in : InPort (n_classes,)
        Chain: ``δ_L`` from the global cost, in the last step of every clean pass.
    probe_in : InPort (2·N_h, n_classes)
        Chain: the probe rows' output currents ``z_L`` (``N_h`` hidden neurons), in the clean
        steps of a refresh.
    post_in : InPort (N,)
        Chain: the synapses' ``δ̂_l`` (each in its slice), in step ``T`` of a learned sample.
    scale_out : OutPort (L + 1,)
        Chain: answer to ``post_in``: the scale factor of every layer's ``δ̂_l`` (fixed_pt:
        the 8-bit mantissa ``c``) and the amplitude exponent ``s``.

    Vars
    ----
    deltavecs : (n_classes, N) class DeltaVecs, or (n_classes, N_h) chain rows of the hidden
        layers side by side.
    learning, n_refreshes : (1,)
    """

    def __init__(self, *, layer_sizes: Sequence[int], tau_delta: int, delta_mix: float,
                 epsilon: float, normalize: str = "global", num_steps: int = 1,
                 deltavecs: str = "class", fd_step: float = 1e-3, spiking: bool = False,
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
        require_one_of("deltavecs", deltavecs, DELTAVEC_KINDS)
        require_positive("fd_step", fd_step)
        n_neurons, n_classes, n_hidden = sum(sizes), sizes[-1], sum(sizes[:-1])
        if deltavecs == "chain" and not n_hidden:
            raise ValueError(f"deltavecs='chain' needs a hidden layer; layer_sizes={sizes}")
        for key, value in (("layer_sizes", sizes), ("tau_delta", int(tau_delta)),
                           ("delta_mix", float(delta_mix)), ("epsilon", float(epsilon)),
                           ("normalize", normalize), ("num_steps", int(num_steps)),
                           ("deltavecs", deltavecs), ("fd_step", float(fd_step)),
                           ("spiking", bool(spiking))):
            self.proc_params.overwrite(key, value)
        self.label_in = InPort(shape=(1,))
        self.norm_in = InPort(shape=(len(sizes),))
        self.delta_new_in = InPort(shape=(n_neurons,))
        self.delta_out = OutPort(shape=(n_neurons + 2,))
        self.error_in = InPort(shape=(n_classes,))
        self.probe_in = InPort(shape=(max(2 * n_hidden, 1), n_classes))
        self.post_in = InPort(shape=(n_neurons,))
        self.scale_out = OutPort(shape=(len(sizes) + 1,))
        n_rows = n_hidden if deltavecs == "chain" else n_neurons
        self.deltavecs = Var(shape=(n_classes, n_rows), init=0)
        self.learning = Var(shape=(1,), init=1)
        self.n_refreshes = Var(shape=(1,), init=0)
