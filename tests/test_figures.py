"""The shared figure ending: layout, write, close."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from astrolava.figures import save_figure  # noqa: E402


def test_save_figure_writes_a_png_into_new_folders_and_closes(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    path = save_figure(fig, tmp_path / "a" / "b" / "fig.png", dpi=50)
    assert path == tmp_path / "a" / "b" / "fig.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)
    assert plt.imread(path).shape[:2] == (75, 100)
