"""Hierarchical models of :class:`DeltaMGDNetwork`: one process per synapse, layer, astrocyte
and cost (the fine-grained graph that maps onto Loihi cores; paper Fig. 8).

Wiring with class DeltaVecs (``P = 1 + 2·N`` rows: the pass and the node-perturbation
probes, sent as row messages, :mod:`astrolava.processes.probe_rows`: row 0 every step, the
probe rows on a second port of each link only in the clean pass of a refresh)::

    x_in ──► TripartiteSynapse_0 ──► GradedTanh_0 ──► ... ──► GradedTanh_{L-1} ──► GlobalCost
                  ▲   │ ‖v‖²                                             │  │      ▲
    label_in ─────┼───┼───────────► Astrocyte ◄── δ_new (probe costs) ───┘  │      │
                  │   └───────────►  │  │                                   │      │
                  └── u, flag ◄──────┘  └─ label                            │  label_in
                  └── k = ΔC·w/ε² (third factor, lrn phase) ◄───────────────┘

With chain DeltaVecs (``P = 1 + 2·N_h`` rows: the hidden neurons' outputs shifted by ``±h``,
added where they enter the next synapse) the data flow is astrocyte ↔ cost ↔ synapse::

    x_in → Synapse_0 → Neuron_0 → Synapse_1 → ... → Synapse_{L-1} → Neuron_{L-1} → GlobalCost
    Neuron_l.slope_out      → Synapse_l.slope_in   f'(z_l) of the clean pass (hidden l)
    Neuron_{L-1}.slope_out  → GlobalCost.slope_in  ρ_L, the output rate slope (spiking)
    Synapse_{L-1}.probe_out → Astrocyte.probe_in   z_L of the probe rows (refresh)
    GlobalCost.error_out    → Astrocyte.error_in   δ_L = e ⊙ f'(z_L)   (end of clean pass)
    Astrocyte.delta_out     → Synapse_l.delta_in   u_l = K_lᵀ δ_L, u_L = δ_L; flag
    Synapse_l.post_out      → Astrocyte.post_in    δ̂_l = f'(z_l) ⊙ u_l  (step T)
    Astrocyte.scale_out     → Synapse_l.scale_in   the scale of θ̃ to norm ε (step T)
    Synapse_l.norm_out      → Astrocyte.norm_in    ‖v_l‖²
    GlobalCost.k_out        → Synapse_l.k_in       k = ΔC·w/ε²          (lrn phase)

A spiking network has :class:`~astrolava.processes.lif_layer.LIFLayer` neurons in place of
``GradedTanh``; its input spikes arrive one vector per step, and a sample is a clean pass
(with the probes) and a perturbed pass of ``T`` steps each, the LIF layers starting both
from rest; the synapses' ``v`` and the cost's outputs are means over a pass (firing rates),
the fused model's readout.

Selected by ``Loihi2SimCfg(select_tag=..., select_sub_proc_model=True)``
(:func:`~astrolava.processes.delta_mgd_network.process.network_run_config`).
"""

from __future__ import annotations

from astrolava.processes.astrocyte.process import Astrocyte
from astrolava.processes.delta_mgd_network.process import (
    DeltaMGDNetwork,
    split_layers,
    unflatten_weights,
)
from astrolava.processes.global_cost.process import GlobalCost
from astrolava.processes.graded_neuron.process import GradedTanh
from astrolava.processes.lif_layer.process import LIFLayer
from astrolava.processes.tripartite_synapse.process import TripartiteSynapse
from lava.magma.core.decorator import implements, tag
from lava.magma.core.model.sub.model import AbstractSubProcessModel
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.mgd import fixed as fx


def check_hierarchical(proc: DeltaMGDNetwork) -> None:
    """The fine-grained graph covers rate (tanh output) and spiking networks with class or
    chain DeltaVecs and SGD; say so otherwise."""
    cfg, spec = proc.proc_params["config"], proc.proc_params["spec"]
    sizes = proc.proc_params["sizes"]
    if not (spec.spiking or spec.output_tanh):
        raise ValueError("the hierarchical model needs output_tanh=True for network='rate'; "
                         "use the fused model (select_sub_proc_model=False)")
    # chain DeltaVecs use the exact output δ anyway
    exact_output = cfg.exact_output and cfg.deltavecs != "chain"
    if cfg.optimizer != "sgd" or exact_output or cfg.activation_threshold:
        raise ValueError("the hierarchical model needs optimizer='sgd', activation_threshold=0 "
                         "and, with class DeltaVecs, exact_output=False; use the fused model")
    if cfg.deltavecs == "chain" and len(sizes) < 3:
        raise ValueError(f"chain DeltaVecs need a hidden layer; the layers are {sizes}")


@implements(proc=DeltaMGDNetwork, protocol=LoihiProtocol)
@tag("floating_pt", "fixed_pt")
class SubDeltaMGDNetwork(AbstractSubProcessModel):
    """Wires the children (attributes ``synapse_<l>``, ``neuron_<l>``, ``astrocyte``,
    ``cost``) and aliases the parent's DeltaVecs and counters to them.

    One wiring serves both tags: the run configuration's tag picks the children's
    floating_pt or fixed_pt models (fixed_pt: Loihi integer formats, see
    :mod:`astrolava.mgd.fixed`; the same integer functions as the fused fixed_pt
    model, so both give identical weights; it needs ``normalize="global"`` and no weight
    decay).
    """

    def __init__(self, proc: DeltaMGDNetwork) -> None:
        check_hierarchical(proc)
        cfg = proc.proc_params["config"]
        sizes: list[int] = list(proc.proc_params["sizes"])
        spec, steps = proc.proc_params["spec"], proc.proc_params["num_steps"]
        n_neurons, n_layers = sum(sizes[1:]), len(sizes) - 1
        chain = cfg.deltavecs == "chain"
        n_hidden = sum(sizes[1:-1])
        rows = 1 + 2 * (n_hidden if chain else n_neurons)
        weights = unflatten_weights(proc.weights.init, sizes)
        biases = split_layers(proc.biases.init, sizes)
        self.astrocyte = Astrocyte(layer_sizes=sizes[1:], tau_delta=cfg.tau_delta,
                                   delta_mix=cfg.delta_mix, epsilon=cfg.epsilon,
                                   normalize=cfg.normalize, num_steps=steps,
                                   deltavecs=cfg.deltavecs, fd_step=cfg.fd_step,
                                   spiking=spec.spiking)
        self.cost = GlobalCost(n_classes=sizes[-1], n_neurons=n_neurons, loss=cfg.loss,
                               epsilon=cfg.epsilon, gamma=cfg.gamma, fd_step=cfg.fd_step,
                               eta=cfg.eta, num_steps=steps, spiking=spec.spiking,
                               deltavecs=cfg.deltavecs)
        upstream, upstream_probes = proc.in_ports.x_in, None  # the input has no probe rows
        for index in range(n_layers):
            last = index == n_layers - 1
            synapse = TripartiteSynapse(
                weights=weights[index], bias=biases[index],
                neuron_offset=sum(sizes[1:index + 1]), n_neurons=n_neurons,
                layer_index=index, n_layers=n_layers, fd_step=cfg.fd_step, eta=cfg.eta,
                weight_decay=cfg.weight_decay, vector_input=index == 0, num_steps=steps,
                spiking=spec.spiking, deltavecs=cfg.deltavecs, n_hidden=n_hidden,
                weight_headroom_shift=cfg.weight_headroom_shift)
            shape = (sizes[index + 1],)
            # chain: hidden neurons send their slope to their synapse, spiking outputs to the cost
            slopes = chain and (spec.spiking or not last)
            if spec.spiking:  # fixed_pt: Z_FRAC currents in, 0/1 spikes out
                neuron = LIFLayer(shape=shape, num_steps=steps, beta=spec.beta,
                                  threshold=spec.threshold, n_probes=rows - 1, slopes=slopes)
            else:  # fixed_pt: Z_FRAC currents in, A_FRAC graded spikes out (the fused LUT)
                neuron = GradedTanh(shape=shape, in_frac_bits=fx.Z_FRAC, out_frac_bits=fx.A_FRAC,
                                    n_probes=rows - 1, slopes=slopes)
            upstream.connect(synapse.a_in)
            if upstream_probes is not None:
                upstream_probes.connect(synapse.probe_in)
            synapse.z_out.connect(neuron.a_in)
            self.astrocyte.delta_out.connect(synapse.delta_in)
            self.cost.k_out.connect(synapse.k_in)
            synapse.norm_out.connect(self.astrocyte.norm_in)
            if chain:  # the last synapse's probe currents z_L are the astrocyte's readout
                synapse.probe_out.connect(self.astrocyte.probe_in if last else neuron.probe_in)
                synapse.post_out.connect(self.astrocyte.post_in)
                self.astrocyte.scale_out.connect(synapse.scale_in)
                if not last:
                    neuron.slope_out.connect(synapse.slope_in)
            else:
                synapse.probe_out.connect(neuron.probe_in)
            setattr(self, f"synapse_{index}", synapse)
            setattr(self, f"neuron_{index}", neuron)
            upstream, upstream_probes = neuron.s_out, neuron.probe_out
        upstream.connect(self.cost.out_in)
        proc.in_ports.label_in.connect(self.astrocyte.label_in)
        proc.in_ports.label_in.connect(self.cost.label_in)
        if chain:
            self.cost.error_out.connect(self.astrocyte.error_in)
            if spec.spiking:
                neuron.slope_out.connect(self.cost.slope_in)
        else:
            upstream_probes.connect(self.cost.probe_in)
            self.cost.delta_new_out.connect(self.astrocyte.delta_new_in)
        self.cost.result_out.connect(proc.out_ports.result_out)
        proc.vars.deltavecs.alias(self.astrocyte.deltavecs)
        proc.vars.learning.alias(self.astrocyte.learning)
        proc.vars.n_refreshes.alias(self.astrocyte.n_refreshes)
        proc.vars.n_samples.alias(self.cost.n_samples)
        proc.vars.n_correct.alias(self.cost.n_correct)
