r"""The mixture of experts: a gater picks, input by input, which experts to listen to.

A mixture of experts has ``E`` expert networks and one gater. The gater looks at
the input and returns a softmax over the experts; the output is the experts'
outputs mixed with those probabilities, that is :func:`~mlnotes.gating.softmax_gate`
of the experts' outputs with the gater's logits:

.. math::
    p = \mathrm{softmax}(g(x)), \qquad y = \sum_{e=1}^{E} p_e\, f_e(x)

Trained end to end, the gater learns to split the input space into regions and
each expert learns the part of the task in its region, so that several simple
(even linear) experts can solve a task that none of them solves alone.

Explained in the book: :doc:`/architectures`; presented in the deck "Lecture:
Architectures".

:class:`MixtureOfExperts` is a ``torch.nn.Module``; :class:`NumpyMixtureOfExperts` is its
twin over NumPy (an :class:`mlnotes.nn.Module`), running the same forward.

Shapes: ``N`` batch, ``D`` input features, ``O`` outputs, ``E`` experts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import nn
from .activations import softmax
from .backend import as_generator, check_count, check_model, import_torch, namespace
from .gating import softmax_gate
from .init import seeded_linear
from .losses import cross_entropy
from .optim import Adam
from .training import fit

torch = import_torch()

__all__ = ["MixtureOfExperts", "NumpyMixtureOfExperts", "fit_classifier"]


class _MixtureForward:
    """The forward of the mixture, one body for :class:`MixtureOfExperts` and its twin."""

    experts: Any
    gater: Any
    num_experts: int

    def gate_logits(self, x: Any) -> Any:
        """The gater's logits, shape ``(N, E)``."""
        logits = self.gater(x)
        if logits.shape[-1] != self.num_experts:
            raise ValueError(
                f"the gater must return (..., E) logits with E = {self.num_experts}, "
                f"got shape {tuple(logits.shape)}"
            )
        return logits

    def expert_outputs(self, x: Any) -> Any:
        """Every expert's output, stacked: shape ``(N, E, O)``."""
        outputs = [expert(x) for expert in self.experts]
        return namespace(*outputs).stack(outputs, axis=-2)

    def forward(self, x: Any) -> tuple[Any, Any]:
        logits = self.gate_logits(x)  # (N, E)
        # y = sum_e softmax(g(x))_e f_e(x)
        mixture = softmax_gate(self.expert_outputs(x), logits)  # (N, O)
        return mixture, softmax(logits, axis=-1)


def _check_experts(experts: Sequence[Any] | None, E: int) -> None:
    if experts is not None and len(experts) != E:
        raise ValueError(f"experts must hold num_experts = {E} modules, got {len(experts)}")


class MixtureOfExperts(_MixtureForward, torch.nn.Module):
    r"""A softmax gater over ``E`` experts (linear by default).

    .. math::
        p = \mathrm{softmax}(g(x)) \in \R^{E}, \qquad
        y = \sum_{e} p_e\, f_e(x) = \mathrm{softmax\_gate}\big([f_1(x), \dots, f_E(x)],\ g(x)\big)

    Args:
        in_features: ``D``, the size of the input.
        out_features: ``O``, the size of each expert's output.
        num_experts: ``E >= 1``. With ``E = 1`` the gate is always 1 and the
            model is its single expert.
        experts: ``E`` modules mapping ``(N, D)`` to ``(N, O)``; linear layers
            if ``None``.
        gater: a module mapping ``(N, D)`` to ``E`` logits ``(N, E)``; a linear
            layer if ``None``.
        generator: seed (or ``torch.Generator``) for the default layers.
        dtype: dtype of the default layers.

    Returns (of ``forward``):
        ``(mixture, gate_probs)`` of shapes ``(N, O)`` and ``(N, E)``.

    Example:
        >>> import torch
        >>> moe = MixtureOfExperts(2, 3, num_experts=4)
        >>> y, p = moe(torch.zeros(5, 2))
        >>> tuple(y.shape), tuple(p.shape), bool(torch.allclose(p.sum(-1), torch.ones(5)))
        ((5, 3), (5, 4), True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        num_experts: int = 2,
        experts: Sequence[torch.nn.Module] | None = None,
        gater: torch.nn.Module | None = None,
        generator: int | torch.Generator = 0,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        in_features = check_count(in_features, "in_features")
        out_features = check_count(out_features, "out_features")
        E = check_count(num_experts, "num_experts")
        g = as_generator(generator, "torch")
        _check_experts(experts, E)
        if experts is None:
            experts = [seeded_linear(in_features, out_features, g, dtype) for _ in range(E)]
        self.experts = torch.nn.ModuleList(experts)
        self.gater = seeded_linear(in_features, E, g, dtype) if gater is None else gater
        self.num_experts = E


class NumpyMixtureOfExperts(_MixtureForward, nn.Module):
    r"""The NumPy twin of :class:`MixtureOfExperts`: the same forward, over :mod:`mlnotes.nn`.

    .. math::
        p = \mathrm{softmax}(g(x)), \qquad y = \sum_{e} p_e\, f_e(x)

    The default experts and gater are :class:`mlnotes.nn.Linear` layers drawn from a
    NumPy generator (so not :class:`MixtureOfExperts`'s numbers); the parameter
    names are the torch model's (``"experts.0.weight"``, ..., ``"gater.bias"``), so
    ``twin.load_state_dict(moe.state_dict())`` starts the twin from its weights.

    Args:
        in_features: ``D``, the size of the input.
        out_features: ``O``, the size of each expert's output.
        num_experts: ``E >= 1``.
        experts: ``E`` :class:`mlnotes.nn.Module` s mapping ``(N, D)`` to ``(N, O)``;
            linear layers if ``None``.
        gater: an :class:`mlnotes.nn.Module` mapping ``(N, D)`` to ``(N, E)``; a linear
            layer if ``None``.
        generator: an int seed or a NumPy ``Generator`` for the default layers.
        dtype: dtype of the default layers (float64).

    Returns (of ``forward``):
        ``(mixture, gate_probs)`` of shapes ``(N, O)`` and ``(N, E)``.

    Example:
        >>> moe = NumpyMixtureOfExperts(2, 3, num_experts=4)
        >>> y, p = moe(np.zeros((5, 2)))
        >>> y.shape, p.shape, bool(np.allclose(p.data.sum(-1), 1))
        ((5, 3), (5, 4), True)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        num_experts: int = 2,
        experts: Sequence[nn.Module] | None = None,
        gater: nn.Module | None = None,
        generator: int | np.random.Generator = 0,
        dtype: Any = np.float64,
    ) -> None:
        in_features = check_count(in_features, "in_features")
        out_features = check_count(out_features, "out_features")
        E = check_count(num_experts, "num_experts")
        g = as_generator(generator)
        _check_experts(experts, E)
        if experts is None:
            experts = [nn.Linear(in_features, out_features, generator=g, dtype=dtype)
                       for _ in range(E)]
        for k, part in enumerate([*experts, gater]):
            if part is not None and not isinstance(part, nn.Module):
                name = f"experts[{k}]" if k < E else "gater"
                raise TypeError(f"{name} must be an mlnotes.nn.Module, got {type(part).__name__}")
        self.experts = list(experts)
        self.gater = (nn.Linear(in_features, E, generator=g, dtype=dtype) if gater is None
                      else gater)
        self.num_experts = E


def fit_classifier(
    model: Any, X: Any, y: Any, steps: int = 300, lr: float = 0.05
) -> list[float]:
    r"""Train a classifier with full-batch Adam on the cross-entropy, return the losses.

    .. math::
        L = -\frac{1}{N} \sum_n \log \mathrm{softmax}(\mathrm{logits}_n)_{y_n}

    ``model(X)`` may return the logits or a tuple whose first entry is the
    logits (as :class:`MixtureOfExperts` does). The loop is
    :func:`mlnotes.training.fit`; the optimizer :class:`mlnotes.optim.Adam`. A NumPy
    model (:class:`NumpyMixtureOfExperts`, an :class:`mlnotes.nn.Linear`) trains on
    NumPy arrays, with no torch.

    Args:
        model: the classifier, returning ``(N, K)`` logits: a torch model, or a NumPy
            one.
        X: inputs, shape ``(N, D)``: a tensor for a torch model, an array for a NumPy one.
        y: class indices, shape ``(N,)``, integer dtype.
        steps: number of Adam steps.
        lr: Adam's learning rate.

    Returns:
        The loss before each step.

    Example:
        >>> import torch
        >>> X, y = torch.tensor([[-1.0], [1.0]]), torch.tensor([0, 1])
        >>> losses = fit_classifier(seeded_linear(1, 2), X, y, steps=50)
        >>> losses[-1] < losses[0]
        True

        The same with NumPy:

        >>> losses = fit_classifier(NumpyMixtureOfExperts(1, 2), np.array([[-1.0], [1.0]]),
        ...                         np.array([0, 1]), steps=50)
        >>> losses[-1] < losses[0]
        True
    """
    check_model(model, inputs=X, inputs_name="X")
    xp = namespace(X, y, names=("X", "y"))
    steps = check_count(steps, "steps")
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (N, D) and y shape (N,), got {tuple(X.shape)} "
                         f"and {tuple(y.shape)}")
    if not xp.isdtype(y.dtype, "integral"):
        raise TypeError(f"y must hold integer class indices, "
                        f"got dtype {str(y.dtype).removeprefix('torch.')}")

    def loss_fn(batch: tuple[Any, Any]) -> Any:
        inputs, target = batch
        out = model(inputs)
        logits = out[0] if isinstance(out, tuple) else out
        return cross_entropy(logits, target)

    return fit(loss_fn, Adam(model.parameters(), lr=lr), itertools.repeat((X, y), steps))
