r"""The experiment of the softmax page: how much gradient a saturated softmax lets through.

- :func:`saturation_gradients`: the gradient that reaches the logits when a wrong
  class leads, through softmax and through log-softmax.

Explained in the book: :doc:`/softmax`; presented in the deck "Lecture: Softmax".
"""

from __future__ import annotations

import numpy as np

from ..activations import log_softmax, log_softmax_backward, softmax, softmax_backward
from ..backend import check_number

__all__ = ["saturation_gradients"]


def saturation_gradients(gaps: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    r"""How much gradient reaches the logits when a wrong class leads by ``gaps``.

    The logits are :math:`x = (g, 0, \dots, 0)` (``k`` classes) and the target is
    class 1, a *wrong* class, so a good loss should push hard. The loss on the
    probability, :math:`-p_1`, sends back a gradient that shrinks like
    :math:`e^{-g}`; the loss on the log-probability, :math:`-\log p_1`, one whose
    norm tends to :math:`\sqrt 2` however large :math:`g` grows:

    .. math::
        \Big\|\frac{\partial(-p_1)}{\partial x}\Big\| = p_1 \|p - e_1\|, \qquad
        \Big\|\frac{\partial(-\log p_1)}{\partial x}\Big\| = \|p - e_1\|.

    Both come from the explicit backwards, :func:`softmax_backward` and
    :func:`log_softmax_backward`. Drawn by :func:`mlnotes.plotting.saturation_figure`.

    Args:
        gaps: the gaps :math:`g`, shape ``(G,)`` (an array or a list of numbers).
        k: the number of classes, at least 2.

    Returns:
        ``(soft, logsoft)``: the two gradient norms, each of shape ``(G,)``.

    Example:
        >>> soft, logsoft = saturation_gradients(np.array([0.0, 20.0]))
        >>> bool(soft[1] < 1e-8 < 0.5 < logsoft[1])
        True
    """
    k = check_number(k, "k", low=2, integer=True)
    gaps = np.asarray(gaps)
    if gaps.dtype == bool or not (np.issubdtype(gaps.dtype, np.integer)
                                  or np.issubdtype(gaps.dtype, np.floating)):
        raise TypeError(f"gaps must be an array of real numbers, got dtype {gaps.dtype}")
    if gaps.ndim != 1:
        raise ValueError(f"gaps must have shape (G,), got {gaps.shape}")
    x = np.zeros((len(gaps), k))
    x[:, 0] = gaps
    g = np.zeros_like(x)
    g[:, 1] = -1.0  # d(loss)/d(output) for loss = -output[1]
    soft = softmax_backward(g, softmax(x))
    logsoft = log_softmax_backward(g, log_softmax(x))
    return np.linalg.norm(soft, axis=1), np.linalg.norm(logsoft, axis=1)
