"""Markdown tables generated from ``benchmarks/results/*.json``: the docs' benchmark pages and
the README's headline table both come from here, so no result is ever typed by hand.

Torch-, Lava- and Sphinx-free (json and the standard library only): ``tests/test_readme.py``
imports it to regenerate the README block.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from statistics import mean

from astrolava.mgd.presets import SPIKING_STEPS

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
README_BEGIN = "<!-- results:begin (generated from benchmarks/results/*.json by docs/_ext/" \
    "results_tables.py; do not edit) -->"
README_END = "<!-- results:end -->"


def load(name: str, results: Path = RESULTS) -> dict:
    """The parsed ``benchmarks/results/<name>.json``."""
    return json.loads((results / f"{name}.json").read_text())


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub/MyST pipe table (``|`` inside cells escaped)."""
    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), line(["---"] * len(header))] + [line(r) for r in rows])


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage without the sign: 0.8859 -> '88.6'."""
    return f"{100 * x:.{digits}f}"


def rate(x: float) -> str:
    """A throughput with thousands separators, one decimal below 10."""
    return f"{x:,.1f}" if x < 10 else f"{x:,.0f}"


def joined(values: Iterable[str]) -> str:
    return " / ".join(values)


def grouped(rows: Iterable[dict], key: Callable[[dict], tuple]) -> dict[tuple, list[dict]]:
    """Rows grouped by ``key`` in order of first appearance."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


# --- provenance -------------------------------------------------------------------------------

def _shown(key: str, value: object) -> str:
    if key == "commit" and isinstance(value, str):
        return f"`{value[:10]}`"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return f"`{' '.join(value)}`"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return f"`{value}`" if key == "command" else str(value)


def _provenance_table(records: list[tuple[str, dict]]) -> str:
    """One row per provenance record; columns that no record fills are listed as not recorded."""
    keys = list(dict.fromkeys(k for _, prov in records for k in prov if k != "note"))
    filled = [k for k in keys if any(prov.get(k) is not None for _, prov in records)]
    table = md_table(["what"] + filled, [[what] + [_shown(k, prov[k]) if prov.get(k) is not None
                                                   else "" for k in filled]
                                         for what, prov in records])
    missing = [k for k in keys if k not in filled]
    notes = list(dict.fromkeys(prov["note"] for _, prov in records if prov.get("note")))
    return "\n".join([table] + ([f"\nNot recorded: {', '.join(missing)}."] if missing else [])
                     + [f"\nNote: {note}" for note in notes])


def provenance(data: dict, name: str) -> str:
    """What the JSON records about how it was made: its top-level ``provenance``, that of
    top-level sections (e.g. a throughput measurement) and those of rows that carry their own
    (one line per distinct record, with its number of rows); or a note that it records none."""
    records: list[tuple[str, dict]] = []
    if isinstance(data.get("provenance"), dict):
        records.append(("the file", data["provenance"]))
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(value.get("provenance"), dict):
            records.append((f"`{key}`", value["provenance"]))
    for key, value in data.items():
        if not isinstance(value, list):
            continue
        counts: dict[str, int] = {}
        for row in value:
            if isinstance(row, dict) and isinstance(row.get("provenance"), dict):
                text = json.dumps(row["provenance"], sort_keys=True)
                counts[text] = counts.get(text, 0) + 1
        where = "" if key == "rows" else f" of `{key}`"
        records += [(f"{n} row{'s' if n > 1 else ''}{where}", json.loads(text))
                    for text, n in counts.items()]
    if not records:
        return (f"`{name}.json` records no provenance (written before the benchmarks "
                "recorded commit, versions, command line and machine load).")
    return f"Provenance recorded in `{name}.json`:\n\n" + _provenance_table(records)


# --- δ-MGD against backprop (benchmarks/dmgd.py) ----------------------------------------------

def dmgd_accuracy(data: dict) -> str:
    """Test accuracy per method, network and dataset; seeds side by side."""
    groups = grouped(data["rows"], lambda r: (r["dataset"], r["network"], r["epochs"],
                                              r["train_size"], r["method"]))
    rows = [(dataset, network, epochs, f"{size:,}", method,
             joined(str(r["seed"]) for r in runs), joined(pct(r["test_acc"], 2) for r in runs),
             joined(pct(r["bp_test_acc"], 2) for r in runs),
             joined(f"{r['pct_bp']:.1f}" for r in runs))
            for (dataset, network, epochs, size, method), runs in groups.items()]
    return md_table(["dataset", "network", "epochs", "train images", "method", "seeds",
                     "test acc. (%)", "BP same seed (%)", "% of BP"], rows)


def dmgd_cost(data: dict) -> str:
    """Gradient components (paper Eq. 4) and update operations per run (first seed)."""
    groups = grouped(data["rows"], lambda r: (r["dataset"], r["network"], r["epochs"],
                                              r["train_size"], r["method"]))
    rows = [(dataset, network, epochs, f"{size:,}", method, f"{runs[0]['grad_components']:.3g}",
             f"{runs[0]['update_ops']:.3g}", rate(mean(r["samples_per_s"] for r in runs)))
            for (dataset, network, epochs, size, method), runs in groups.items()]
    return md_table(["dataset", "network", "epochs", "train images", "method",
                     "gradient components", "update operations", "samples/s (mean)"], rows)


def dmgd_throughput(data: dict) -> str:
    """The interleaved throughput measurement (``--throughput-only``)."""
    t = data.get("throughput")
    if not t:
        return "`dmgd.json` holds no throughput measurement."
    lo, hi = t["ratio_per_round_range"]
    rows = [(method, rate(value)) for method, value in t["samples_per_s"].items()]
    rows += [("δ-MGD / BP, best rounds", f"{t['ratio_delta_mgd_to_bp']:.3f}"),
             ("δ-MGD / BP, per-round median", f"{t['ratio_per_round_median']:.3f}"),
             ("δ-MGD / BP, per-round range", f"{lo:.3f}–{hi:.3f}")]
    return (f"Batch {t['batch_size']}, {t['threads']} torch thread(s), best of {t['rounds']} "
            "interleaved rounds.\n\n" + md_table(["method", "samples/s"], rows))


def dmgd_ablation(data: dict) -> str:
    """Each ablation variant: accuracy per seed, mean, share of backprop and, after the last
    epoch of seed 0, the agreement Λ (paper Eq. 2), the cosine with the true gradient and the
    share of saturated layer-1 units."""
    rows = []
    for (variant,), runs in grouped(data["rows"], lambda r: (r["method"],)).items():
        diag = runs[0].get("diagnostics", {})
        saturation = diag.get("saturation", [])
        rows.append((variant, joined(pct(r["test_acc"], 2) for r in runs),
                     pct(mean(r["test_acc"] for r in runs), 2),
                     f"{mean(r['pct_bp'] for r in runs):.1f}",
                     joined(f"{a:.2f}" for a in diag.get("agreement", [])),
                     f"{diag['cosine_all']:.2f}" if "cosine_all" in diag else "",
                     f"{pct(saturation[0], 0)} %" if saturation else "",
                     rate(mean(r["samples_per_s"] for r in runs))))
    return md_table(["variant", "test acc. per seed (%)", "mean (%)", "% of BP",
                     "Λ per layer", "cos(ĝ, ∇C)", "saturated layer-1 units", "samples/s"], rows)


# --- deployment (benchmarks/deploy.py) --------------------------------------------------------

def deploy(data: dict) -> str:
    """Accuracy and throughput of each trained model on each backend."""
    groups = grouped(data["rows"], lambda r: (r["model"],))
    backends = list(dict.fromkeys(r["backend"] for r in data["rows"]))
    rows = []
    for (model,), runs in groups.items():
        by = {r["backend"]: r for r in runs}
        rows.append([model, f"{runs[0]['n_test']:,}"]
                    + [f"{pct(by[b]['test_acc'])} %" if b in by else "" for b in backends]
                    + [joined(rate(by[b]["samples_per_s"]) for b in backends if b in by)])
    return md_table(["model", "test images"] + [f"{b} acc." for b in backends]
                    + [f"samples/s ({', '.join(backends)})"], rows)


# --- δ-MGD inside Lava (benchmarks/lava_dmgd.py) ----------------------------------------------

def _acc_sd(row: dict, key: str) -> str:
    if row.get(key) is None:
        return "not run"
    sd = row.get(f"{key}_sd")
    return f"{pct(row[key])} ± {pct(sd)} %" if sd is not None else f"{pct(row[key])} %"


def _of_bp(row: dict) -> str:
    """Lava accuracy as a percentage of backprop's on the same net, seed and epochs."""
    return f"{100 * row['test_acc'] / row['bp_test_acc']:.1f} %" if row.get("bp_test_acc") else ""


def lava_dmgd(data: dict) -> str:
    """Lava runs next to the torch reference trained with the same config and data order, and
    backprop on the same net, seed and epochs."""
    rows = [(r["dataset"], r["network"], r["model"], r["tag"], r["config"].get("deltavecs", ""),
             r["config"].get("optimizer", ""), f"{r['config']['eta']:.3g}", r["epochs"],
             f"{r['n_train']:,}",
             joined(map(str, r["seeds"])), _acc_sd(r, "test_acc"),
             _acc_sd(r, "reference_test_acc"), _acc_sd(r, "bp_test_acc"), _of_bp(r),
             rate(r["samples_per_s"]))
            for r in data["rows"]]
    return md_table(["dataset", "network", "Lava model", "tag", "DeltaVecs", "optimizer", "η",
                     "epochs", "samples trained", "seeds", "Lava test acc.", "torch reference",
                     "backprop", "Lava / backprop", "training samples/s"], rows)



def _engine_triple(rows: list[dict], dataset: str) -> dict:
    """The learning-engine rows of one network by model: the network with a learning-engine
    row and the most models run, then the deepest, then the widest (the reference row with
    its own random numbers, not the one fed the Lava graph's)."""
    rows = [r for r in rows if r["tag"] != "loihi-formats-lava-draws"]

    def rank(net: str) -> tuple:
        mine = [r for r in rows if r["network"] == net]
        widths = [int(w) for w in net.split()[1].split("-")]
        return (any(r["model"] == "learning-engine" for r in mine), len(mine), len(widths),
                sum(widths))

    return {r["model"]: r for r in rows
            if r["network"] == max({r["network"] for r in rows if r["dataset"] == dataset},
                                   key=rank)}


def _engine_acc(engine: dict, model: str) -> str:
    """A model's test accuracy in %, or "—" where it has no row yet."""
    return pct(engine[model]["test_acc"]) if model in engine else "—"


def loihi_engine(data: dict) -> str:
    """Learning-engine graph, its reference in Loihi formats and BPTT, means over seeds."""
    bptt = {(r["dataset"], r["network"]): r["test_acc"] for r in data["rows"]
            if r["model"] == "bptt"}
    rows = [(r["dataset"], r["network"], r["model"], r["tag"], r["epochs"], f"{r['n_train']:,}",
             joined(map(str, r["seeds"])), _acc_sd(r, "test_acc"),
             f"{100 * r['test_acc'] / bptt[key]:.1f} %" if (key := (r["dataset"], r["network"]))
             in bptt else "", rate(r["samples_per_s"]))
            for r in sorted(data["rows"], key=lambda r: (r["dataset"], r["network"]))]
    return md_table(["dataset", "network", "model", "tag", "epochs", "samples trained", "seeds",
                     "test acc.", "of BPTT", "training samples/s"], rows)


def loihi2_limits(data: dict) -> str:
    """Loihi 2's limits as ``astrolava.loihi_report`` judges them (not read from a result)."""
    from astrolava.loihi_report import limits_markdown

    return limits_markdown().rstrip("\n")


def loihi_engine_sweep(data: dict) -> str:
    """The learning-engine reference's parameter sweep: validation accuracy (mean over seeds)
    after every epoch, in the order the configurations were run."""
    def shifts(r: dict) -> str:
        """The update shift, per epoch where a schedule raises it."""
        p = r["params"]
        if not p.get("shift_raises"):
            return str(p.get("update_shift", "—"))
        return joined(str(p["update_shift"] + sum(e >= a for a in p["shift_raises"]))
                      for e in range(r["epochs"]))

    def config(r: dict) -> tuple:
        p = r["params"]
        return (f"{p['eta']:g}", f"{p['epsilon']:g}",
                "+".join(map(str, p["eta_halvings"])) or "-", f"2^{p['hidden_eta_shift']}",
                f"{p['neurons']['hidden_vth']} / {p['neurons']['output_vth']}", p["tau_delta"],
                shifts(r))

    rows = [(r["dataset"], f"{r['n_fit']:,} / {r['n_val']:,}", *config(r),
             joined(map(str, r["seeds"])),
             joined(pct(sum(a) / len(a)) for a in zip(*r["val_acc_per_seed"], strict=True)),
             f"{pct(r['val_acc'])} %") for r in data["records"]]
    return md_table(["dataset", "learn / score", "η", "ε", "η halved from epoch",
                     "hidden η ×", "ϑ hidden / output", "τδ", "update shift (per epoch)", "seeds",
                     "validation acc. after each epoch (%)", "last"], rows)


def loihi_engine_ablation(data: dict) -> str:
    """The learning-engine reference with one format taken towards float or one rule change:
    validation accuracy after every epoch (mean over seeds), the last epoch's per seed, and
    the difference to the unablated reference."""
    base = {(tuple(r["seeds"]), r["epochs"]): r["val_acc"] for r in data["records"]
            if r["ablation"] == "loihi formats"}
    rows = [(r["ablation"], joined(map(str, r["seeds"])),
             joined(pct(sum(a) / len(a)) for a in zip(*r["val_acc_per_seed"], strict=True)),
             joined(pct(a[-1]) for a in r["val_acc_per_seed"]), f"{pct(r['val_acc'])} %",
             f"{100 * (r['val_acc'] - base[key]):+.1f}"
             if (key := (tuple(r["seeds"]), r["epochs"])) in base else "")
            for r in data["records"]]
    return md_table(["ablation", "seeds", "validation acc. after each epoch (%)",
                     "last, per seed (%)", "last", "pp vs Loihi formats"], rows)


def lava_hierarchical(data: dict) -> str:
    """The hierarchical graph with chain DeltaVecs next to the fused model on the same config
    and seed, the torch reference and backprop."""
    rows = [(r["dataset"], r["network"], r["tag"], r["epochs"], f"{r['n_train']:,}",
             _acc_sd(r, "test_acc"), _acc_sd(r, "fused_test_acc"),
             _acc_sd(r, "reference_test_acc"), _acc_sd(r, "bp_test_acc"), _of_bp(r),
             rate(r["samples_per_s"]), rate(r["fused_samples_per_s"]))
            for r in data["rows"]]
    return md_table(["dataset", "network", "tag", "epochs", "samples trained",
                     "hierarchical test acc.", "fused (same config, seed)", "torch reference",
                     "backprop", "hierarchical / backprop", "hierarchical samples/s",
                     "fused samples/s"], rows)


def lava_hierarchical_steps(data: dict) -> str:
    """Wall time per Lava time step of the spiking graphs and of do-nothing process chains."""
    record = data["per_step"]
    steps = record["steps_per_sample"]
    rows = [(name.replace("_", " "), f"{ms:.2f}",
             joined(f"{run:.2f}" for run in record.get("ms_per_step_runs", {}).get(name, [ms])),
             rate(1000 / (ms * steps)))
            for name, ms in record["ms_per_step"].items()]
    return md_table(["graph", "ms per step (least disturbed)", "all measurements",
                     f"samples/s if a sample takes {steps} steps"], rows)


def fixed_optimizer(data: dict) -> str:
    """Fixed-point optimizer variants (FixedNetwork outside Lava): test accuracy per epoch."""
    groups = grouped(data["rows"], lambda r: (r["dataset"], r["n_train"], r["epochs"]))
    tables = []
    for (dataset, n_train, epochs), runs in groups.items():
        rows = [(r["variant"], r["config"]["optimizer"], f"{r['config']['eta']:g}",
                 " ".join(pct(a) for a in r["test_acc_per_epoch"]), f"{pct(r['test_acc'])} %")
                for r in runs]
        tables.append(f"**{dataset}**, {n_train:,} training samples, {epochs} epochs, seed "
                      f"{runs[0]['seed']}\n\n" + md_table(
                          ["variant", "optimizer", "η", "test acc. per epoch (%)", "last"],
                          rows))
    return "\n\n".join(tables)


# --- rhythmic sharing (benchmarks/rhythmic.py) ------------------------------------------------

def rhythmic_detection(data: dict) -> str:
    """Mean F1 of each detector on the held-out series of each family, the mean of those
    family means (each family weighs the same; blank for a detector not run on every family),
    and for a family with fresh test seeds (≥ 100) the mean over all its held-out series."""
    groups_of = list(dict.fromkeys(r["family"] for r in data["detection"]))
    fresh = [g for g in groups_of if g.endswith("(seeds ≥ 100)")]
    families = [g for g in groups_of if g not in fresh]
    counts = {f: len({r["dataset"] for r in data["detection"] if r["family"] == f})
              for f in groups_of}
    groups = grouped(data["detection"], lambda r: (r["method"],))
    rows = []
    for (method,), runs in groups.items():
        by_family = grouped(runs, lambda r: (r["family"],))
        means = {f: mean(r["f1"] for r in by_family[(f,)]) for f in families
                 if (f,) in by_family}
        pooled = [mean(r["f1"] for r in runs if r["family"] in (g, g.split(" (")[0]))
                  if (g,) in by_family else None for g in fresh]
        rows.append([method] + [f"{means[f]:.3f}" if f in means else "" for f in families]
                    + [f"{mean(means.values()):.3f}" if len(means) == len(families) else ""]
                    + ["" if p is None else f"{p:.3f}" for p in pooled])
    pooled_names = [f"{g.split(' (')[0]}, all {counts[g] + counts[g.split(' (')[0]]} series"
                    for g in fresh]
    return md_table(["detector"] + [f"{f} ({counts[f]} series)" for f in families]
                    + ["mean of the family means"] + pooled_names, rows)


def rhythmic_speed(data: dict) -> str:
    """Steps per second of each implementation at each reservoir size; then, per size, the
    reference's speed-up over the published formulation and its share of the load bound."""
    sizes = list(dict.fromkeys(r["n_nodes"] for r in data["speed"]))
    groups = grouped(data["speed"], lambda r: (r["impl"],))
    rows = [[impl] + [rate(by[(n,)][0]["steps_per_s"]) if (n,) in by else ""
                      for n in sizes]
            for (impl,), runs in groups.items()
            for by in [grouped(runs, lambda r: (r["n_nodes"],))]]
    reference = {r["n_nodes"]: r for r in data["speed"]
                 if r["impl"] == "reference-sparse" and "bound_steps_per_s" in r}
    if reference:
        rows.append(["reference ÷ published formulation"]
                    + [f"{reference[n]['speedup_over_published']:.1f}×" if n in reference
                       else "" for n in sizes])
        rows.append(["load bound of one core (steps/s)"]
                    + [rate(reference[n]["bound_steps_per_s"]) if n in reference else ""
                       for n in sizes])
        rows.append(["reference ÷ load bound"]
                    + [f"{reference[n]['fraction_of_bound']:.0%}" if n in reference else ""
                       for n in sizes])
    return md_table(["implementation"] + [f"N = {n}" for n in sizes], rows)


def rhythmic_lava(data: dict) -> str:
    """Largest deviation of the Lava order parameter R(t) from the reference."""
    return md_table(["tag", "max abs(ΔR) against the reference"],
                    [(r["tag"], f"{r['max_abs_R_error']:.2g}") for r in data["lava"]])


def rhythmic_tuning(data: dict) -> str:
    """The setting each detector was given, chosen on the tuning seeds."""
    chosen = data["detection_protocol"]["chosen"]
    return md_table(["detector", "setting", "tuning mean F1", "reused from an earlier run"],
                    [(method, v["setting"], f"{v['tuning_f1']:.3f}",
                      "yes" if v.get("reused") else "")
                     for method, v in chosen.items()])


def rhythmic_recall(data: dict) -> str:
    """Per recall method: contexts recalled nearest the right regime, and the distances."""
    groups = grouped((dict(x, seed=run["seed"]) for run in data["recall"]
                      for x in run["recalls"]), lambda r: (r["method"],))
    rows = []
    for (method,), runs in groups.items():
        first = runs[0]
        right = [r for r in runs if r["nearest_regime"] == r["context"]]
        per_context = []
        for context in sorted({r["context"] for r in runs}):
            hits = [r for r in runs if r["context"] == context]
            ok = sum(r["nearest_regime"] == context for r in hits)
            per_context.append(f"context {context}: {ok}/{len(hits)}")
        dists = [r["wasserstein_to_regime"][str(r["context"])] for r in runs]
        rows.append((method, first["omega"], first["ridge"], "yes" if first["gated"] else "no",
                     first["m"], f"{len(right)}/{len(runs)}", "; ".join(per_context),
                     f"{min(dists):.2f}–{max(dists):.2f}"))
    return md_table(["method", "ω0", "ridge", "phase-gated readout", "m", "right regime",
                     "per context", "Wasserstein to own regime"], rows)


# --- SKAB (benchmarks/skab.py) -----------------------------------------------------------------

def _num(x: float | None, fmt: str) -> str:
    return "–" if x is None else format(x, fmt)


def skab(data: dict) -> str:
    """SKAB's scores of each detector, raw and with synchrony features (change of F1 and NAB
    from raw in brackets), then the published predictions scored by the same code (by F1)."""
    raw = {r["method"]: r for r in data["rows"]
           if r["source"] == "ours" and r["features"] == "raw"}
    ours = [r for r in data["rows"] if r["source"] == "ours"]
    published = sorted((r for r in data["rows"] if r["source"] != "ours"),
                       key=lambda r: -r["f1"])
    rows = []
    for r in ours + published:
        base = raw.get(r["method"]) if r["features"] == "raw+synchrony" else None
        f1, nab = _num(r["f1"], ".3f"), f"{r['nab_standard']:.2f}"
        if base is not None:
            f1 += f" ({r['f1'] - base['f1']:+.3f})"
            nab += f" ({r['nab_standard'] - base['nab_standard']:+.2f})"
        rows.append((r["method"], r["features"], r["source"], r.get("seeds", ""), f1,
                     _num(r["far"] and 100 * r["far"], ".1f"),
                     _num(r["mar"] and 100 * r["mar"], ".1f"), nab, f"{r['nab_lowfp']:.2f}",
                     f"{r['nab_lowfn']:.2f}"))
    return md_table(["method", "features", "source", "seeds", "F1", "FAR %", "MAR %",
                     "NAB standard", "NAB LowFP", "NAB LowFN"], rows)


def skab_ablation(data: dict) -> str:
    """F1 and NAB standard of each detector with subsets of the synchrony columns."""
    return md_table(["method", "synchrony columns added", "F1", "FAR %", "NAB standard"],
                    [(r["method"], r["synchrony_columns"], f"{r['f1']:.3f}",
                      f"{100 * r['far']:.1f}", f"{r['nab_standard']:.2f}")
                     for r in data["ablation"]])


# --- Table II of the δ-MGD paper (benchmarks/table2.py) ----------------------------------------

def _net_name(hidden: Sequence[int]) -> str:
    return "-".join(map(str, (784, *hidden, 10)))


def _swept(method: dict) -> str:
    """Mean ± sd over seeds at the best configuration, and that configuration."""
    best = ", ".join(f"{k} = {v:g}" for k, v in method["best"].items())
    sd = "" if method["sd"] is None else f" ± {pct(method['sd'], 2)}"
    return f"{pct(method['mean'], 2)}{sd} % ({best})"


def _trials_done(data: dict, net: str) -> str:
    """How far an unfinished net's sweep got, from the JSON's progress snapshot."""
    experiments = data.get("progress", {}).get("trials", {}).get(net, {})
    trials = [t for e in experiments.values() for t in e]
    done = sum(t["epochs_done"] == t["epochs"] for t in trials)
    return f"not finished: {done} trials done, {len(trials)} started" if trials \
        else "not started"


def table2(data: dict) -> str:
    """Backprop and δ-MGD at their best swept configuration (mean ± sd over the seeds) per net,
    next to the paper's Table II; a net whose sweep is unfinished says how far it got."""
    rows = {r["net"]: r for r in data["rows"]}
    protocol = data["protocol"]
    lines = []
    for net, setting in protocol["nets"].items():
        paper = protocol["paper"][net]
        row = rows.get(net)
        ours = [_swept(row["bp"]), _swept(row["delta-mgd"]), f"{row['pct_bp']:.1f} %"] \
            if row else [_trials_done(data, net), "", ""]
        lines.append([_net_name(setting["hidden"]), f"{setting['search_train_size']:,}",
                      f"{pct(paper['bp'])} %", ours[0], f"{pct(paper['delta-mgd'])} %", ours[1],
                      f"{paper['pct_bp']:.1f} %", ours[2]])
    return md_table(["net (tanh)", "search stage: training samples", "BP (paper)",
                     "BP here (best η)", "δ-MGD (paper)", "δ-MGD here (best η, τδ)",
                     "% BP (paper)", "% BP here"], lines)


def _table2_headline(rows: list[dict]) -> tuple[str, str, str]:
    """One headline row for the finished Table II nets: δ-MGD vs backprop, mean ± sd over
    seeds at the best swept configuration, next to the paper's values."""
    def swept(method: str) -> str:
        return joined(f"{pct(r[method]['mean'], 2)} ± {pct(r[method]['sd'], 2)}" for r in rows)

    def paper(method: str) -> str:
        return joined(pct(r["paper"][method]) for r in rows)

    return (f"δ-MGD paper's Table II protocol, Fashion-MNIST, tanh "
            f"{joined(_net_name(r['hidden']) for r in rows)}: best of sweep, "
            f"{plural(len(rows[0]['delta-mgd']['seeds']), 'seed')}, δ-MGD vs backprop",
            f"{swept('delta-mgd')} % vs {swept('bp')} % (paper {paper('delta-mgd')} vs "
            f"{paper('bp')} %)", "[Table II](docs/benchmarks/table2.md)")


def table2_compute(data: dict) -> str:
    """Samples/s with one torch thread, the protocol's projected core-hours at that speed, and
    the training hours the finished sweeps took."""
    speed = data["throughput"]["samples_per_s"]
    done = {r["net"]: r["compute"] for r in data["rows"]}
    lines = []
    for net, setting in data["protocol"]["nets"].items():
        cost = data["projected_cost"][net]
        for method in ("bp", "delta-mgd"):
            spent = done.get(net)
            lines.append([_net_name(setting["hidden"]), method, rate(speed[net][method]),
                          cost["runs"][method], f"{cost['core_hours'][method]:.2f}",
                          f"{spent['train_seconds'] / 3600:.2f} (both methods, "
                          f"{spent['trials']} trials)" if spent and method == "bp" else
                          ("" if spent else "not finished")])
    return md_table(["net", "method", "training samples/s (1 thread)", "runs",
                     "projected core-hours", "training hours spent"], lines)


# --- the README's headline table ---------------------------------------------------------------

def plural(count: int, noun: str) -> str:
    """``"1 epoch"``, ``"20 epochs"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _runs(data: dict, **match: object) -> list[dict]:
    return [r for r in data["rows"] if all(r.get(k) == v for k, v in match.items())]


def headline(results: Path = RESULTS) -> str:
    """The README's short table of headline results, each row from one JSON file."""
    dmgd = load("dmgd", results)
    spk = dict(dataset="fashion-mnist", network="spiking", epochs=5, train_size=10000)
    sbp, sdm = _runs(dmgd, method="bp", **spk), _runs(dmgd, method="delta-mgd", **spk)
    lava = load("lava_dmgd", results)["rows"]
    full = [r for r in lava if r["model"] == "fused" and r["network"] == "rate"
            and r["dataset"] == "fashion-mnist" and r["n_train"] >= 20 * 60000]
    # The best full-length run of each tag; all of them are on the lava-dmgd page.
    long = [max((r for r in full if r["tag"] == tag), key=lambda r: r["test_acc"])
            for tag in dict.fromkeys(r["tag"] for r in full)]
    digits = {r["tag"]: r for r in lava if r["model"] == "fused" and r["network"] == "rate"
              and r["dataset"] == "digits" and r["optimizer"] in ("adam", "engine")}
    hier = [r for r in load("lava_hierarchical", results)["rows"]
            if r["dataset"] == "digits" and r["network"] == "rate"]
    engine = _engine_triple(load("loihi_engine", results)["rows"], "digits")
    deploy_rows = load("deploy", results)["rows"]
    dep = {(r["model"], r["backend"]): r["test_acc"] for r in deploy_rows}
    rhythmic = load("rhythmic", results)
    protocol = [r for r in rhythmic["detection"] if r["method"] == "rhythmic-sharing (defaults)"
                and r["family"].startswith("thomas-dt1")]
    first = [r["f1"] for r in protocol if r["family"] == "thomas-dt1"]
    speed = next(r for r in rhythmic["speed"]
                 if r["impl"] == "reference-sparse" and r["n_nodes"] == 100)
    published = next(r for r in rhythmic["speed"]
                     if r["impl"] == "published-formulation" and r["n_nodes"] == 100)
    skab_rows = {(r["method"], r["features"]): r for r in load("skab", results)["rows"]
                 if r["source"] == "ours"}
    skab_methods = list(dict.fromkeys(m for m, f in skab_rows if f == "raw"))
    leader = max(r["f1"] for r in load("skab", results)["rows"]
                 if r["source"] == "published-predictions")

    table2 = load("table2", results)
    rows = [
        _table2_headline([r for r in table2["rows"] if r["complete"]]),
        (f"δ-MGD vs BPTT, spiking (LIF, T = {SPIKING_STEPS}), {sdm[0]['train_size']:,} "
         f"Fashion-MNIST images, {sdm[0]['epochs']} epochs",
         f"{joined(pct(r['test_acc'], 2) for r in sdm)} % vs "
         f"{joined(pct(r['test_acc'], 2) for r in sbp)} %", "[δ-MGD](docs/benchmarks/dmgd.md)"),
        *[(f"δ-MGD inside Lava (fused, one sample at a time), full Fashion-MNIST, "
           f"{r['epochs']} epochs, {r['tag']} {r['optimizer']} η = {r['config']['eta']:.3g} vs "
           "backprop (same net and seed)",
           f"{pct(r['test_acc'])} % vs {pct(r['bp_test_acc'])} % "
           f"({100 * r['test_acc'] / r['bp_test_acc']:.1f} % of backprop)",
           "[Lava δ-MGD](docs/benchmarks/lava-dmgd.md)") for r in long],
        (f"δ-MGD inside Lava, digits, {digits['fixed_pt']['epochs']} epochs: fixed_pt with the "
         "learning-engine optimizer vs floating_pt Adam",
         f"{pct(digits['fixed_pt']['test_acc'])} % vs {pct(digits['floating_pt']['test_acc'])} %",
         "[Lava δ-MGD](docs/benchmarks/lava-dmgd.md)"),
        (f"hierarchical Lava graph with chain DeltaVecs, digits, {hier[0]['epochs']} epochs "
         "(floating_pt / fixed_pt) vs the fused model",
         f"{joined(pct(r['test_acc'], 2) for r in hier)} % vs "
         f"{joined(pct(r['fused_test_acc'], 2) for r in hier)} %",
         "[hierarchical graph](docs/benchmarks/lava-hierarchical.md)"),
        (f"stock `LearningDense` (Loihi 2 learning engine), spiking "
         f"{next(iter(engine.values()))['network'].split()[1]}, digits, "
         f"{len(engine['learning-engine']['seeds'])} seeds: "
         "Lava fixed_pt vs reference in Loihi formats vs BPTT",
         f"{_engine_acc(engine, 'learning-engine')} % vs "
         f"{_engine_acc(engine, 'reference-loihi-formats')} % vs "
         f"{_engine_acc(engine, 'bptt')} %",
         "[learning engine](docs/benchmarks/loihi-engine.md)"),
        ("torch-trained rate MLP deployed to Lava (torch / floating_pt / fixed_pt)",
         f"{joined(pct(dep[('rate', b)]) for b in ('torch', 'lava-float', 'lava-fixed'))} %",
         "[deployment](docs/benchmarks/deploy.md)"),
        (f"drift detection with the defaults, Thomas series in Kang & Losert's protocol "
         f"(dt = 1), mean F1 over {len(first)} held-out series (over {len(protocol)} with "
         "fresh seeds)",
         f"{mean(first):.3f} ({mean(r['f1'] for r in protocol):.3f})",
         "[rhythmic sharing](docs/benchmarks/rhythmic.md)"),
        (f"rhythmic-sharing reservoir vs the published formulation, N = {speed['n_nodes']}, "
         f"{plural(speed['blas_threads'], 'BLAS thread')}",
         f"{rate(speed['steps_per_s'])} vs {rate(published['steps_per_s'])} steps/s "
         f"({speed['speedup_over_published']:.1f}×)",
         "[rhythmic sharing](docs/benchmarks/rhythmic.md)"),
        (f"SKAB anomaly detection, F1 on raw sensors → with synchrony features "
         f"({joined(skab_methods)}; leaderboard best {leader:.2f})",
         joined(f"{skab_rows[(m, 'raw')]['f1']:.2f} → {skab_rows[(m, 'raw+synchrony')]['f1']:.2f}"
                for m in skab_methods),
         "[SKAB](docs/benchmarks/skab.md)"),
    ]
    return md_table(["result", "measured", "details"], rows)


def readme_block(results: Path = RESULTS) -> str:
    """The README's generated block, markers included."""
    return f"{README_BEGIN}\n{headline(results)}\n{README_END}"


def update_readme(readme: Path = ROOT / "README.md") -> bool:
    """Rewrite the README's generated block in place; True if it changed."""
    text = readme.read_text()
    pattern = re.compile(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {README_BEGIN!r} ... {README_END!r} block")
    new = pattern.sub(lambda _: readme_block(), text)
    readme.write_text(new)
    return new != text


if __name__ == "__main__":
    print("README block changed" if update_readme() else "README block up to date")
