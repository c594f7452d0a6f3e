"""Issue 14, items 3 and 8: an empty or malformed batch given to a learner, a detector fed
another number of columns, and non-finite reservoir constants are refused with the parameter
named."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from astrolava.models import build_model
from astrolava.models.mgd import trainer

from astrolava.rhythmic import SynchronyChangeDetector
from astrolava.rhythmic.params import RhythmicParams
from astrolava.validation import ParameterError, ParameterTypeError


@pytest.fixture(params=["delta-mgd", "mgd", "bp"])
def learner(request):
    model = build_model("rate", n_in=4, n_classes=3, seed=0, hidden=(5,))
    return trainer.make_learner(request.param, model, trainer.make_config(request.param))


LABELS = torch.zeros(2, dtype=torch.long)


@pytest.mark.parametrize(("x", "y", "error", "match"), [
    (torch.zeros(0, 4), LABELS[:0], ParameterError,
     r"x has 0 rows \(shape \(0, 4\)\); at least 1 is needed"),
    (torch.zeros(2, 5), LABELS, ParameterError,
     r"x has 5 entries along axis 1; 4 are needed \(shape \(2, 5\)\)"),
    (torch.zeros(4), LABELS, ParameterError, r"x must have 2 dimension\(s\); its shape is"),
    (torch.full((2, 4), float("nan")), LABELS, ParameterError,
     r"x holds nan at index \(0, 0\); every value must be finite"),
    (torch.zeros(2, 4), torch.zeros(3, dtype=torch.long), ParameterError,
     "y has 3 labels for 2 samples; give one label per sample"),
    (torch.zeros(2, 4), torch.zeros(2), ParameterTypeError,
     "y has dtype torch.float32; labels must be an integer tensor"),
    (torch.zeros(2, 4), torch.tensor([0, 3]), ParameterError,
     r"y holds labels in \[0, 3\]; each must be in \[0, 2\] \(3 classes\)"),
    (torch.zeros(2, 4), torch.tensor([-1, 0]), ParameterError,
     r"y holds labels in \[-1, 0\]; each must be in \[0, 2\]"),
])
def test_learner_refuses_bad_batches(learner, x, y, error, match) -> None:
    before = [p.detach().clone() for p in learner.model.parameters()]
    with pytest.raises(error, match=match):
        learner.train_batch(x, y)
    assert all(torch.equal(a, b) for a, b in zip(before, learner.model.parameters(),
                                                  strict=True))


@pytest.mark.parametrize("warmed_up", [False, True])
def test_detector_refuses_another_column_count(warmed_up: bool) -> None:
    detector = SynchronyChangeDetector(params=RhythmicParams(n_nodes=12, warmup=10))
    rng = np.random.default_rng(0)
    for _ in range(12 if warmed_up else 1):
        detector.update(rng.normal(size=2))
    with pytest.raises(ValueError, match="x has 3 columns; this detector was fed 2"):
        detector.update(rng.normal(size=3))


@pytest.mark.parametrize("name", ["omega", "eps1", "eps2", "gamma", "bias"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_reservoir_constants_must_be_finite(name: str, value: float) -> None:
    with pytest.raises(ParameterError, match=f"{name}=.* must be a finite number"):
        RhythmicParams(**{name: value})


def test_reservoir_constants_must_be_numbers() -> None:
    with pytest.raises(ParameterTypeError, match="omega='0.1' must be a real number"):
        RhythmicParams(omega="0.1")


def test_lava_backend_refuses_hidden_widths(capsys) -> None:
    from astrolava.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["train", "--backend", "lava", "--hidden", "32", "--epochs", "1"])
    assert "--hidden 32: the lava backend trains the preset widths" in str(exit_.value.code)
