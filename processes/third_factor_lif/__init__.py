"""LIF neuron that also drives a learning synapse: graded count reports, bap, y2/y3 factors."""

from astrolava.processes.third_factor_lif.process import ThirdFactorLIF

__all__ = ["ThirdFactorLIF"]
