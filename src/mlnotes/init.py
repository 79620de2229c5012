r"""Weight initialisation: Xavier (Glorot) and Kaiming (He), with torch.nn.init's semantics.

A layer computes :math:`z = W h`, a sum of ``fan_in`` products. If the weights
are independent with mean 0 and variance :math:`\sigma_W^2`, and independent of
the inputs, then

.. math::
    \mathrm{Var}(z_i) = n_\text{in}\, \sigma_W^2\, \mathbb{E}[h_j^2].

Pick :math:`\sigma_W^2` so that the factor :math:`n_\text{in} \sigma_W^2`
(times what the nonlinearity does to the second moment) is 1, and the signal
keeps its size however deep the network is; miss it by a little, and the size is
multiplied by the same wrong factor at every layer, so it vanishes or explodes
exponentially with depth.

- **Xavier** (Glorot and Bengio, 2010) balances the forward and the backward
  pass: :math:`\sigma_W^2 = \text{gain}^2 \cdot 2 / (n_\text{in} + n_\text{out})`.
- **Kaiming / He** (He et al., 2015) keeps one of them exactly, and doubles the
  variance for ReLU, which zeroes half of its inputs:
  :math:`\sigma_W^2 = \text{gain}^2 / n_\text{mode}` with gain :math:`\sqrt 2`.

Each initialiser fills its argument **in place** and returns it: a torch tensor
(under ``torch.no_grad()``, on its own device, so a leaf that requires grad can
be initialised) or a NumPy array. The randomness comes only from an explicit
``generator``: an int seed, or a ``torch.Generator`` for a tensor and a
``numpy.random.Generator`` for an array (see :func:`mlnotes.backend.as_generator`).
For a tensor the draw is torch's own (``uniform_``/``normal_``), so with the same
generator state the values equal ``torch.nn.init``'s.

Shapes: a linear weight is ``(out_features, in_features)``; a convolution weight
is ``(C_out, C_in, *kernel)``, whose receptive field multiplies both fans.

Explained in the book: :doc:`/init`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .backend import (
    as_generator,
    check_count,
    check_floating,
    check_number,
    fill_normal_,
    fill_uniform_,
    import_torch,
    namespace,
    needs_torch,
)

torch = import_torch()

__all__ = [
    "calculate_gain",
    "fan_in_and_fan_out",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "seeded_linear",
]

#: the names torch.nn.init gives a gain of 1: layers with no nonlinearity after them
LINEAR_NAMES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
#: every nonlinearity :func:`calculate_gain` knows
NONLINEARITIES = (*LINEAR_NAMES, "sigmoid", "tanh", "relu", "leaky_relu", "selu")


# --------------------------------------------------------------------------- gain, fans


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The factor by which to scale a weight's standard deviation for ``nonlinearity``.

    ============================= ==============================================
    nonlinearity                  gain
    ============================= ==============================================
    linear, conv*, sigmoid        :math:`1`
    tanh                          :math:`5/3`
    relu                          :math:`\sqrt{2}`
    leaky_relu (slope :math:`a`)  :math:`\sqrt{2 / (1 + a^2)}`
    selu                          :math:`3/4`
    ============================= ==============================================

    ReLU keeps half of a symmetric input and zeroes the rest, so it halves the
    second moment: a gain of :math:`\sqrt 2` restores it. A leaky ReLU keeps
    :math:`(1 + a^2)/2` of it. Tanh is contracting (:math:`|\tanh x| < |x|`);
    5/3 is the value torch recommends to make up for it.

    Args:
        nonlinearity: the name of the function after the layer, as in
            ``torch.nn.functional``.
        param: the negative slope :math:`a` for ``"leaky_relu"`` (default 0.01).

    Returns:
        The gain, a float (an int 1 for the linear names, as torch returns).

    Example:
        >>> calculate_gain("relu")
        1.4142135623730951
        >>> calculate_gain("leaky_relu", 1.0)  # slope 1 is the identity
        1.0
    """
    if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
        raise ValueError(
            f"nonlinearity must be one of {', '.join(NONLINEARITIES)}, got {nonlinearity!r}"
        )
    if nonlinearity in LINEAR_NAMES or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    # leaky_relu
    if param is None:
        param = 0.01
    check_number(param, "param")  # the negative slope
    # gain = sqrt(2 / (1 + a^2))
    return math.sqrt(2.0 / (1 + param**2))


def fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    r"""The number of inputs and of outputs that each weight of ``tensor`` is shared by.

    .. math::
        n_\text{in} = C_\text{in} \cdot r, \qquad n_\text{out} = C_\text{out} \cdot r,
        \qquad r = \prod \text{kernel}

    for a weight of shape ``(C_out, C_in, *kernel)`` (``r = 1`` for a linear
    layer's ``(out_features, in_features)``).

    Args:
        tensor: a weight, a NumPy array or torch tensor with at least 2 dimensions.

    Returns:
        ``(fan_in, fan_out)``.

    Example:
        >>> import numpy as np
        >>> fan_in_and_fan_out(np.empty((16, 3, 5, 5)))  # a conv2d weight
        (75, 400)
    """
    namespace(tensor, names=("tensor",))
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(
            f"tensor must have at least 2 dimensions to have a fan-in and a fan-out, "
            f"got shape {shape}"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Any, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ------------------------------------------------------------------------- sampling


def _check_tensor(tensor: Any) -> bool:
    """Check ``tensor``; return False (after torch's warning) when it has no elements."""
    check_floating(tensor, "tensor")
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return False
    return True


# ---------------------------------------------------------------------------- Xavier


def _xavier_std(tensor: Any, gain: float) -> float:
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    # sigma = gain * sqrt(2 / (n_in + n_out))
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform_(
    tensor: Any, gain: float = 1.0, *, generator: Any
) -> Any:
    r"""Fill ``tensor`` in place from Xavier's uniform distribution :math:`\mathcal U(-b, b)`.

    .. math::
        b = \text{gain} \cdot \sqrt{\frac{6}{n_\text{in} + n_\text{out}}},
        \qquad \mathrm{Var} = \frac{b^2}{3}
        = \text{gain}^2 \cdot \frac{2}{n_\text{in} + n_\text{out}}

    Properties (tested): every value lies in :math:`[-b, b]`; the sample
    variance is :math:`b^2/3` within its sampling error; for a tensor, the values
    equal ``torch.nn.init.xavier_uniform_``'s from the same generator state.

    Args:
        tensor: the weight to fill (NumPy array or torch tensor, at least 2-D, floating).
        gain: scale factor, e.g. ``calculate_gain("tanh")``.
        generator: an int seed, or a ``torch.Generator`` on the tensor's device (tensor)
            or a ``numpy.random.Generator`` (array).

    Returns:
        ``tensor`` itself, filled.

    Example:
        >>> import numpy as np
        >>> w = xavier_uniform_(np.empty((300, 100)), generator=0)
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 400))
        True
    """
    if not _check_tensor(tensor):
        return tensor
    rng = as_generator(generator, like=tensor)
    # b = sqrt(3) * sigma: U(-b, b) has variance b^2 / 3
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)
    return fill_uniform_(tensor, -bound, bound, rng)


def xavier_normal_(
    tensor: Any, gain: float = 1.0, *, generator: Any
) -> Any:
    r"""Fill ``tensor`` in place from Xavier's normal distribution :math:`\mathcal N(0, \sigma^2)`.

    .. math::
        \sigma = \text{gain} \cdot \sqrt{\frac{2}{n_\text{in} + n_\text{out}}}

    Args:
        tensor: the weight to fill (NumPy array or torch tensor, at least 2-D, floating).
        gain: scale factor, e.g. ``calculate_gain("tanh")``.
        generator: an int seed, or a ``torch.Generator`` on the tensor's device (tensor)
            or a ``numpy.random.Generator`` (array).

    Returns:
        ``tensor`` itself, filled.

    Example:
        >>> import numpy as np
        >>> w = xavier_normal_(np.empty((500, 500)), generator=0)
        >>> round(float(w.var() * 1000), 1)  # 2 / (500 + 500) = 0.002
        2.0
    """
    if not _check_tensor(tensor):
        return tensor
    rng = as_generator(generator, like=tensor)
    return fill_normal_(tensor, 0.0, _xavier_std(tensor, gain), rng)


# ----------------------------------------------------------------------- Kaiming (He)


def _kaiming_std(tensor: Any, a: float, mode: str, nonlinearity: str) -> float:
    fan = _fan(tensor, mode)
    # sigma = gain / sqrt(n_mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator: Any,
) -> Any:
    r"""Fill ``tensor`` in place from He's uniform distribution :math:`\mathcal U(-b, b)`.

    .. math::
        b = \text{gain} \cdot \sqrt{\frac{3}{n_\text{mode}}},
        \qquad \mathrm{Var} = \frac{\text{gain}^2}{n_\text{mode}}

    ``mode="fan_in"`` keeps the variance of the activations in the forward
    pass; ``"fan_out"`` keeps that of the gradients in the backward pass.

    Args:
        tensor: the weight to fill (NumPy array or torch tensor, at least 2-D, floating).
        a: the negative slope of the leaky ReLU after this layer (used by
            ``"leaky_relu"`` only; ``a = 0`` is a ReLU).
        mode: ``"fan_in"`` or ``"fan_out"``.
        nonlinearity: the function after the layer (see :func:`calculate_gain`).
        generator: an int seed, or a ``torch.Generator`` on the tensor's device (tensor)
            or a ``numpy.random.Generator`` (array).

    Returns:
        ``tensor`` itself, filled.

    Example:
        >>> import numpy as np
        >>> w = kaiming_uniform_(np.empty((64, 50)), nonlinearity="relu", generator=0)
        >>> bool(np.abs(w).max() <= np.sqrt(2) * np.sqrt(3 / 50))
        True
    """
    if not _check_tensor(tensor):
        return tensor
    rng = as_generator(generator, like=tensor)
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return fill_uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(
    tensor: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator: Any,
) -> Any:
    r"""Fill ``tensor`` in place from He's normal distribution :math:`\mathcal N(0, \sigma^2)`.

    .. math::
        \sigma = \frac{\text{gain}}{\sqrt{n_\text{mode}}}

    Args:
        tensor: the weight to fill (NumPy array or torch tensor, at least 2-D, floating).
        a: the negative slope of the leaky ReLU after this layer.
        mode: ``"fan_in"`` or ``"fan_out"``.
        nonlinearity: the function after the layer (see :func:`calculate_gain`).
        generator: an int seed, or a ``torch.Generator`` on the tensor's device (tensor)
            or a ``numpy.random.Generator`` (array).

    Returns:
        ``tensor`` itself, filled.

    Example:
        >>> import torch
        >>> w = kaiming_normal_(torch.empty(400, 800), nonlinearity="relu", generator=0)
        >>> round(float(w.var() * 800), 1)  # gain^2 = 2
        2.0
    """
    if not _check_tensor(tensor):
        return tensor
    rng = as_generator(generator, like=tensor)
    return fill_normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)


# ------------------------------------------------ a linear layer, seeded


@needs_torch
def seeded_linear(in_features: int, out_features: int, generator: int | torch.Generator = 0,
                  dtype: torch.dtype | None = None) -> torch.nn.Linear:
    r"""A ``torch.nn.Linear`` with torch's default initialisation, drawn from ``generator``.

    Weights and bias are uniform on :math:`[-1/\sqrt{D}, 1/\sqrt{D}]` (``D`` =
    ``in_features``), as torch draws them, but from an explicit generator
    instead of the global one, so a model is the same on every run.

    Example:
        >>> layer = seeded_linear(3, 2, generator=0)
        >>> bool(layer.weight.abs().max() <= 1 / 3 ** 0.5)
        True
    """
    in_features = check_count(in_features, "in_features")
    out_features = check_count(out_features, "out_features")
    g = as_generator(generator, "torch")
    # skip_init: no draw from torch's global generator, which must stay untouched
    layer = torch.nn.utils.skip_init(torch.nn.Linear, in_features, out_features, dtype=dtype)
    bound = 1 / math.sqrt(in_features)
    fill_uniform_(layer.weight, -bound, bound, g)
    fill_uniform_(layer.bias, -bound, bound, g)
    return layer
