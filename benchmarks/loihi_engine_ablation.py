"""What each Loihi format and the rule cost the learning-engine hidden net: its reference
(``EngineReference``) with one format at a time taken towards float or one rule change, scored
on the validation split of ``benchmarks/loihi_engine_sweep.py`` (never the test split).

Each ablation replaces one piece of the reference's arithmetic for the length of the run
(``unittest.mock.patch`` of the functions ``astrolava.models.mgd.loihi_engine`` calls, or a
subclass); everything else is the benchmark's preset (``engine_params``). Ablations:

* ``loihi formats``: none (the preset);
* ``round to nearest``: every stochastic rounding number 0.5 (deterministic rounding);
* ``one number per synapse``: stochastic rounding with an independent number per synapse
  instead of one per layer and learning epoch;
* ``no trace decay``: x1, y2 and y3 read as written (no one-step stochastic decay);
* ``q_k not clipped``: the global factor without its 7-bit clip (an integer of any size);
* ``rounded product shifts``: the rule's right shifts (``>> 4`` in the tag, ``>> 5`` in the
  weight update) round half up instead of flooring;
* ``weights + 6 fraction bits``: weights on a grid 64 times finer (the LIF integrates them
  exactly: its input is shifted by 6 bits), updates stochastically rounded to that grid;
* ``T = 25``: 25 steps per pass (the issue's limit) instead of 20;
* ``update shift 10``: ``ΔW = −t·q_k / 2**10`` (the largest step doubled);
* ``hidden q_u gated n > 0`` / ``gated 0 < n < T``: the hidden layer's third factor zero for
  neurons silent in the clean pass / silent or firing every step (a stand-in for the local
  slope f'(z), which the engine could express by gating the bap);
* ``all formats float, rule kept``: every format at once in float, the rule unchanged
  (``t = x1·q_u / 2**5``, ``q_k = η/ε²·ΔC·c·2**(5 + s)`` clipped to ``[−64, 63]``,
  ``ΔW = −t·q_k / 2**s``): float weights, LIF, chain rows, third factors, scale ``c`` and
  products, no rounding, floor shift, saturation or trace decay;
* ``all formats float, q_k not clipped, η …``: the same without the clip, i.e. the plain
  δ-MGD step ``ΔW = −η·ΔC/ε²·θ̃``, for the η of :data:`UNCLIPPED_ETAS`.

The η mantissa is not ablated: η enters through ``q_k`` (16-bit mantissas on the embedded
CPU, then 7 bits), and the rule's 4-bit scale mantissas are ±1. Writes
``benchmarks/results/loihi_engine_ablation.json`` (resumable: ablations the file holds for the
same seeds and epochs are skipped) and a PNG. Usage::

    nice -n 10 .venv/bin/python benchmarks/loihi_engine_ablation.py --seeds 0 1 2 --epochs 4
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from unittest import mock

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from astrolava.models.mgd import loihi_engine as le  # noqa: E402
from astrolava.models.mgd.loihi_engine import (  # noqa: E402
    EngineParams,
    EngineReference,
    engine_params,
)
from loihi_engine_sweep import score, validation_split  # noqa: E402

from astrolava.figures import save_figure  # noqa: E402
from astrolava.fixed_point import LIF_ACT_SHIFT, lif_decay, shift_right_round  # noqa: E402
from astrolava.mgd import engine  # noqa: E402
from astrolava.mgd.fixed import mix_deltavecs  # noqa: E402
from astrolava.progress import progress  # noqa: E402
from astrolava.provenance import provenance, run_started  # noqa: E402

OUT = Path(__file__).parent / "results" / "loihi_engine_ablation.json"
FINE_BITS = 6
"""Extra fraction bits of the ``weights + 6 fraction bits`` ablation (the LIF's input shift)."""
UNCLIPPED_ETAS = (25.0, 50.0, 100.0, 400.0, 1000.0, 2000.0)
"""η of the float rule without the ``q_k`` clip (its steps are ``η·ΔC/ε²·θ̃``, unbounded)."""
PER_SYNAPSE = np.random.default_rng(0)
"""The numbers of the ``one number per synapse`` ablation."""
_stochastic_round = engine.stochastic_round
"""The unpatched rounding (the ``one number per synapse`` ablation patches it with
:func:`_per_synapse_round`, which calls this)."""


def _per_synapse_round(values: np.ndarray, grid_bits: int, random: float) -> np.ndarray:
    """:func:`astrolava.mgd.engine.stochastic_round` with an independent number per entry."""
    return _stochastic_round(values, grid_bits, PER_SYNAPSE.random(np.shape(values)))


def _unclipped_global_factor(delta_cost2: int, scale: tuple[int, int], rate: tuple[int, int],
                             update_shift: int) -> int:
    """:func:`astrolava.mgd.engine.global_factor` without the 7-bit clip."""
    (m, f), (a, g) = scale, rate
    return int(engine.scale_pow2(a * m * int(delta_cost2),
                                 engine.TAG_SHIFT + update_shift - 1 - f - g))


def _rounded_latch(tag: np.ndarray, x1: np.ndarray, x0: np.ndarray, q_u: np.ndarray,
                   random: float) -> np.ndarray:
    """:func:`astrolava.mgd.engine.latch_tag` with ``x1·q_u`` shifted by 4 rounding half up."""
    lim = 1 << engine.TAG_BITS
    xq = np.asarray(q_u, dtype=np.int64)[:, None] * (np.asarray(x1) * np.asarray(x0))[None, :]
    products = [shift_right_round(xq, 4) << 6, -np.asarray(tag, dtype=np.int64) << 7]
    return np.clip(engine._accumulate(tag, products, engine.TAG_BITS, random), -lim - 1, lim - 1)


def _rounded_update(weights: np.ndarray, tag: np.ndarray, q_k: np.ndarray, random: float,
                    update_shift: int) -> np.ndarray:
    """:func:`astrolava.mgd.engine.apply_update` with ``t·q_k`` shifted by 5 rounding half up."""
    product = shift_right_round(-np.asarray(tag, dtype=np.int64)
                                * np.asarray(q_k, dtype=np.int64)[:, None], 5)
    new = engine._accumulate(weights, [product << (12 - update_shift)],
                             engine.WEIGHT_LEARN_BITS, random)
    return np.clip(new, -(1 << engine.WEIGHT_LEARN_BITS), (1 << engine.WEIGHT_LEARN_BITS) - 1)


def _fine_lif(current: np.ndarray, du: int, dv: int, vth: int) -> np.ndarray:
    """:func:`~astrolava.models.mgd.loihi_engine.lif_pass` for a current already on the LIF's
    shifted scale (weights with :data:`FINE_BITS` fraction bits)."""
    u = np.zeros(current.shape[1:], dtype=np.int64)
    v = np.zeros_like(u)
    spikes = np.zeros_like(current)
    for t, a in enumerate(current):
        u = lif_decay(u, le.UNITY - du - le.LIF_DS_OFFSET) + a
        v = lif_decay(v, le.UNITY - dv) + u
        fired = v > (vth << LIF_ACT_SHIFT)
        v = np.where(fired, 0, v)
        spikes[t] = fired
    return spikes


class FineReference(EngineReference):
    """The reference with weights on a grid ``2**FINE_BITS`` times finer than 8 bits."""

    def __init__(self, weights, params: EngineParams, seed: int = 0, **kwargs) -> None:
        super().__init__([np.asarray(w, dtype=np.int64) << FINE_BITS for w in weights],
                         params, seed, **kwargs)

    def forward(self, s_in, extra=None):
        neurons, n_layers = self.params.neurons, len(self.weights)
        spikes = [s_in]
        for index, w in enumerate(self.weights):
            current = spikes[-1] @ w.T
            if extra is not None and extra[index] is not None:
                current = current + (extra[index](spikes[-1]) << FINE_BITS)
            spikes.append(_fine_lif(current, le.INPUT_DU, neurons.dv,
                                    neurons.vth(n_layers - 1 - index, n_layers)))
        return spikes


def _fine_update(weights: np.ndarray, tag: np.ndarray, q_k: np.ndarray, random: float,
                 update_shift: int) -> np.ndarray:
    """``W ← W − t·q_k·2**(FINE_BITS − s)`` stochastically rounded, saturated to 8 bits."""
    step = (-np.asarray(tag, dtype=np.float64) * np.asarray(q_k)[:, None]
            * 2.0 ** (FINE_BITS - update_shift))
    lim = 1 << (engine.WEIGHT_LEARN_BITS + FINE_BITS)
    return np.clip(weights + _stochastic_round(step, 0, random),
                   -lim, lim - (1 << FINE_BITS))


def _fine_rows(rows: np.ndarray, weights: np.ndarray, delta_mix: float) -> np.ndarray:
    return mix_deltavecs(rows, np.asarray(weights) << (engine.CHAIN_FRAC - FINE_BITS),
                         delta_mix)


def _gated_learning(live: Callable[[np.ndarray, int], np.ndarray]) -> Callable:
    """``EngineReference.learn_spikes`` with the hidden third factor multiplied by
    ``live(hidden clean-pass counts, T)``."""
    learn = EngineReference.learn_spikes

    def learn_spikes(self: EngineReference, s_in: np.ndarray, label: int) -> int:
        counts = self.forward(s_in)[1].sum(axis=0)
        chain = le.chain_factor

        def gated(rows, out_counts, label, pass_steps):
            return chain(rows, out_counts, label, pass_steps) * live(counts, pass_steps)

        with mock.patch.object(le, "chain_factor", gated):
            return learn(self, s_in, label)
    return learn_spikes


def _undecayed(x1: np.ndarray, random: float, tau: int = 0) -> np.ndarray:
    """:func:`astrolava.mgd.engine.decay_trace` without the decay: x1 as reported."""
    return np.asarray(x1)


def _float_lif(current: np.ndarray, du: int, dv: int, vth: int) -> np.ndarray:
    """:func:`~astrolava.models.mgd.loihi_engine.lif_pass` in float: ``u ← u·(1 − (du + 1)/2**12)
    + a``, ``v ← v·(1 − dv/2**12) + u``, a spike and ``v ← 0`` where ``v > vth`` (no
    truncation, wrap or saturation; the same threshold and decays)."""
    current = np.asarray(current, dtype=np.float64)
    u = np.zeros(current.shape[1:])
    v = np.zeros_like(u)
    spikes = np.zeros(current.shape, dtype=np.int64)
    for t, a in enumerate(current):
        u = u * (1 - (du + le.LIF_DS_OFFSET) / le.UNITY) + a
        v = v * (1 - dv / le.UNITY) + u
        fired = v > vth
        v = np.where(fired, 0.0, v)
        spikes[t] = fired
    return spikes


def _float_chain_factor(rows: np.ndarray, counts: np.ndarray, label: int, pass_steps: int
                        ) -> np.ndarray:
    """:func:`astrolava.mgd.engine.chain_factor` without rounding: ``Q_MAX·u / max|u|``."""
    u = -engine.output_error(counts, label, pass_steps) @ np.asarray(rows, dtype=np.float64)
    top = float(np.abs(u).max(initial=0.0))
    return np.zeros_like(u) if top == 0.0 else engine.Q_MAX * u / top


def _float_scale(q_u: np.ndarray, x1: np.ndarray, epsilon: float) -> tuple[float, int]:
    """``(c, 0)`` with ``c = ε / (‖q_u‖·‖x1‖)`` unrounded (``(0, 0)`` if a factor vanishes)."""
    norm = float(np.linalg.norm(q_u)) * float(np.linalg.norm(x1))
    return (0.0, 0) if norm == 0.0 else (float(epsilon) / norm, 0)


def _float_current(scale: tuple[float, int], q_u: np.ndarray, x1: np.ndarray,
                   spikes: np.ndarray) -> np.ndarray:
    """``c·q_u_j·(x1·s)`` unrounded."""
    total = np.asarray(spikes, dtype=np.float64) @ np.asarray(x1, dtype=np.float64)
    return scale[0] * total[..., None] * np.asarray(q_u, dtype=np.float64)


def _float_global_factor(clip: bool) -> Callable[..., float]:
    """:func:`astrolava.mgd.engine.global_factor` in float, ``q_k = η/ε²·ΔC·c·2**(5 + s)``,
    clipped to the 7-bit range ``[−64, 63]`` if ``clip``."""
    def global_factor(delta_cost2: int, scale: tuple[float, int], rate: tuple[float, int],
                      update_shift: int) -> float:
        value = rate[0] * scale[0] * delta_cost2 / 2 * 2.0 ** (engine.TAG_SHIFT + update_shift)
        return float(np.clip(value, engine.Q_MIN, engine.Q_MAX)) if clip else value
    return global_factor


def _float_latch(tag: np.ndarray, x1: np.ndarray, x0: np.ndarray, q_u: np.ndarray,
                 random: float) -> np.ndarray:
    """The tag :data:`~astrolava.mgd.engine.DT_RULE` latches, in float:
    ``t = x0·x1·q_u / 2**5`` (no floor shift, rounding or saturation)."""
    return (np.asarray(q_u, dtype=np.float64)[:, None]
            * (np.asarray(x1, dtype=np.float64) * np.asarray(x0))[None, :]
            / 2.0 ** engine.TAG_SHIFT)


def _float_update(weights: np.ndarray, tag: np.ndarray, q_k: np.ndarray, random: float,
                  update_shift: int) -> np.ndarray:
    """``W ← W − t·q_k / 2**s`` in float (no floor shift, rounding or saturation)."""
    return (np.asarray(weights, dtype=np.float64)
            - np.asarray(tag) * np.asarray(q_k, dtype=np.float64)[:, None] / 2.0 ** update_shift)


def all_float(clip: bool) -> dict:
    """Replacements that take every format of the reference to float at once, the rule kept
    (``ΔW = −t·q_k / 2**s``, ``t = x1·q_u / 2**5``, ``q_k`` clipped to ``[−64, 63]`` if
    ``clip``): float weights, LIF, chain rows, third factors, scales and products, no trace
    decay."""
    return {"lif_pass": _float_lif,
            "decay_trace": _undecayed,
            "EngineReference.third_factor": staticmethod(
                lambda q, random: np.asarray(q, dtype=np.float64)),
            "chain_factor": _float_chain_factor,
            "refresh_rows": lambda rows, weights, delta_mix: (
                (1 - delta_mix) * np.asarray(rows) + delta_mix * np.asarray(weights,
                                                                            dtype=np.float64)),
            "perturbation_scale": _float_scale,
            "perturbation_current": _float_current,
            "rate_constant": lambda eta, epsilon: (float(eta) / float(epsilon) ** 2, 0),
            "global_factor": _float_global_factor(clip),
            "latch_tag": _float_latch,
            "apply_update": _float_update}


ABLATIONS: dict[str, tuple[dict, dict]] = {
    "loihi formats": ({}, {}),
    "round to nearest": ({"EngineReference.random": lambda self, *a, **k: 0.5}, {}),
    "one number per synapse": ({"engine.stochastic_round": _per_synapse_round}, {}),
    "no trace decay": ({"decay_trace": _undecayed}, {}),
    "q_k not clipped": ({"global_factor": _unclipped_global_factor}, {}),
    "rounded product shifts": ({"latch_tag": _rounded_latch, "apply_update": _rounded_update},
                               {}),
    "weights + 6 fraction bits": ({"sweep.EngineReference": FineReference,
                                   "apply_update": _fine_update, "refresh_rows": _fine_rows},
                                  {}),
    "T = 25": ({}, {"pass_steps": 25}),
    "update shift 10": ({}, {"update_shift": 10}),
    "hidden q_u gated n > 0": (
        {"EngineReference.learn_spikes": _gated_learning(lambda n, T: n > 0)}, {}),
    "hidden q_u gated 0 < n < T": (
        {"EngineReference.learn_spikes": _gated_learning(lambda n, T: (n > 0) & (n < T))}, {}),
    "all formats float, rule kept": (all_float(clip=True), {}),
    **{f"all formats float, q_k not clipped, η {eta:g}": (all_float(clip=False), {"eta": eta})
       for eta in UNCLIPPED_ETAS},
}
"""Name -> (replacements, keyed by the name in ``astrolava.models.mgd.loihi_engine``, or
``engine.<name>`` in ``astrolava.mgd.engine``, ``sweep.<name>`` in ``loihi_engine_sweep``;
parameter overrides)."""


@contextmanager
def ablated(replacements: dict) -> Iterator[None]:
    """Patch the reference's pieces named in ``replacements`` for the ``with`` block."""
    import loihi_engine_sweep as sweep

    homes = {"engine": engine, "sweep": sweep}
    with ExitStack() as stack:
        for name, new in replacements.items():
            home, _, attr = name.rpartition(".")
            target = homes.get(home, le)
            if home and home not in homes:  # a method of a class in the reference module
                target = getattr(le, home)
            stack.enter_context(mock.patch.object(target, attr, new))
        yield


def ordered(records: list[dict]) -> list[dict]:
    """Records by seeds, epochs and the order of :data:`ABLATIONS`."""
    names = list(ABLATIONS)
    return sorted(records, key=lambda r: (len(r["seeds"]), r["seeds"], r["epochs"],
                                          names.index(r["ablation"])))


def plot(records: list[dict], path: Path) -> None:
    names = [r["ablation"] for r in records]
    means = [100 * r["val_acc"] for r in records]
    sds = [100 * float(np.std([a[-1] for a in r["val_acc_per_seed"]], ddof=1))
           if len(r["seeds"]) > 1 else 0.0 for r in records]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(records) + 1.2))
    ax.barh(names[::-1], means[::-1], xerr=sds[::-1], capsize=3, color="tab:blue")
    ax.axvline(means[0], color="gray", lw=0.8, ls="--")
    ax.set_xlim(min(means) - 10, 100)
    ax.set_xlabel("validation accuracy after the last epoch (%), digits 64-100-10")
    save_figure(fig, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--only", nargs="*", choices=sorted(ABLATIONS), default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = run_started()
    split = validation_split("digits")
    base = engine_params((100,), "digits")
    old = json.loads(args.out.read_text()) if args.out.exists() else {"records": []}
    records = [r for r in old["records"]
               if not (r["seeds"] == args.seeds and r["epochs"] == args.epochs)]
    kept = {r["ablation"]: r for r in old["records"]
            if r["seeds"] == args.seeds and r["epochs"] == args.epochs}
    for name in progress(args.only or list(ABLATIONS), desc="ablations"):
        if name in kept:
            records.append(kept.pop(name))
            continue
        replacements, overrides = ABLATIONS[name]
        params = replace(base, **overrides)
        with ablated(replacements):
            per_seed = score(params, split, args.seeds, args.epochs)
        record = {"ablation": name, "dataset": "digits", "params": asdict(params),
                  "seeds": args.seeds, "epochs": args.epochs, "n_fit": len(split[1]),
                  "n_val": len(split[3]),
                  "val_acc": float(np.mean([a[-1] for a in per_seed])),
                  "val_acc_per_seed": per_seed, "provenance": provenance(started)}
        print(f"{name}: validation {record['val_acc']:.4f} (per epoch "
              f"{np.round(np.mean(per_seed, axis=0), 4).tolist()})", flush=True)
        records.append(record)
        args.out.write_text(json.dumps({"records": ordered(records + list(kept.values())),
                                        "provenance": provenance(started)}, indent=1) + "\n")
    plot([r for r in records if r["seeds"] == args.seeds and r["epochs"] == args.epochs],
         args.out.with_suffix(".png"))


if __name__ == "__main__":
    main()
