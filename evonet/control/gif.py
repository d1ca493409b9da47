"""Animated GIFs of rendered episodes (``EvolvedPolicy.rollout(render=True)`` frames)."""

import numpy as np

from evonet.checks import check_int
from evonet.io import atomic_write

__all__ = ["save_gif"]


def save_gif(frames, path, fps=30, every=1):
    """Write RGB frames to an animated GIF, atomically; needs Pillow (``evonet[plot]``).

    Parameters
    ----------
    frames : sequence of ndarray of shape (height, width, 3), uint8
        For instance the frames of ``EvolvedPolicy.rollout(render=True)``.
    path : str or os.PathLike
    fps : float, default=30
        Frames per second of the animation.
    every : int, default=1
        Keep one frame in ``every`` (a shorter file for long episodes).

    Raises
    ------
    ValueError
        For no frames, frames that are not RGB images of one size, or a
        non-positive ``fps`` or ``every``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> frames = [np.full((8, 8, 3), k * 60, dtype=np.uint8) for k in range(4)]
    >>> path = os.path.join(tempfile.mkdtemp(), "episode.gif")
    >>> save_gif(frames, path, fps=10)
    >>> open(path, "rb").read(6)
    b'GIF89a'
    """
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        raise ImportError("save_gif needs Pillow: pip install 'evonet[plot]'.") from None
    check_int(every, "every")
    if isinstance(fps, bool) or not isinstance(fps, (int, float, np.number)) or \
            not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}.")
    kept = list(frames)[::every]
    if not kept:
        raise ValueError("no frames to save.")
    images = []
    for k, frame in enumerate(kept):
        array = np.asarray(frame)
        if array.ndim != 3 or array.shape[2] != 3 or array.shape != np.shape(kept[0]):
            raise ValueError(f"frame {k * every} has shape {array.shape}; frames must be RGB "
                             f"images (height, width, 3) of one size.")
        if array.dtype != np.uint8:
            raise ValueError(f"frame {k * every} has dtype {array.dtype}, expected uint8.")
        images.append(Image.fromarray(array, mode="RGB"))
    duration = max(1, round(1000 / fps))
    atomic_write(path, lambda f: images[0].save(f, format="GIF", save_all=True,
                                                append_images=images[1:],
                                                duration=duration, loop=0))
