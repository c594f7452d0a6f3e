"""What it would take to put a Lava graph on Loihi 2: formats, ranges reached, operations.

:func:`loihi_report` walks every process connected to a graph that has just run (inside its
:class:`~astrolava.runtime.LavaSession`) and reports, per leaf process (the children of a
hierarchical process, not the parent):

* whether it is a stock Lava process (with a Loihi model in Intel's lava-loihi) or an
  astrolava one (which would need a Loihi 2 microcode neuron or the embedded CPUs, unless
  its model names the Loihi resource whose arithmetic it reproduces in ``loihi_mapping``);
* for each Var: its declared width (the model's ``LavaPyType`` precision, or the model's
  ``loihi_formats`` entry ``name -> (bits, frac_bits)``), the range of values it reached, the
  signed bits that range needs, and whether it fits;
* the operations its model uses (the model's ``loihi_operations``) and the known misfits it
  declares (``loihi_limits``);
* each Var's role on Loihi 2 (the model's ``loihi_roles`` entry ``name -> role``, or, for
  a name containing ``trace`` or equal to ``weights``, that role) judged against Loihi 2's own
  width for that role (:data:`LOIHI2_LIMITS`): a Var the library declares wider than the
  hardware holds is a misfit even when its values fit its own declaration;
* for a non-stock process, what it would need on Loihi 2 and why (the model's
  ``loihi_mapping``, e.g. "embedded CPU: ...", "microcode neuron: ...");
* a list of everything that would not fit Loihi 2.

Process models opt in by setting those class attributes; models without them are
reported from their ``LavaPyType`` declarations only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from lava.magma.compiler.compiler_graphs import find_processes
from lava.magma.core.learning import constants as engine
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.process.process import AbstractProcess

from astrolava.fixed_point import (
    LIF_BIAS_BITS,
    LIF_DECAY_BITS,
    LIF_VTH_BITS,
    STATE_BITS,
)


@dataclass(frozen=True)
class Limit:
    """One of Loihi 2's widths: how many bits (signed or not) a Var of this role may use."""

    role: str
    bits: int
    signed: bool
    what: str
    source: str


_ENGINE = ("lava-nc 0.10 lava/magma/core/learning/constants.py (Intel's model of the Loihi 2 "
           "learning engine)")
_NEURON = "lava-nc 0.10 PyLifModelBitAcc (bit-accurate Loihi LIF); Davies et al. 2021"
LOIHI2_LIMITS = {limit.role: limit for limit in (
    Limit("weight", engine.W_WEIGHTS_S, True, "synaptic weight mantissa (8 bits + sign in mixed "
          "mode), one shared weight exponent per synapse group", _ENGINE),
    Limit("tag", engine.W_TAG_1_S, True, "synaptic tag t (8 bits + sign)", _ENGINE),
    Limit("delay", engine.W_TAG_2_S, True, "synaptic delay / tag 2 (8 bits + sign)", _ENGINE),
    Limit("trace", engine.W_TRACE, False, "pre/post traces x1, x2, y1 and third factors y2, y3 "
          "(7 bits unsigned)", _ENGINE),
    Limit("epoch", engine.W_EPOCH_TIME, False, "learning-epoch time (6 bits unsigned)", _ENGINE),
    Limit("learning-product", engine.W_ACCUMULATOR_S, True, "learning-rule product accumulator "
          f"(15 bits + sign; scale = {engine.W_S_MANT}-bit mantissa × 2^exponent, constants "
          f"{engine.W_CONST} bits)", _ENGINE),
    Limit("state", STATE_BITS, True, "neuron state (u, v) and graded-spike payload", _NEURON),
    Limit("decay", LIF_DECAY_BITS, False, "LIF decay registers du, dv (12 bits unsigned)",
          _NEURON),
    Limit("threshold", LIF_VTH_BITS, False, "LIF threshold (17 bits unsigned)", _NEURON),
    Limit("bias", LIF_BIAS_BITS, True, "LIF bias mantissa (13 bits signed, 3-bit exponent)",
          _NEURON),
)}
"""Loihi 2's limits by role, each with its source."""

LOIHI_STOCK = {
    "Dense": "synapses (8-bit weights) on a neurocore",
    "Sparse": "synapses (8-bit weights) on a neurocore",
    "DelayDense": "synapses with delays on a neurocore",
    "LearningDense": "synapses with the on-chip learning engine",
    "LIF": "fixed-function LIF neurons on a neurocore",
    "LIFReset": "fixed-function LIF neurons on a neurocore",
    "SigmaDelta": "sigma-delta neurons (graded spikes) on a neurocore",
    "Delta": "delta encoders on a neurocore",
    "Sigma": "sigma decoders on a neurocore",
}
"""Stock Lava processes that Intel's lava-loihi maps onto Loihi 2 hardware."""

MAX_VALUES_READ = 1 << 20
"""Vars larger than this are not read back (``Var.get`` costs ~16 µs per element); string
Vars (a learning synapse's rule strings ``dw``, ``dd``, ``dt``) are not read either (Lava's
``Var.get`` of a string never returns)."""


@dataclass
class VarReport:
    """One Var: declared format, values reached and whether they fit."""

    name: str
    shape: tuple[int, ...]
    declared_bits: int | None
    frac_bits: int | None
    role: str | None
    lo: float | None
    hi: float | None
    bits_needed: int | None
    fits: bool | None


@dataclass
class ProcessReport:
    """One leaf process of the graph."""

    name: str
    process_class: str
    model_class: str
    origin: str
    loihi_mapping: str
    variables: list[VarReport] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)


@dataclass
class LoihiReport:
    """Per-process reports and the list of what would not fit Loihi 2."""

    processes: list[ProcessReport]
    misfits: list[str]

    def to_dict(self) -> dict:
        return asdict(self)

    def to_markdown(self) -> str:
        """A readable report: one table of Vars per process, then the misfits."""
        lines = ["# Loihi 2 report", ""]
        for proc in self.processes:
            lines += [f"## {proc.name} ({proc.process_class}, model {proc.model_class})", "",
                      f"- origin: {proc.origin}; on Loihi 2: {proc.loihi_mapping}"]
            if proc.operations:
                lines.append("- operations: " + "; ".join(proc.operations))
            lines += ["", "| Var | shape | declared bits | frac bits | range reached | "
                      "bits needed | fits | role (Loihi 2 bits) |",
                      "|---|---|---|---|---|---|---|---|"]
            for var in proc.variables:
                reached = "not read" if var.lo is None else f"[{var.lo:.6g}, {var.hi:.6g}]"
                lines.append(f"| {var.name} | {var.shape} | {_text(var.declared_bits)} | "
                             f"{_text(var.frac_bits)} | {reached} | {_text(var.bits_needed)} | "
                             f"{_text(var.fits)} | {_role_text(var.role)} |")
            lines.append("")
        lines += ["## What would not fit Loihi 2", ""]
        lines += [f"- {m}" for m in self.misfits] or ["- nothing found"]
        return "\n".join(lines) + "\n"


def _text(value: object) -> str:
    return "—" if value is None else str(value)


def _role_text(role: str | None) -> str:
    return "—" if role is None else f"{role} ({LOIHI2_LIMITS[role].bits})"


def limits_markdown() -> str:
    """:data:`LOIHI2_LIMITS` as a markdown table (role, signed bits, what, source)."""
    lines = ["| role | bits | signed | what | source |", "|---|---|---|---|---|"]
    lines += [f"| {lim.role} | {lim.bits} | {lim.signed} | {lim.what} | {lim.source} |"
              for lim in LOIHI2_LIMITS.values()]
    return "\n".join(lines) + "\n"


def var_role(model_class: type, name: str) -> str | None:
    """The Loihi 2 role of a Var: the model's ``loihi_roles`` entry, else ``trace`` for a
    name containing "trace" or a learning synapse's x1, x2, y1..y3, ``weight`` for
    ``weights``."""
    roles = getattr(model_class, "loihi_roles", {})
    if name in roles:
        if roles[name] not in LOIHI2_LIMITS:
            raise ValueError(f"{model_class.__name__}.loihi_roles[{name!r}]={roles[name]!r} "
                             f"is not allowed; use one of {sorted(LOIHI2_LIMITS)}")
        return roles[name]
    if "trace" in name or name in ("x1", "x2", "y1", "y2", "y3"):
        return "trace"
    return "weight" if name == "weights" else None


def signed_bits(max_abs_int: float) -> int:
    """Bits of a two's-complement integer holding ``±max_abs_int``."""
    return int(math.ceil(math.log2(max_abs_int + 1))) + 1 if max_abs_int > 0 else 1


def unsigned_bits(max_int: float) -> int:
    """Bits of an unsigned integer holding ``max_int``."""
    return max(1, int(math.ceil(math.log2(max_int + 1))))


def declared_format(model_class: type, name: str) -> tuple[int | None, int | None]:
    """``(bits, frac_bits)`` of a Var from ``loihi_formats`` or its LavaPyType precision."""
    formats = getattr(model_class, "loihi_formats", {})
    if name in formats:
        return formats[name]
    lava_type = getattr(model_class, name, None)
    if isinstance(lava_type, LavaPyType) and np.dtype(lava_type.d_type) == np.bool_:
        return 1, 0
    if isinstance(lava_type, LavaPyType) and lava_type.precision is not None \
            and np.issubdtype(np.dtype(lava_type.d_type), np.integer):
        return int(lava_type.precision), 0
    return None, None


def is_text(model_class: type, name: str) -> bool:
    """Whether the model declares the Var a string (a learning synapse's rule strings)."""
    lava_type = getattr(model_class, name, None)
    return isinstance(lava_type, LavaPyType) and lava_type.cls is str


def var_report(var, model_class: type) -> VarReport:
    """Read one Var and compare its values with its declared format."""
    bits, frac = declared_format(model_class, var.name)
    role = var_role(model_class, var.name)
    shape = tuple(int(s) for s in var.shape)
    if is_text(model_class, var.name) or int(np.prod(shape)) > MAX_VALUES_READ:
        return VarReport(var.name, shape, bits, frac, role, None, None, None, None)
    values = np.asarray(var.get(), dtype=np.float64)
    lo, hi = float(values.min()), float(values.max())
    needed = fits = None
    if frac is not None:
        unsigned = role is not None and not LOIHI2_LIMITS[role].signed and lo >= 0
        needed = (unsigned_bits if unsigned else signed_bits)(max(abs(lo), abs(hi)) * 2.0 ** frac)
        fits = needed <= bits
    return VarReport(var.name, shape, bits, frac, role, lo, hi, needed, fits)


def leaf_processes(process: AbstractProcess) -> list[AbstractProcess]:
    """Every leaf process of the graph ``process`` belongs to (sub-processes expanded)."""
    leaves: list[AbstractProcess] = []
    stack = list(find_processes(process))
    seen: set[int] = set()
    while stack:
        proc = stack.pop(0)
        if id(proc) in seen:
            continue
        seen.add(id(proc))
        if proc.procs.is_empty():
            leaves.append(proc)
        else:
            stack.extend(proc.procs.members)
    return leaves


def process_report(proc: AbstractProcess) -> tuple[ProcessReport, list[str]]:
    """Report of one compiled leaf process and its misfits."""
    cls = type(proc)
    model = proc.model_class
    stock = cls.__module__.startswith("lava.")
    origin = "stock Lava" if stock else f"astrolava ({cls.__module__})"
    mapping = LOIHI_STOCK.get(cls.__name__) if stock else getattr(model, "loihi_mapping", None)
    if mapping is None:
        mapping = ("no Loihi model in lava-loihi: host / embedded CPU" if stock else
                   "needs a Loihi 2 microcode neuron model or the embedded CPUs")
    report = ProcessReport(proc.name, cls.__name__, getattr(model, "__name__", "?"), origin,
                           mapping, operations=list(getattr(model, "loihi_operations", ())),
                           limits=list(getattr(model, "loihi_limits", ())))
    misfits = [f"{proc.name}: {limit}" for limit in report.limits]
    for var in proc.vars:
        entry = var_report(var, model)
        report.variables.append(entry)
        if entry.declared_bits is None:
            if not is_text(model, var.name):
                misfits.append(f"{proc.name}.{var.name}: no Loihi format declared (float, or an "
                               "integer of unstated width)")
        elif entry.fits is False:
            misfits.append(f"{proc.name}.{var.name}: reached {entry.bits_needed} bits, "
                           f"declared {entry.declared_bits}")
        elif entry.role is not None and entry.declared_bits > LOIHI2_LIMITS[entry.role].bits:
            limit = LOIHI2_LIMITS[entry.role]
            misfits.append(f"{proc.name}.{var.name}: declared {entry.declared_bits}-bit "
                           f"{limit.role}; Loihi 2 holds {limit.bits} ({limit.what})")
        elif entry.declared_bits > STATE_BITS:
            misfits.append(f"{proc.name}.{var.name}: {entry.declared_bits}-bit state is wider "
                           f"than Loihi 2's {STATE_BITS} bits")
    return report, misfits


def loihi_report(process: AbstractProcess) -> LoihiReport:
    """Report on the graph of ``process`` (call after a run, inside its LavaSession)."""
    if process.runtime is None:
        raise ValueError("the graph has not run: call loihi_report inside its LavaSession, "
                         "after session.run(...)")
    reports, misfits = [], []
    for leaf in leaf_processes(process):
        report, found = process_report(leaf)
        reports.append(report)
        misfits += found
    return LoihiReport(reports, misfits)
