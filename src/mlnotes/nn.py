r"""Models over NumPy: a ``Module`` holding :class:`mlnotes.autograd.Tensor` parameters.

The book's models are ``torch.nn.Module`` s, and the browser has no torch. Each
has a NumPy *twin* built from the same functions of the package, whose
parameters are :class:`~mlnotes.autograd.Tensor` leaves: the engine records the
graph, ``loss.backward()`` fills every parameter's ``grad`` through the package's
own backward functions, and the same :func:`mlnotes.training.fit` and
:mod:`mlnotes.optim` optimizers train it.

This module gives the twins what ``torch.nn`` gives the torch models, and no
more:

- :class:`Module`: ``parameters()``, ``named_parameters()``, ``state_dict()`` and
  ``load_state_dict()`` (which takes a torch model's ``state_dict()`` too, so a twin
  starts from the torch model's very weights), ``train()``/``eval()``;
- :class:`Linear`, :math:`y = x W^\top + b`, initialised as torch initialises
  ``nn.Linear`` (uniform in :math:`\pm 1/\sqrt{n_\text{in}}`), from a NumPy generator;
- :class:`Sequential`, and the activations as modules (:class:`ReLU`,
  :class:`Tanh`, :class:`Sigmoid`) that call the package's functions.

A parameter is any attribute holding a Tensor that requires grad; a sub-model is
any attribute holding a :class:`Module` (or a list of them). Names follow torch
(``"0.weight"``, ``"experts.1.bias"``), so a twin's ``state_dict`` keys are its torch
model's.

Explained in the book: :doc:`/backprop` (the engine and the twins).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .activations import relu, sigmoid, tanh
from .autograd import Tensor
from .backend import as_generator, check_number, is_tensor, is_torch, to_numpy

__all__ = ["Module", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid"]


class Module:
    r"""The base of the NumPy models: parameters found by attribute, called through ``forward``.

    A subclass sets its parameters (Tensors with ``requires_grad=True``) and
    sub-models as attributes in ``__init__`` and writes ``forward``; calling the
    model calls ``forward``.

    Example:
        >>> class Scale(Module):
        ...     def __init__(self):
        ...         self.w = Tensor(np.array([2.0]), requires_grad=True)
        ...     def forward(self, x):
        ...         return self.w * x
        >>> model = Scale()
        >>> [name for name, _ in model.named_parameters()]
        ['w']
        >>> model(np.array([1.0, 3.0])).sum().backward()
        >>> model.w.grad
        array([4.])
    """

    training = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def _children(self) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` of every parameter and sub-model, in the order they were set."""
        for name, value in vars(self).items():
            if isinstance(value, (list, tuple)) and any(isinstance(v, Module) for v in value):
                for k, v in enumerate(value):
                    yield f"{name}.{k}", v
            else:
                yield name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        r"""``(name, parameter)`` for every parameter, sub-models' included, each once.

        Example:
            >>> net = Sequential(Linear(2, 3, generator=0), ReLU(), Linear(3, 1, generator=1))
            >>> [name for name, _ in net.named_parameters()]
            ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        seen: set[int] = set()
        for name, value in self._children():
            if is_tensor(value) and value.requires_grad:
                found = [(prefix + name, value)]
            elif isinstance(value, Module):
                found = list(value.named_parameters(prefix + name + "."))
            else:
                continue
            for full, p in found:
                if id(p) not in seen:
                    seen.add(id(p))
                    yield full, p

    def parameters(self) -> Iterator[Tensor]:
        r"""Every parameter, each once (for an optimizer).

        Example:
            >>> sum(p.size for p in Linear(4, 3, generator=0).parameters())
            15
        """
        return (p for _, p in self.named_parameters())

    def modules(self) -> Iterator[Module]:
        r"""This model and every sub-model, depth first.

        Example:
            >>> [type(m).__name__ for m in Sequential(Linear(1, 1, generator=0), Tanh()).modules()]
            ['Sequential', 'Linear', 'Tanh']
        """
        yield self
        for _, value in self._children():
            if isinstance(value, Module):
                yield from value.modules()

    def train(self, mode: bool = True) -> Module:
        r"""Set training mode (``True``) or evaluation mode on this model and every sub-model.

        Example:
            >>> Linear(1, 1, generator=0).eval().training
            False
        """
        if not isinstance(mode, bool):
            raise TypeError(f"mode must be True or False, got {type(mode).__name__}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        r"""Evaluation mode: ``train(False)``.

        Example:
            >>> Linear(1, 1, generator=0).eval().training
            False
        """
        return self.train(False)

    def zero_grad(self) -> None:
        r"""Forget every parameter's gradient.

        Example:
            >>> layer = Linear(1, 1, generator=0)
            >>> layer(np.ones((1, 1))).sum().backward()
            >>> layer.zero_grad()
            >>> layer.weight.grad is None
            True
        """
        for p in self.parameters():
            p.grad = None

    def state_dict(self) -> dict[str, np.ndarray]:
        r"""A copy of every parameter's array, by name.

        Example:
            >>> sorted(Linear(2, 1, generator=0).state_dict())
            ['bias', 'weight']
        """
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> Module:
        r"""Copy every parameter's numbers from ``state_dict`` (arrays, or a torch model's tensors).

        The names must be exactly this model's, and each shape its parameter's; the
        values keep this model's dtype. Given a torch twin's ``state_dict()``, the
        NumPy model starts from the same weights.

        Example:
            >>> a, b = Linear(2, 1, generator=0), Linear(2, 1, generator=1)
            >>> bool(np.all(b.load_state_dict(a.state_dict()).weight.data == a.weight.data))
            True
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict must be a dict of arrays by name, "
                            f"got {type(state_dict).__name__}")
        params = dict(self.named_parameters())
        if set(params) != set(state_dict):
            missing, extra = sorted(set(params) - set(state_dict)), sorted(
                set(state_dict) - set(params))
            raise ValueError(f"state_dict's names differ from the model's: missing {missing}, "
                             f"unexpected {extra}")
        for name, p in params.items():
            value = to_numpy(state_dict[name]) if (is_torch(state_dict[name]) or is_tensor(
                state_dict[name])) else np.asarray(state_dict[name])
            if value.shape != p.shape:
                raise ValueError(f"state_dict[{name!r}] has shape {value.shape}, the model's "
                                 f"parameter has {p.shape}")
            p.data[...] = value
        return self

    def __repr__(self) -> str:
        inner = [f"  ({name}): {value!r}".replace("\n", "\n  ")
                 for name, value in self._children() if isinstance(value, Module)]
        return type(self).__name__ + ("(\n" + "\n".join(inner) + "\n)" if inner else "()")


class Linear(Module):
    r"""An affine map :math:`y = x W^\top + b`, with torch's ``nn.Linear`` initialisation.

    .. math::
        W_{ij},\ b_i \sim \mathcal{U}\Big(-\frac{1}{\sqrt{n_\text{in}}},
        \frac{1}{\sqrt{n_\text{in}}}\Big)

    Args:
        in_features: :math:`n_\text{in}`.
        out_features: :math:`n_\text{out}`.
        bias: whether to add :math:`b`.
        generator: a NumPy ``Generator`` or an int seed for the initial weights
            (required: the package draws no hidden global randomness).
        dtype: the parameters' dtype (float64, as NumPy computes).

    Example:
        >>> layer = Linear(3, 2, generator=0)
        >>> layer.weight.shape, layer.bias.shape
        ((2, 3), (2,))
        >>> layer(np.ones((5, 3))).shape
        (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 generator: Any, dtype: Any = np.float64) -> None:
        in_features = check_number(in_features, "in_features", low=1, integer=True)
        out_features = check_number(out_features, "out_features", low=1, integer=True)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {type(bias).__name__}")
        rng = as_generator(generator)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype),
                             requires_grad=True)
        self.bias = (Tensor(rng.uniform(-bound, bound, out_features).astype(dtype),
                            requires_grad=True) if bias else None)

    def forward(self, x: Any) -> Tensor:
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def __repr__(self) -> str:
        out, inp = self.weight.shape
        return f"Linear(in_features={inp}, out_features={out}, bias={self.bias is not None})"


class Sequential(Module):
    r"""Models applied in turn: ``Sequential(f, g)(x) = g(f(x))``; names ``"0"``, ``"1"``, ....

    Example:
        >>> net = Sequential(Linear(2, 4, generator=0), ReLU(), Linear(4, 1, generator=1))
        >>> net(np.ones((3, 2))).shape
        (3, 1)
    """

    def __init__(self, *layers: Module) -> None:
        for k, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"layers[{k}] must be an mlnotes.nn.Module, "
                                f"got {type(layer).__name__}")
        self.layers = list(layers)

    def _children(self) -> Iterator[tuple[str, Any]]:
        for k, layer in enumerate(self.layers):  # torch's names: "0.weight", not "layers.0..."
            yield str(k), layer

    def __getitem__(self, k: int) -> Module:
        return self.layers[k]

    def __len__(self) -> int:
        return len(self.layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x


class ReLU(Module):
    r""":func:`mlnotes.activations.relu` as a layer.

    Example:
        >>> ReLU()(np.array([-1.0, 2.0]))
        array([0., 2.])
    """

    def forward(self, x: Any) -> Any:
        return relu(x)


class Tanh(Module):
    r""":func:`mlnotes.activations.tanh` as a layer.

    Example:
        >>> Tanh()(np.array([0.0]))
        array([0.])
    """

    def forward(self, x: Any) -> Any:
        return tanh(x)


class Sigmoid(Module):
    r""":func:`mlnotes.activations.sigmoid` as a layer.

    Example:
        >>> Sigmoid()(np.array([0.0]))
        array([0.5])
    """

    def forward(self, x: Any) -> Any:
        return sigmoid(x)
