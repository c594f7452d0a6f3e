"""Package list for the one `astrolava` namespace.

`processes/` installs as `astrolava.processes` and `models/` as `astrolava.models`
(see `package-dir` in pyproject.toml); setuptools' `find` cannot add that prefix, so the
subpackages are listed here. All other metadata lives in pyproject.toml.
"""

from setuptools import find_packages, setup


def _prefixed(folder: str, prefix: str) -> list[str]:
    return [prefix] + [f"{prefix}.{name}" for name in find_packages(folder)]


setup(
    packages=find_packages(include=["astrolava", "astrolava.*"])
    + _prefixed("processes", "astrolava.processes")
    + _prefixed("models", "astrolava.models"),
)
