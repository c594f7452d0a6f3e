"""Shared test settings: one torch thread (much faster than two on these 2-core machines)."""

import torch

torch.set_num_threads(1)
