"""Checks of the values given to the public API: type, finiteness, shape and range.

Every entry point (the config dataclasses, the training functions, the process
constructors, the data loaders, the command line) checks its arguments with these
functions, once, where the value enters. A failed check raises :class:`ParameterError`
(a ``ValueError``: the value has the right type but is out of range, not finite, or of the
wrong shape) or :class:`ParameterTypeError` (a ``TypeError``: a string where a number is
expected, a bool where a count is expected, ...); the message names the parameter, the value
given and what is allowed.

The scalar checks return the value converted to a plain Python ``float``/``int``/``bool``,
the array checks a NumPy array, so a caller can use what it checked.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

SEED_MAX = 2 ** 32 - 1
"""Largest seed accepted: NumPy's legacy ``RandomState``, ``numba`` and Lava's processes all
take seeds in ``[0, 2**32 - 1]``."""


class ParameterError(ValueError):
    """A parameter's value is out of its allowed range, not finite, or of the wrong shape."""


class ParameterTypeError(TypeError):
    """A parameter's value has the wrong type."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or low == -math.inf else "["
    right = ")" if high_open or high == math.inf else "]"
    return f"{left}{low}, {high}{right}"


def require_real(name: str, value: Any, low: float = -math.inf, high: float = math.inf, *,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` in the interval from ``low`` to ``high``.

    Bounds are inclusive unless ``low_open`` / ``high_open``; ``bool`` is not a number here.

    Raises
    ------
    ParameterTypeError
        When ``value`` is not a real number (a string, a bool, None, a complex, an array).
    ParameterError
        When ``value`` is NaN or infinite, or outside the interval.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{name}={_shown(value)} must be a real number "
                                 f"(got {type(value).__name__})")
    number = float(value)
    if not math.isfinite(number):
        raise ParameterError(f"{name}={number} must be a finite number")
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if too_low or too_high:
        raise ParameterError(f"{name}={_shown(value)} must lie in "
                             f"{_interval(low, high, low_open, high_open)}")
    return number


def require_positive(name: str, value: Any) -> float:
    """``value`` as a finite ``float > 0`` (:func:`require_real`)."""
    number = require_real(name, value)
    if not number > 0:
        raise ParameterError(f"{name}={_shown(value)} must be > 0")
    return number


def require_in_range(name: str, value: Any, low: float, high: float) -> float:
    """``value`` as a finite ``float`` with ``low <= value <= high`` (:func:`require_real`)."""
    return require_real(name, value, low, high)


def require_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (either bound may be None: unbounded).

    Integers of any kind are accepted, and floats with an integral value (``5.0``, as JSON
    or a division may give); ``bool`` is not.

    Raises
    ------
    ParameterTypeError
        When ``value`` is not a number (a string, a bool, None).
    ParameterError
        When it is a fractional or non-finite float, or lies outside ``[low, high]``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{name}={_shown(value)} must be an integer "
                                 f"(got {type(value).__name__})")
    bounds = ("" if low is None and high is None else f" >= {low}" if high is None
              else f" <= {high}" if low is None else f" in [{low}, {high}]")
    integral = isinstance(value, numbers.Integral) or (math.isfinite(float(value))
                                                       and float(value).is_integer())
    if not integral or (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(f"{name}={_shown(value)} must be an integer{bounds}")
    return int(value)


def require_count(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an ``int >= minimum`` (:func:`require_int`)."""
    return require_int(name, value, low=minimum)


def require_seed(name: str, value: Any) -> int:
    """``value`` as an ``int`` seed in ``[0, SEED_MAX]`` (:func:`require_int`)."""
    return require_int(name, value, 0, SEED_MAX)


def require_bool(name: str, value: Any) -> bool:
    """``value`` as a ``bool``; only ``True``/``False`` (and NumPy's) are accepted."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterTypeError(f"{name}={_shown(value)} must be True or False "
                                 f"(got {type(value).__name__})")
    return bool(value)


def require_one_of(name: str, value: Any, allowed: Collection) -> Any:
    """``value`` if it is one of ``allowed``, else a :class:`ParameterError` listing them."""
    try:
        known = value in allowed
    except TypeError:  # unhashable value and a set/dict of choices
        known = False
    if not known:
        raise ParameterError(f"{name}={_shown(value)} is not allowed; use one of "
                             f"{tuple(allowed)}")
    return value


def require_known_names(name: str, given: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Raise a :class:`ParameterError` naming the keys of ``given`` not in ``allowed``."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ParameterError(f"{name} has no parameter(s) {unknown}; allowed: {sorted(allowed)}")


def require_array(name: str, value: Any, *, ndim: int | None = None,
                  shape: Sequence[int | None] | None = None, integer: bool = False,
                  low: float | None = None, high: float | None = None,
                  min_length: int = 0) -> np.ndarray:
    """``value`` as a NumPy array of finite real numbers, after checking it.

    Parameters
    ----------
    name : str
        The parameter's name, used in the messages.
    value : array_like
    ndim : int, optional
        Required number of dimensions.
    shape : sequence of int or None, optional
        Required shape; ``None`` entries take any length (implies ``ndim``).
    integer : bool
        Require integral values (returned as ``int64``); otherwise ``float64``.
    low, high : float, optional
        Inclusive bounds of every element.
    min_length : int
        Least length of the first axis.

    Raises
    ------
    ParameterTypeError
        When ``value`` holds anything but real numbers (strings, objects, complex, bools),
        or fractional values where ``integer`` is asked.
    ParameterError
        For a wrong shape, a NaN or infinity, a value outside ``[low, high]``, or too few rows.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise ParameterTypeError(f"{name} must hold real numbers, not {array.dtype} "
                                 f"(got {type(value).__name__})")
    if ndim is None and shape is not None:
        ndim = len(shape)
    if ndim is not None and array.ndim != ndim:
        raise ParameterError(f"{name} must have {ndim} dimension(s); its shape is {array.shape}")
    if shape is not None:
        for axis, (have, want) in enumerate(zip(array.shape, shape, strict=True)):
            if want is not None and have != want:
                raise ParameterError(f"{name} has {have} entries along axis {axis}; "
                                     f"{want} are needed (shape {array.shape})")
    if array.ndim and len(array) < min_length:
        raise ParameterError(f"{name} has {len(array)} rows (shape {array.shape}); at least "
                             f"{min_length} {'is' if min_length == 1 else 'are'} needed")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ParameterError(f"{name} holds {array[where]} at index {where}; every value "
                                 f"must be finite")
    if integer:
        if array.dtype.kind == "f" and (array != np.round(array)).any():
            raise ParameterTypeError(f"{name} must hold integers; it holds fractional values "
                                     f"such as {array[array != np.round(array)].flat[0]}")
        if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
            raise ParameterError(f"{name} holds {array.max()}, beyond int64")
    if array.size and (low is not None or high is not None):
        lo, hi = array.min(), array.max()
        if (low is not None and lo < low) or (high is not None and hi > high):
            raise ParameterError(f"{name} holds values in [{lo}, {hi}]; allowed: "
                                 f"[{'-inf' if low is None else low}, "
                                 f"{'inf' if high is None else high}]")
    return array.astype(np.int64 if integer else np.float64)


def require_labels(name: str, value: Any, n_samples: int | None = None,
                   n_classes: int | None = None) -> np.ndarray:
    """Class labels as a 1-D ``int64`` array, one per sample, each in ``[0, n_classes - 1]``.

    Raises
    ------
    ParameterTypeError
        When the labels are not integers (fractional floats, strings).
    ParameterError
        When they are not 1-D, their count differs from ``n_samples``, or a label is
        negative or ``>= n_classes``.
    """
    labels = require_array(name, value, ndim=1, integer=True)
    if n_samples is not None and len(labels) != n_samples:
        raise ParameterError(f"{name} has {len(labels)} labels for {n_samples} samples; "
                             f"give one label per sample")
    high = None if n_classes is None else n_classes - 1
    if labels.size and (labels.min() < 0 or (high is not None and labels.max() > high)):
        allowed = "0 or more" if high is None else f"in [0, {high}] ({n_classes} classes)"
        raise ParameterError(f"{name} holds labels in [{labels.min()}, {labels.max()}]; "
                             f"each must be {allowed}")
    return labels
