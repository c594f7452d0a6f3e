"""Sphinx extension of the astrolava docs.

* ``builder-inited``: writes the generated pages' Markdown into ``docs/_generated/`` — the
  benchmark tables and provenance (from ``benchmarks/results/*.json``, through
  :mod:`results_tables`), the fixed-point formats table (from ``astrolava.fixed_point.FORMATS``)
  and the command-line reference (from ``astrolava.cli.build_parser``). Nothing there is typed.
* The process docstrings' ``Ports``, ``Vars`` and ``Ports and Vars`` sections, which numpydoc
  does not know (it drops unknown sections), are taken out before numpydoc runs and rendered
  after it as a rubric and a list.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import os
import pkgutil
import re
import types
from collections.abc import Callable
from pathlib import Path

import results_tables as rt
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

GENERATED = Path(__file__).resolve().parents[1] / "_generated"
CUSTOM_SECTIONS = ("Ports and Vars", "Ports", "Vars")

BENCHMARK_TABLES: dict[str, tuple[str, Callable[[dict], str]]] = {
    "dmgd_accuracy": ("dmgd", rt.dmgd_accuracy),
    "dmgd_cost": ("dmgd", rt.dmgd_cost),
    "dmgd_throughput": ("dmgd", rt.dmgd_throughput),
    "dmgd_ablation": ("dmgd_ablation", rt.dmgd_ablation),
    "deploy": ("deploy", rt.deploy),
    "lava_dmgd": ("lava_dmgd", rt.lava_dmgd),
    "lava_hierarchical": ("lava_hierarchical", rt.lava_hierarchical),
    "lava_hierarchical_steps": ("lava_hierarchical", rt.lava_hierarchical_steps),
    "fixed_optimizer": ("fixed_optimizer", rt.fixed_optimizer),
    "loihi_engine": ("loihi_engine", rt.loihi_engine),
    "loihi2_limits": ("loihi_engine", rt.loihi2_limits),
    "loihi_engine_sweep": ("loihi_engine_sweep", rt.loihi_engine_sweep),
    "loihi_engine_ablation": ("loihi_engine_ablation", rt.loihi_engine_ablation),
    "rhythmic_detection": ("rhythmic", rt.rhythmic_detection),
    "rhythmic_tuning": ("rhythmic", rt.rhythmic_tuning),
    "rhythmic_speed": ("rhythmic", rt.rhythmic_speed),
    "rhythmic_lava": ("rhythmic", rt.rhythmic_lava),
    "rhythmic_recall": ("rhythmic_recall", rt.rhythmic_recall),
    "skab": ("skab", rt.skab),
    "skab_ablation": ("skab", rt.skab_ablation),
    "table2": ("table2", rt.table2),
    "table2_compute": ("table2", rt.table2_compute),
}
"""Generated file stem -> (results JSON stem, table function)."""


def _write(name: str, text: str) -> None:
    """Write ``_generated/<name>`` only when its text changes (keeps incremental builds quiet)."""
    path = GENERATED / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


# --- fixed-point formats ------------------------------------------------------------------------

def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(f"`{v}`" for v in value)
    return str(value).replace("*", "\\*")  # 2**12 is not emphasis


def fixed_point_table() -> str:
    """One table of Loihi's formats, from ``astrolava.fixed_point.FORMATS``."""
    from astrolava.fixed_point import FORMATS, FixedFormat

    names = [f.name for f in dataclasses.fields(FixedFormat)]
    return rt.md_table([n.replace("_", " ") for n in names],
                       [[_cell(getattr(f, n)) for n in names] for f in FORMATS])


# --- command line -------------------------------------------------------------------------------

def cli_reference() -> str:
    """``astrolava --help`` and each subcommand's help, as the parser prints them."""
    from astrolava.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width
    parser = build_parser()
    parts = ["```text", parser.format_help().rstrip(), "```"]
    for action in parser._subparsers._group_actions:  # the one subparsers action
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                parts += ["", f"## `astrolava {name}`", "", "```text",
                          sub.format_help().rstrip(), "```"]
    return "\n".join(parts) + "\n"


# --- API reference pages ------------------------------------------------------------------------

API_PACKAGES = ("astrolava", "astrolava.models")
"""Packages whose modules get an API page (``astrolava.processes`` has its own pages)."""


def api_modules() -> list[str]:
    """Every module of :data:`API_PACKAGES`, sorted (``__main__`` modules left out: importing
    one runs the command line)."""
    names = set()
    for package_name in API_PACKAGES:
        package = importlib.import_module(package_name)
        names.add(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if not info.name.endswith("__main__"):
                names.add(info.name)
    return sorted(names)


def api_page(module: str) -> str:
    """An API page: the module's docstring and the members it defines (not those it
    re-exports, which their own module's page documents)."""
    return (f"{module}\n{'=' * len(module)}\n\n.. automodule:: {module}\n"
            "   :ignore-module-all:\n")


def generate(app: Sphinx) -> None:
    """Write every generated page and fragment (``builder-inited``): fragments that pages
    include go to ``_generated/include/``, API pages to ``_generated/api/``."""
    loaded: dict[str, dict] = {}
    for stem, (name, table) in BENCHMARK_TABLES.items():
        data = loaded.setdefault(name, rt.load(name))
        _write(f"include/{stem}.md", table(data) + "\n")
    for name, data in loaded.items():
        _write(f"include/provenance_{name}.md", rt.provenance(data, name) + "\n")
    _write("include/fixed_point_formats.md", fixed_point_table() + "\n")
    _write("include/cli.md", cli_reference())
    modules = api_modules()
    for stale in (GENERATED / "api").glob("*.rst") if (GENERATED / "api").exists() else ():
        if stale.stem not in modules:
            stale.unlink()
    for module in modules:
        _write(f"api/{module}.rst", api_page(module))


# --- Ports / Vars sections ----------------------------------------------------------------------

_stash: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}


def _is_header(lines: list[str], i: int) -> bool:
    return (i + 1 < len(lines) and lines[i].strip() != "" and not lines[i].startswith(" ")
            and re.fullmatch(r"-{3,}", lines[i + 1].strip()) is not None)


def take_custom_sections(app: Sphinx, what: str, name: str, obj: object, options: dict,
                         lines: list[str]) -> None:
    """Remove the Ports / Vars sections before numpydoc parses the docstring."""
    kept, taken, i = [], [], 0
    while i < len(lines):
        if _is_header(lines, i) and lines[i].strip() in CUSTOM_SECTIONS:
            title, i, body = lines[i].strip(), i + 2, []
            while i < len(lines) and not _is_header(lines, i):
                body.append(lines[i])
                i += 1
            taken.append((title, body))
        else:
            kept.append(lines[i])
            i += 1
    if taken:
        lines[:] = kept
        _stash[(what, name)] = taken


def render_custom_sections(app: Sphinx, what: str, name: str, obj: object, options: dict,
                           lines: list[str]) -> None:
    """Append the stashed sections (after numpydoc) as a rubric and a bullet list of entries
    ``name : type`` with their indented descriptions."""
    for title, body in _stash.pop((what, name), []):
        lines += ["", f".. rubric:: {title}", ""]
        for line in body:
            if not line.strip():
                continue
            if not line.startswith(" "):
                term, _, kind = line.partition(" : ")
                entry = f"**{term.strip()}**" + (f" : {kind.strip()}" if kind else "")
                lines += ["", f"- {entry}"]
            else:
                lines += ["", f"  {line.strip()}"] if lines[-1].startswith("- ") else \
                    [f"  {line.strip()}"]
        lines.append("")


# --- process models -----------------------------------------------------------------------------

def process_models(process: type) -> list[type]:
    """The Lava process models in the process's package that implement it."""
    package = importlib.import_module(process.__module__.rsplit(".", 1)[0])
    models = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if getattr(cls, "implements_process", None) is process:
                models[cls.__qualname__] = cls
    return list(models.values())


class ProcessModels(SphinxDirective):
    """``{process-models} astrolava.processes.x.process.X`` (in a MyST page): a table of the
    process models of ``X`` (class, kind, tags, first docstring paragraph), read from what Lava
    registers, and each model's docstring."""

    required_arguments = 1

    def run(self) -> list:
        module_name, _, cls_name = self.arguments[0].rpartition(".")
        process = getattr(importlib.import_module(module_name), cls_name)
        text = ["```{eval-rst}", ".. list-table::", "   :header-rows: 1", "",
                "   * - model", "     - kind", "     - tags", "     - what it computes"]
        models = process_models(process)
        if not models:
            raise self.error(f"no process model implements {self.arguments[0]}")
        for model in models:
            sub = any(b.__name__ == "AbstractSubProcessModel" for b in model.__mro__)
            doc = " ".join((inspect.getdoc(model) or "").split("\n\n")[0].split())
            text += [f"   * - :class:`~{model.__module__}.{model.__qualname__}`",
                     "     - " + ("hierarchical (sub-processes)" if sub else "Python, one process"),
                     "     - " + ", ".join(f"``{t}``" for t in model.tags),
                     f"     - {doc}"]
        for model in models:  # each model's own docstring: its arithmetic and formats
            text += ["", f".. autoclass:: {model.__module__}.{model.__qualname__}",
                     "   :no-members:", "   :no-show-inheritance:"]
        text.append("```")
        return self.parse_text_to_nodes("\n".join(text))


# --- docstring notation ---------------------------------------------------------------------

_ABS = re.compile(r"(?<![\w`|\\])\|(?=\S)([^|`\n]*?\S)\|(?![\w|])")


def escape_absolute_values(app: Sphinx, what: str, name: str, obj: object, options: dict,
                           lines: list[str]) -> None:
    """Docstrings write absolute values and norms as ``|x|``, which reStructuredText reads as
    a substitution reference; escape the bars outside literals and table lines."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("+-", "+=")) or (stripped.startswith("| ")
                                                 and stripped.endswith(" |")):
            continue  # a grid table
        parts = re.split(r"(``.*?``)", line)
        lines[index] = "".join(part if part.startswith("``") else _ABS.sub(r"\\|\1\\|", part)
                               for part in parts)


def skip_foreign_members(app: Sphinx, what: str, name: str, obj: object, skip: bool,
                         options: dict) -> bool | None:
    """Leave out classes and functions defined outside astrolava (Lava's, imported into a
    module) and module-level type aliases such as ``Gradient = list[tuple[...]]`` (autodoc
    would document them as classes of ``list``)."""
    if isinstance(obj, types.GenericAlias):
        return True
    if what == "module" and (inspect.isclass(obj) or inspect.isfunction(obj)):
        if not getattr(obj, "__module__", "").startswith("astrolava"):
            return True
    return None


def process_signature(app: Sphinx, what: str, name: str, obj: object, options: dict,
                      signature: str | None, return_annotation: str | None
                      ) -> tuple[str, str | None] | None:
    """A Lava process's constructor signature (autodoc sees the metaclass's ``*args,
    **kwargs``)."""
    if what == "class" and inspect.isclass(obj) and any(
            base.__name__ == "AbstractProcess" for base in obj.__mro__[1:]):
        sig = inspect.signature(obj.__init__)
        params = [p.replace(annotation=inspect.Parameter.empty)  # numpydoc shows the types
                  for p in list(sig.parameters.values())[1:]]  # without self
        return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty)), None
    return None


# --- cross-references to re-exported names ------------------------------------------------------

def _canonical(target: str) -> str | None:
    """``astrolava.models.RateMLP`` -> ``astrolava.models.mlp.RateMLP``: where a re-exported
    object is defined (its API page documents it there)."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        if inspect.ismodule(obj):
            return obj.__name__
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        return f"{module}.{qualname}" if module and qualname else None
    return None


def resolve_reexports(app: Sphinx, env, node, contnode):  # noqa: ANN001 (Sphinx's types)
    """Resolve a Python reference that names an object where it is re-exported
    (``astrolava.models.RateMLP``), or by its bare name when exactly one documented astrolava
    object has it (``RateMLP``)."""
    if node.get("refdomain") != "py":
        return None
    domain, target = env.get_domain("py"), node["reftarget"]
    candidates = []
    if target.startswith("astrolava."):
        canonical = _canonical(target)
        candidates = [canonical] if canonical and canonical != target else []
    elif "." not in target:
        candidates = [name for name, entry in domain.objects.items()
                      if name.startswith("astrolava.") and name.endswith(f".{target}")
                      and not entry.aliased]  # autodoc's :canonical: twin of the same entry
    if len(candidates) != 1:
        return None
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                               candidates[0], node, contnode)


def setup(app: Sphinx) -> dict:
    app.add_directive("process-models", ProcessModels)
    app.connect("builder-inited", generate, priority=100)
    app.connect("autodoc-process-docstring", take_custom_sections, priority=100)
    app.connect("autodoc-process-docstring", escape_absolute_values, priority=110)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("autodoc-process-signature", process_signature, priority=100)
    app.connect("missing-reference", resolve_reexports)
    app.connect("autodoc-process-docstring", render_custom_sections, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
