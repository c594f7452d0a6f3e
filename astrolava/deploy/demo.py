"""The ``astrolava demo`` job: train small nets in torch, deploy them to Lava, compare."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from astrolava.data import load_dataset
from astrolava.deploy.compare import compare_backends, format_table
from astrolava.models import RateMLP, SpikingMLP
from astrolava.models.training import train_backprop


def run_demo(dataset: str = "digits", hidden: Sequence[int] = (64,), epochs: int = 20,
             spiking_epochs: int = 10, num_steps: int = 16, n_test: int | None = None,
             seed: int = 0, progress: bool = True) -> list[dict]:
    """Train a rate (tanh) and a spiking (LIF) MLP by backprop / BPTT, deploy both as Lava
    graphs (floating_pt and fixed_pt) and print a table of test accuracy and samples/s.

    Parameters
    ----------
    dataset : str
        A name of ``astrolava.data.DATASETS`` (``"digits"`` runs in about a minute).
    hidden : sequence of int
        Hidden layer widths.
    epochs, spiking_epochs : int >= 1
        Training epochs of the rate and the spiking net.
    num_steps : int >= 1
        Rate-code length ``T`` of the spiking net.
    n_test : int, optional
        Evaluate on the first ``n_test`` test samples (default: all).
    seed : int
        Seeds initialisation, data order and spike codes.
    progress : bool
        Show progress bars (on a terminal only).

    Returns
    -------
    list of dict
        The rows of :func:`astrolava.deploy.compare.compare_backends`, rate net first.

    Raises
    ------
    ValueError
        Unknown ``dataset`` (the message lists the available ones) or bad sizes.
    FileNotFoundError
        If the dataset's files are missing.
    """
    X_train, y_train = load_dataset(dataset, "train")
    X_test, y_test = load_dataset(dataset, "test")
    if n_test is not None:
        if n_test < 1:
            raise ValueError(f"n_test={n_test} must be >= 1")
        X_test, y_test = X_test[:n_test], y_test[:n_test]
    sizes = [X_train.shape[1], *hidden, int(y_train.max()) + 1]
    torch.manual_seed(seed)
    rate = RateMLP(sizes)
    train_backprop(rate, X_train, y_train, epochs=epochs, seed=seed, progress=progress)
    spiking = SpikingMLP(sizes, num_steps=num_steps)
    train_backprop(spiking, X_train, y_train, epochs=spiking_epochs, seed=seed,
                   progress=progress)
    rows = []
    for model in (rate, spiking):
        rows += compare_backends(model, X_test, y_test, seed=seed, progress=progress)
    print(format_table(rows))
    return rows
