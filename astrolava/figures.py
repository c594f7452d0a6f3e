"""Writing matplotlib figures: the one ending shared by every plot of the package and its
benchmarks."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 110,
                rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay out ``fig``, write it to ``path`` (PNG by the suffix) and close it.

    Parameters
    ----------
    fig
        The figure to write.
    path
        Destination; missing parent folders are created.
    dpi
        Resolution of the written image.
    rect
        The ``(left, bottom, right, top)`` box in figure coordinates that the axes are laid out
        in (:meth:`matplotlib.figure.Figure.tight_layout`), leaving room for a legend below
        or a title above; ``None`` uses the whole figure.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import matplotlib.pyplot as plt

    fig.tight_layout(rect=rect)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
