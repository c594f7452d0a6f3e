"""Streams a multivariate series through an input matrix: a_out = W_in u(t)."""

from astrolava.processes.series_input.process import SeriesInput

__all__ = ["SeriesInput"]
