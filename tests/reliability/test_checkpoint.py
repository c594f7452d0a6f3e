"""astrolava.checkpoint: atomic replacement, checksums verified on load, one run per folder."""

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest

from astrolava.checkpoint import (
    HEADER_BYTES,
    LOCK_NAME,
    CheckpointError,
    OutputLockedError,
    check_output_folder,
    lock_output,
    read_checkpoint,
    write_checkpoint,
    write_json_atomic,
    write_text_atomic,
)


def test_round_trip_and_layout(tmp_path):
    path = tmp_path / "state.ckpt"
    write_checkpoint(path, b"payload")
    raw = path.read_bytes()
    assert raw[HEADER_BYTES:] == b"payload"
    assert raw[HEADER_BYTES - 32:HEADER_BYTES] == hashlib.sha256(b"payload").digest()
    assert read_checkpoint(path) == b"payload"
    write_checkpoint(path, b"")
    assert read_checkpoint(path) == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.ckpt"]


@pytest.mark.parametrize(("damage", "message"), [
    (lambda raw: raw[:HEADER_BYTES + 3], "truncated"),
    (lambda raw: raw[:10], "not an astrolava checkpoint"),
    (lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]), "corrupt"),
    (lambda raw: raw[:HEADER_BYTES] + bytes([raw[HEADER_BYTES] ^ 0x80]) + raw[HEADER_BYTES + 1:],
     "corrupt"),
    (lambda raw: raw + b"x", "padded"),
    (lambda raw: b"PK\x03\x04" + raw[4:], "not an astrolava checkpoint"),
])
def test_damaged_checkpoint_is_refused_with_its_name(tmp_path, damage, message):
    path = tmp_path / "state.ckpt"
    write_checkpoint(path, bytes(range(256)) * 4)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CheckpointError, match=message) as info:
        read_checkpoint(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match=str(tmp_path / "nope")):
        read_checkpoint(tmp_path / "nope")


def test_write_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "metrics.json"
    write_json_atomic(path, {"a": 1})
    with pytest.raises(ValueError):
        write_json_atomic(path, {"a": float("nan")})  # strict JSON refuses NaN before writing
    assert path.read_text() == '{\n  "a": 1\n}\n'
    write_text_atomic(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]
    with pytest.raises(IsADirectoryError):
        write_text_atomic(tmp_path, "x")


def test_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="existing file"):
        check_output_folder(tmp_path / "file")
    with pytest.raises(ValueError, match="existing file"), lock_output(tmp_path / "file"):
        pass
    assert check_output_folder(tmp_path / "new") == tmp_path / "new"


def test_lock_is_exclusive_within_and_across_processes(tmp_path):
    out = tmp_path / "run"
    with lock_output(out):
        assert (out / LOCK_NAME).read_text() == f"{os.getpid()}\n"
        with pytest.raises(OutputLockedError, match="in use"), lock_output(out):
            pass
        other = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from astrolava.checkpoint import lock_output, OutputLockedError
            try:
                with lock_output({str(out)!r}):
                    print("locked")
            except OutputLockedError as err:
                print(err)
        """)], capture_output=True, text=True, timeout=60, check=True)
        assert f"pid {os.getpid()}" in other.stdout and str(out) in other.stdout
    with lock_output(out):  # released at the end of the block
        pass


def test_lock_is_released_when_its_holder_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from astrolava.checkpoint import lock_output
        with lock_output({str(tmp_path)!r}):
            print("locked", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid}"), lock_output(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with lock_output(tmp_path):
        pass


def test_lock_is_not_kept_by_a_forked_child_that_outlives_its_parent(tmp_path):
    parent = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, time
        from astrolava.checkpoint import lock_output
        with lock_output({str(tmp_path)!r}):
            child = os.fork()
            if child == 0:
                os.closerange(0, 3)  # let the test read the parent's output at its exit
                time.sleep(30)
                os._exit(0)
            print(child, flush=True)
            os._exit(0)  # the parent dies holding the lock; the child lives on
    """)], capture_output=True, text=True, timeout=60)
    child = int(parent.stdout)
    try:
        assert os.path.exists(f"/proc/{child}")
        with lock_output(tmp_path):
            pass
    finally:
        os.kill(child, 9)


def _trained(out, epochs, resume=False):
    import numpy as np
    from astrolava.models import build_model
    from astrolava.models.mgd.trainer import Dataset, make_config, make_learner, train

    gen = np.random.default_rng(0)
    X = gen.random((40, 4)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(np.int64)
    model = build_model("rate", 4, 2, seed=1, hidden=(3,))
    learner = make_learner("bp", model, make_config("bp"), seed=1)
    return train(learner, Dataset.from_arrays(X[:32], y[:32], X[32:], y[32:]), epochs,
                 batch_size=8, seed=1, out=out, resume=resume, diagnostics_size=0,
                 progress=False)


def test_trainer_refuses_a_damaged_checkpoint_and_repairs_metrics_on_resume(tmp_path):
    from astrolava.models.mgd.trainer import CHECKPOINT, METRICS

    _trained(tmp_path, 1)
    path = tmp_path / CHECKPOINT
    good = path.read_bytes()
    path.write_bytes(good[:-20] + bytes([good[-20] ^ 4]) + good[-19:])  # one flipped bit
    with pytest.raises(CheckpointError, match=f"{path}.*corrupt"):
        _trained(tmp_path, 2, resume=True)
    path.write_bytes(good[:len(good) // 2])
    with pytest.raises(CheckpointError, match=f"{path}.*truncated"):
        _trained(tmp_path, 2, resume=True)
    path.write_bytes(good)
    (tmp_path / METRICS).write_text("")  # as after a crash between the two replacements
    history = _trained(tmp_path, 2, resume=True)
    assert [r["epoch"] for r in history] == [1, 2]
    assert len((tmp_path / METRICS).read_text().splitlines()) == 2
