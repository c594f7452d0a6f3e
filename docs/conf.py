"""Sphinx configuration of the astrolava documentation site.

Build: ``.venv/bin/python -m sphinx -W --keep-going -b html docs build/docs``
(``tests/test_docs.py`` runs it with warnings as errors). The benchmark tables, the fixed-point
formats table, the CLI reference and the API pages are generated at build time into
``docs/_generated/`` (ignored by git) by ``docs/_ext/astrolava_docs.py``; the tutorials are
executed by myst-nb during the build.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "astrolava"
author = "the astrolava authors"
copyright = "2026, the astrolava authors"  # noqa: A001 (Sphinx's name)
release = version = "0.1.0"

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.graphviz",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "astrolava_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_generated/include", "Thumbs.db", ".DS_Store",
                    "**.ipynb_checkpoints"]
root_doc = "index"

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Tutorials: executed on every build (a failing cell fails the build and names the cell).
# ASTROLAVA_DOCS_EXECUTE=off renders them as committed, for quick local iterations.
nb_execution_mode = os.environ.get("ASTROLAVA_DOCS_EXECUTE", "force")
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_in_temp = True
nb_merge_streams = True

# numpydoc re-parses raw docstrings for signatures and warns (as Python warnings, not Sphinx
# warnings) about the Ports / Vars sections that _ext/astrolava_docs.py renders, and about the
# docstrings of Lava's own base classes.
warnings.filterwarnings("ignore", message=r"Unknown section (Ports|Vars|Ports And Vars) ")
warnings.filterwarnings("ignore", message=r".*site-packages/lava/")

autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc renders the types from the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

graphviz_output_format = "svg"

html_theme = "pydata_sphinx_theme"
html_title = "astrolava"
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []
