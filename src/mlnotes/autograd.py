r"""Reverse-mode automatic differentiation over NumPy arrays: backpropagation in one file.

A :class:`Tensor` holds a NumPy array (``.data``) and, when it was computed from
other tensors, the recipe that sends a gradient back to them: its *parents* and a
local backward function. Calling ``loss.backward()`` visits the graph from the
loss back to the leaves in reverse topological order, and at each node applies
the chain rule

.. math::
    \frac{\partial L}{\partial x} \mathrel{+}= \Big(\frac{\partial y}{\partial x}\Big)^\top
    \frac{\partial L}{\partial y}

for each parent :math:`x` of a node :math:`y`: a vector-Jacobian product, never
the Jacobian itself. A tensor used twice receives the sum of both paths'
gradients, which is why the gradients *accumulate*. This is micrograd's idea
(a scalar per node there, an array per node here).

The package's functions are written once against the array API (see
:mod:`mlnotes.backend`). A ``Tensor`` names its namespace, the differentiable
primitives below (``exp``, ``sum``, ``matmul``, indexing, ...), so a package
function called on Tensors runs its own textbook body and the graph is recorded
from the primitives. Where the package has an explicit backward (softmax,
cross-entropy, conv2d, BPTT, ...), :func:`register` makes the function one node
whose backward *is* the package's ``f_backward``: the hand-derived gradients of
the book compose into training.

Shapes follow NumPy: arithmetic broadcasts, and a gradient is summed back to the
shape of the input it belongs to.

Explained in the book: :doc:`/index` (how the package is organised).
"""

from __future__ import annotations

import builtins
import functools
import inspect
import math
import types
from collections.abc import Callable
from typing import Any

import array_api_compat.numpy as npx
import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from .backend import is_torch

__all__ = [
    "Tensor",
    "register",
    "add",
    "subtract",
    "multiply",
    "divide",
    "negative",
    "pow",
    "matmul",
    "exp",
    "log",
    "log1p",
    "expm1",
    "sqrt",
    "tanh",
    "abs",
    "maximum",
    "minimum",
    "clip",
    "where",
    "sum",
    "mean",
    "max",
    "min",
    "reshape",
    "expand_dims",
    "squeeze",
    "permute_dims",
    "matrix_transpose",
    "broadcast_to",
    "astype",
    "asarray",
    "concat",
    "stack",
    "unstack",
    "take",
    "take_along_axis",
    "einsum",
]


# ================================================================== the Tensor


class Tensor:
    r"""A NumPy array that records how it was computed, so that gradients can flow back.

    Args:
        data: the array (anything ``numpy.asarray`` accepts; a Python float gives
            float64, as in NumPy). Not a torch tensor, and not another Tensor.
        requires_grad: whether ``backward()`` fills this tensor's ``.grad``; only
            for floating-point data.

    Attributes:
        data: the NumPy array.
        grad: ``None`` until a ``backward()`` reaches this leaf, then the gradient
            of the output with respect to it, an array of ``data``'s shape; later
            calls add to it (as in torch: set it to ``None`` to start again).

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()          # y = sum x^2
        >>> y.backward()
        >>> x.grad                     # dy/dx = 2x
        array([2., 4., 6.])
    """

    # NumPy's operators step aside (ndarray + Tensor calls Tensor.__radd__),
    # so a NumPy array meeting a Tensor gives a Tensor, never an object array.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            raise TypeError("data must be an array, got a Tensor (use .detach() for a copy "
                            "without history, or the Tensor itself)")
        if is_torch(data):
            raise TypeError("data must be a NumPy array, got a torch tensor (convert it with "
                            ".detach().cpu().numpy())")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
        self.data = np.asarray(data)
        if self.data.dtype == object:
            raise TypeError("data must hold numbers, got an array of Python objects")
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError("requires_grad=True needs a floating-point Tensor (only they have "
                            f"gradients): data must be floating-point, got dtype "
                            f"{self.data.dtype}")
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._parents: tuple[Tensor, ...] = ()   # the tensors this one was computed from
        self._backward: Callable | None = None   # grad of this -> grads of the parents
        self._op = ""                            # the operation's name, for repr and errors

    # --------------------------------------------------------------- description

    shape = property(lambda self: tuple(self.data.shape), doc="The shape of ``data``.")
    dtype = property(lambda self: self.data.dtype, doc="The dtype of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions of ``data``.")
    size = property(lambda self: self.data.size, doc="The number of elements of ``data``.")
    device = "cpu"
    is_leaf = property(lambda self: self._backward is None,
                       doc="Whether this tensor was made, not computed (no parents).")

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = f", grad_fn={self._op}" if self._op else (
            ", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{extra})"

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __index__(self) -> int:
        return self.data.__index__()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # NumPy may read a constant; a tensor with a gradient would silently lose it
        if self.requires_grad:
            raise TypeError("cannot turn a Tensor that requires grad into a NumPy array (its "
                            "gradient would be lost): use .detach() or .data")
        return self.data if dtype is None else self.data.astype(dtype)

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        r"""The array-API namespace of Tensors: this module's differentiable primitives.

        Example:
            >>> xp = Tensor([0.0]).__array_namespace__()
            >>> xp.exp(Tensor([0.0, 1.0])).data.round(3)
            array([1.   , 2.718])
        """
        return _NAMESPACE

    def item(self) -> float:
        r"""The value of a one-element tensor, as a Python number.

        Example:
            >>> Tensor([2.5]).item()
            2.5
        """
        return self.data.item()

    def numpy(self) -> np.ndarray:
        r"""``data`` itself (as ``torch.Tensor.numpy`` after ``detach``).

        Example:
            >>> Tensor([1.0]).numpy()
            array([1.])
        """
        return self.data

    def detach(self) -> Tensor:
        r"""A new leaf that shares ``data`` and has no history and no gradient.

        Example:
            >>> x = Tensor([1.0], requires_grad=True)
            >>> (x * 2).detach().requires_grad
            False
        """
        return Tensor(self.data)

    # --------------------------------------------------------------- backward

    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        r"""Fill ``.grad`` of every leaf this tensor depends on: reverse-mode differentiation.

        The graph is first put in topological order (each node after everything
        it was computed from); walking that order backwards, each node hands the
        gradient it has collected to its local backward, which returns one
        gradient per parent, added to what that parent has already received.
        The walk is iterative, so a chain of any depth works.

        Args:
            grad: :math:`\partial L / \partial\,\text{self}`, an array of this
                tensor's shape; omitted for a one-element output (then 1).
            retain_graph: keep the graph for another ``backward()``; otherwise its
                backward functions are released and a second call raises
                ``ValueError``, as torch does.

        Raises:
            ValueError: a non-scalar without ``grad``, a ``grad`` of the wrong
                shape, or a graph already released.
            TypeError: this tensor does not require grad.

        Example:
            >>> w = Tensor([3.0], requires_grad=True)
            >>> y = w * w + w              # used three times: the gradients add
            >>> y.backward()
            >>> w.grad                     # 2 w + 1
            array([7.])
        """
        if not self.requires_grad:
            raise TypeError("backward() needs a tensor that requires grad: this one was "
                            "computed from no tensor with requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without grad needs a one-element output, got "
                                 f"shape {self.shape}: pass grad, an array of that shape")
            grad = np.ones_like(self.data)
        _check_operands(grad)
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"grad must have the output's shape {self.shape}, got {grad.shape}")

        # 1. topological order, by depth-first search with an explicit stack: a node
        #    is appended once all of its parents have been
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))

        # 2. from the output back: each node passes its gradient to its parents
        grads: dict[int, np.ndarray] = {id(self): grad}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node.is_leaf:
                # a leaf keeps what reached it, added to what earlier calls left
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            if node._backward is _RELEASED:
                raise ValueError("backward() through a graph a second time: the first call "
                                 "released it (pass retain_graph=True to the first call)")
            for parent, pg in zip(node._parents, node._backward(g), strict=True):
                if pg is None or not parent.requires_grad:
                    continue
                pg = _unbroadcast(np.asarray(pg, dtype=parent.dtype), parent.shape)
                if pg.shape != parent.shape:
                    raise ValueError(f"the backward of {node._op} returned a gradient of "
                                     f"shape {pg.shape} for an input of shape {parent.shape}")
                # a parent reached by several paths sums their gradients
                grads[id(parent)] = pg if id(parent) not in grads else grads[id(parent)] + pg
        if not retain_graph:
            for node in order:
                if not node.is_leaf:
                    node._backward = _RELEASED

    # --------------------------------------------------------------- operators

    def __add__(self, other: Any) -> Tensor:
        return add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return subtract(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return subtract(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return multiply(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return multiply(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return divide(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return divide(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __neg__(self) -> Tensor:
        return negative(self)

    def __pos__(self) -> Tensor:
        return self

    # comparisons and logic: no gradient, a constant Tensor of booleans
    def __lt__(self, other: Any) -> Tensor:
        return _constant(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _constant(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _constant(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _constant(np.greater_equal, self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _constant(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _constant(np.not_equal, self, other)

    __hash__ = object.__hash__

    def __and__(self, other: Any) -> Tensor:
        return _constant(np.logical_and, self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return _constant(np.logical_or, self, other)

    __ror__ = __or__

    def __invert__(self) -> Tensor:
        return _constant(np.invert, self)

    # --------------------------------------------------------------- shape and reductions

    @property
    def T(self) -> Tensor:  # noqa: N802 (torch's and NumPy's name)
        r"""The tensor with its axes reversed (a matrix transposed).

        Example:
            >>> Tensor(np.zeros((2, 3))).T.shape
            (3, 2)
        """
        return permute_dims(self, tuple(reversed(range(self.ndim))))

    def transpose(self, *axes: Any) -> Tensor:
        r"""The axes permuted as NumPy's ``transpose`` (reversed when none are given).

        Example:
            >>> Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1).shape
            (4, 2, 3)
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return permute_dims(self, axes if axes else tuple(reversed(range(self.ndim))))

    def reshape(self, *shape: Any) -> Tensor:
        r"""The same numbers in a new shape (as NumPy's ``reshape``).

        Example:
            >>> Tensor(np.arange(6.0)).reshape(2, 3).shape
            (2, 3)
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        r"""The sum over ``axis`` (all axes for ``None``).

        Example:
            >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
            Tensor([4., 6.])
        """
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        r"""The mean over ``axis`` (all axes for ``None``).

        Example:
            >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean()
            Tensor(2.5)
        """
        return mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        r"""The maximum over ``axis``; its gradient goes to the maximal entries.

        Example:
            >>> Tensor([1.0, 5.0, 2.0]).max()
            Tensor(5.)
        """
        return max(self, axis=axis, keepdims=keepdims)

    # --------------------------------------------------------------- indexing

    def __getitem__(self, index: Any) -> Tensor:
        index = _raw_index(index)
        out = self.data[index]

        def backward(g):
            full = np.zeros_like(self.data)
            if _picks(index):
                # scatter back, once per occurrence: a repeated index accumulates
                np.add.at(full, index, g)
            else:
                full[index] = g  # slices and ints: each entry is taken at most once
            return (full,)

        return _node(out, (self,), backward, "getitem")

    def __setitem__(self, index: Any, value: Any) -> None:
        # A write into a constant (the zeros a padding is written into, say). If ``value``
        # needs a gradient, this tensor becomes a node computed from it: ``value`` receives
        # the gradient of the entries it was written to. A tensor that is already part of a
        # graph is not written into: the nodes that used it would see the new numbers.
        _check_operands(value)
        if self.requires_grad:
            raise ValueError("cannot write in place into a Tensor that requires grad (the "
                             "nodes that used it would see the new numbers): build a new "
                             "Tensor, or write into .data outside the graph")
        index = _raw_index(index)
        if not (isinstance(value, Tensor) and value.requires_grad):
            self.data[index] = _data(value)  # constants: in place, as NumPy
            return
        # a new array, so that nodes that read the old numbers as a constant keep them
        written = self.data.copy()
        written[index] = value.data
        made = _node(written, (value,), lambda g: (g[index],), "setitem")
        self.__dict__.update(made.__dict__)

    # In-place arithmetic writes into a constant's data (as NumPy does: an optimizer's
    # state); on a tensor of a graph it is the ordinary operation, and the name is rebound.
    def __iadd__(self, other: Any) -> Tensor:
        return self._in_place(other, np.ndarray.__iadd__, add)

    def __isub__(self, other: Any) -> Tensor:
        return self._in_place(other, np.ndarray.__isub__, subtract)

    def __imul__(self, other: Any) -> Tensor:
        return self._in_place(other, np.ndarray.__imul__, multiply)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._in_place(other, np.ndarray.__itruediv__, divide)

    def _in_place(self, other: Any, write: Callable, op: Callable) -> Tensor:
        _check_operands(other)
        if self.requires_grad or (isinstance(other, Tensor) and other.requires_grad):
            return op(self, other)
        write(self.data, _data(other))
        return self


_RELEASED = object()   # a node's backward after the graph was released


# ================================================================== building nodes


def _data(x: Any) -> Any:
    """The array inside a Tensor; anything else (an array, a Python number) as it is."""
    return x.data if isinstance(x, Tensor) else x


def _raw_index(index: Any) -> Any:
    """An index with its Tensors (integer or boolean arrays) replaced by their data."""
    if isinstance(index, tuple):
        return tuple(_data(i) for i in index)
    return _data(index)


def _picks(index: Any) -> bool:
    """Whether ``index`` picks entries by arrays of integers or booleans (advanced indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, (np.ndarray, list)) for i in parts)


def _check_operands(*xs: Any) -> None:
    """Refuse torch tensors: a Tensor meets NumPy arrays and Python numbers only."""
    for x in xs:
        if is_torch(x):
            raise TypeError("cannot mix an mlnotes.autograd.Tensor with a torch tensor: "
                            "convert one of them (torch.as_tensor(t.data), or Tensor(x.numpy()))")


def _node(data: Any, parents: tuple, backward: Callable, op: str) -> Tensor:
    """The result of an operation: a Tensor that remembers its parents and local backward.

    ``backward(g)`` returns one gradient per parent (``None`` for none); the engine
    sums each back to its parent's shape. Parents that are not Tensors (arrays,
    numbers) are constants and receive nothing. ``backward`` may also be a tuple of
    one function per parent: then only the parents that need a gradient get one
    computed (a constant's would be wasted work, and ``0 * inf`` in it would make NaN).
    """
    _check_operands(*parents)
    out = Tensor(np.asarray(data))
    kept = [(i, p) for i, p in enumerate(parents) if isinstance(p, Tensor) and p.requires_grad]
    if not kept:
        return out  # nothing upstream needs a gradient: a constant
    out.requires_grad = True
    out._parents = tuple(p for _, p in kept)
    out._op = op

    def chosen(g):
        if isinstance(backward, tuple):
            return tuple(backward[i](g) for i, _ in kept)
        gs = backward(g)
        return tuple(gs[i] for i, _ in kept)

    out._backward = chosen
    return out


def _constant(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """``fn`` on the data of its arguments, with no gradient: a comparison, a mask, a zeros."""
    _check_operands(*args, *kwargs.values())
    out = fn(*(_data(a) for a in args), **{k: _data(v) for k, v in kwargs.items()})
    return Tensor(out) if isinstance(out, (np.ndarray, np.generic)) else out


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if g.ndim > len(shape):  # axes added in front
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    if g.ndim == len(shape):  # axes of length 1 that were stretched
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        g = g.sum(axis=stretched, keepdims=True) if stretched else g
    return g


def _axes_of(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    return normalize_axis_tuple(axis, ndim)  # NumPy's check: in range, each axis once


def _kept(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """A reduction's gradient with the reduced axes back as length 1 (to broadcast)."""
    return g if keepdims else np.expand_dims(g, axes) if axes else g


# ================================================================== arithmetic
# Each operation: the forward on the data, and beside it the local backward, the
# vector-Jacobian product for each input (summed back to its shape by the engine).


def add(a: Any, b: Any) -> Tensor:
    r""":math:`a + b`; both receive the incoming gradient.

    Example:
        >>> add(Tensor([1.0]), 2.0)
        Tensor([3.])
    """
    _check_operands(a, b)
    return _node(_data(a) + _data(b), (a, b), lambda g: (g, g), "add")


def subtract(a: Any, b: Any) -> Tensor:
    r""":math:`a - b`; ``b`` receives the incoming gradient negated.

    Example:
        >>> subtract(Tensor([1.0]), 2.0)
        Tensor([-1.])
    """
    _check_operands(a, b)
    return _node(_data(a) - _data(b), (a, b), lambda g: (g, -g), "subtract")


def multiply(a: Any, b: Any) -> Tensor:
    r""":math:`a b`: :math:`\partial/\partial a = b`, :math:`\partial/\partial b = a`.

    Example:
        >>> multiply(Tensor([2.0]), 3.0)
        Tensor([6.])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)
    return _node(x * y, (a, b), (lambda g: g * y, lambda g: g * x), "multiply")


def divide(a: Any, b: Any) -> Tensor:
    r""":math:`a / b`: :math:`\partial/\partial a = 1/b`, :math:`\partial/\partial b = -a/b^2`.

    Example:
        >>> divide(Tensor([3.0]), 2.0)
        Tensor([1.5])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)
    return _node(x / y, (a, b), (lambda g: g / y, lambda g: -g * x / (y * y)), "divide")


def negative(a: Any) -> Tensor:
    r""":math:`-a`.

    Example:
        >>> negative(Tensor([2.0]))
        Tensor([-2.])
    """
    return _node(-_data(a), (a,), lambda g: (-g,), "negative")


def pow(a: Any, b: Any) -> Tensor:
    r""":math:`a^b`: derivatives :math:`b\,a^{b-1}` for ``a``, :math:`a^b \log a` for ``b``.

    The gradient for ``b`` is computed only when ``b`` requires it (it needs
    :math:`a > 0`).

    Example:
        >>> pow(Tensor([3.0]), 2)
        Tensor([9.])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)
    out = x ** y

    def backward(g):
        ga = g * y * x ** (y - 1)
        gb = g * out * np.log(x) if isinstance(b, Tensor) and b.requires_grad else None
        return ga, gb

    return _node(out, (a, b), backward, "pow")


def matmul(a: Any, b: Any) -> Tensor:
    r"""The matrix product :math:`a b` (NumPy's ``matmul``: batched, 1-D promoted).

    .. math::
        \frac{\partial L}{\partial a} = g\, b^\top, \qquad
        \frac{\partial L}{\partial b} = a^\top g

    Example:
        >>> a = Tensor(np.eye(2), requires_grad=True)
        >>> (a @ np.array([1.0, 2.0])).sum().backward()
        >>> a.grad
        array([[1., 2.],
               [1., 2.]])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)

    def backward(g):
        # a 1-D operand is a row (left) or a column (right) for the duration of the product
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = np.expand_dims(g, -1) if y.ndim == 1 else g
        g2 = np.expand_dims(g2, -2) if x.ndim == 1 else g2
        ga = g2 @ np.swapaxes(y2, -1, -2)
        gb = np.swapaxes(x2, -1, -2) @ g2
        ga = ga[..., 0, :] if x.ndim == 1 else ga
        gb = gb[..., 0] if y.ndim == 1 else gb
        return ga, gb

    return _node(x @ y, (a, b), backward, "matmul")


# ================================================================== element-wise functions


def exp(x: Any) -> Tensor:
    r""":math:`e^x`, whose derivative is itself.

    Example:
        >>> exp(Tensor([0.0]))
        Tensor([1.])
    """
    out = np.exp(_data(x))
    return _node(out, (x,), lambda g: (g * out,), "exp")


def expm1(x: Any) -> Tensor:
    r""":math:`e^x - 1`, accurate near 0; derivative :math:`e^x`.

    Example:
        >>> expm1(Tensor([0.0]))
        Tensor([0.])
    """
    return _node(np.expm1(_data(x)), (x,), lambda g: (g * np.exp(_data(x)),), "expm1")


def log(x: Any) -> Tensor:
    r""":math:`\log x`; derivative :math:`1/x`.

    Example:
        >>> log(Tensor([1.0]))
        Tensor([0.])
    """
    return _node(np.log(_data(x)), (x,), lambda g: (g / _data(x),), "log")


def log1p(x: Any) -> Tensor:
    r""":math:`\log(1 + x)`, accurate near 0; derivative :math:`1/(1 + x)`.

    Example:
        >>> log1p(Tensor([0.0]))
        Tensor([0.])
    """
    return _node(np.log1p(_data(x)), (x,), lambda g: (g / (1 + _data(x)),), "log1p")


def sqrt(x: Any) -> Tensor:
    r""":math:`\sqrt x`; derivative :math:`1/(2\sqrt x)`.

    Example:
        >>> sqrt(Tensor([4.0]))
        Tensor([2.])
    """
    out = np.sqrt(_data(x))
    return _node(out, (x,), lambda g: (g / (2 * out),), "sqrt")


def tanh(x: Any) -> Tensor:
    r""":math:`\tanh x`; derivative :math:`1 - \tanh^2 x`.

    Example:
        >>> tanh(Tensor([0.0]))
        Tensor([0.])
    """
    out = np.tanh(_data(x))
    return _node(out, (x,), lambda g: (g * (1 - out * out),), "tanh")


def abs(x: Any) -> Tensor:
    r""":math:`|x|`; derivative :math:`\mathrm{sign}(x)` (0 at 0, as torch).

    Example:
        >>> abs(Tensor([-2.0]))
        Tensor([2.])
    """
    return _node(np.abs(_data(x)), (x,), lambda g: (g * np.sign(_data(x)),), "abs")


def maximum(a: Any, b: Any) -> Tensor:
    r"""The larger of ``a`` and ``b``, element-wise; a tie splits the gradient in halves (torch).

    Example:
        >>> maximum(Tensor([1.0, 5.0]), 3.0)
        Tensor([3., 5.])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)
    share = np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0))
    return _node(np.maximum(x, y), (a, b), lambda g: (g * share, g * (1 - share)), "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    r"""The smaller of ``a`` and ``b``, element-wise; a tie splits the gradient in halves.

    Example:
        >>> minimum(Tensor([1.0, 5.0]), 3.0)
        Tensor([1., 3.])
    """
    _check_operands(a, b)
    x, y = _data(a), _data(b)
    share = np.where(x < y, 1.0, np.where(x == y, 0.5, 0.0))
    return _node(np.minimum(x, y), (a, b), lambda g: (g * share, g * (1 - share)), "minimum")


def clip(x: Any, min: Any = None, max: Any = None) -> Tensor:
    r"""``x`` limited to ``[min, max]``; the gradient passes where ``x`` is inside (ends included).

    Example:
        >>> clip(Tensor([-1.0, 0.5, 2.0]), min=0.0, max=1.0)
        Tensor([0. , 0.5, 1. ])
    """
    _check_operands(x, min, max)
    d, lo, hi = _data(x), _data(min), _data(max)
    inside = np.ones(d.shape, dtype=bool)
    inside = inside if lo is None else inside & (d >= lo)
    inside = inside if hi is None else inside & (d <= hi)
    out = d if lo is None else np.maximum(d, lo)
    out = out if hi is None else np.minimum(out, hi)
    return _node(out, (x, min, max), lambda g: (g * inside, None, None), "clip")


def where(condition: Any, a: Any, b: Any) -> Tensor:
    r"""``a`` where ``condition`` holds, ``b`` elsewhere; each receives the gradient where chosen.

    Example:
        >>> x = Tensor([-1.0, 2.0], requires_grad=True)
        >>> where(x > 0, x, 0.0).sum().backward()
        >>> x.grad
        array([0., 1.])
    """
    _check_operands(condition, a, b)
    c = _data(condition)
    out = np.where(c, _data(a), _data(b))
    zero = np.zeros((), dtype=out.dtype)
    return _node(out, (a, b), lambda g: (np.where(c, g, zero), np.where(c, zero, g)), "where")


# ================================================================== reductions


def sum(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    r"""The sum over ``axis``: every entry receives the incoming gradient.

    Example:
        >>> sum(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1)
        Tensor([3., 7.])
    """
    d = _data(x)
    axes = _axes_of(axis, d.ndim)
    out = np.sum(d, axis=axes, keepdims=keepdims, dtype=dtype)
    return _node(out, (x,), lambda g: (np.broadcast_to(_kept(g, axes, keepdims), d.shape),),
                 "sum")


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    r"""The mean over ``axis``: every entry receives the incoming gradient over the count.

    Example:
        >>> mean(Tensor([1.0, 2.0, 6.0]))
        Tensor(3.)
    """
    d = _data(x)
    axes = _axes_of(axis, d.ndim)
    n = math.prod(d.shape[a] for a in axes)
    out = np.mean(d, axis=axes, keepdims=keepdims)
    return _node(out, (x,), lambda g: (np.broadcast_to(_kept(g, axes, keepdims), d.shape) / n,),
                 "mean")


def _extremum(fn: Callable, x: Any, axis: Any, keepdims: bool, op: str) -> Tensor:
    """max or min over ``axis``: the gradient is shared by the entries equal to the result."""
    d = _data(x)
    axes = _axes_of(axis, d.ndim)
    out = fn(d, axis=axes, keepdims=True)
    # torch's rule: the entries that attain the extremum share its gradient evenly
    hits = d == out
    count = hits.sum(axis=axes, keepdims=True)

    def backward(g):
        return (np.where(hits, _kept(g, axes, keepdims) / count, 0.0),)

    return _node(out if keepdims else np.squeeze(out, axis=axes), (x,), backward, op)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    r"""The maximum over ``axis``; ties share the gradient evenly (as torch's ``amax``).

    Example:
        >>> max(Tensor([[1.0, 4.0], [3.0, 2.0]]), axis=0)
        Tensor([3., 4.])
    """
    return _extremum(np.max, x, axis, keepdims, "max")


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    r"""The minimum over ``axis``; ties share the gradient evenly (as torch's ``amin``).

    Example:
        >>> min(Tensor([[1.0, 4.0], [3.0, 2.0]]), axis=1)
        Tensor([1., 2.])
    """
    return _extremum(np.min, x, axis, keepdims, "min")


# ================================================================== shapes


def reshape(x: Any, shape: tuple[int, ...], copy: Any = None) -> Tensor:
    r"""The same numbers in ``shape``; the gradient is reshaped back.

    Example:
        >>> reshape(Tensor(np.arange(6.0)), (3, 2)).shape
        (3, 2)
    """
    d = _data(x)
    return _node(np.reshape(d, shape), (x,), lambda g: (np.reshape(g, d.shape),), "reshape")


def expand_dims(x: Any, axis: int = 0) -> Tensor:
    r"""A new axis of length 1 at ``axis``.

    Example:
        >>> expand_dims(Tensor([1.0, 2.0]), axis=0).shape
        (1, 2)
    """
    d = _data(x)
    return _node(np.expand_dims(d, axis), (x,), lambda g: (np.reshape(g, d.shape),),
                 "expand_dims")


def squeeze(x: Any, axis: Any) -> Tensor:
    r"""``x`` without the length-1 axes ``axis``.

    Example:
        >>> squeeze(Tensor(np.zeros((1, 2))), axis=0).shape
        (2,)
    """
    d = _data(x)
    return _node(np.squeeze(d, axis), (x,), lambda g: (np.reshape(g, d.shape),), "squeeze")


def permute_dims(x: Any, axes: tuple[int, ...]) -> Tensor:
    r"""The axes of ``x`` in the order ``axes``; the gradient is permuted back.

    Example:
        >>> permute_dims(Tensor(np.zeros((2, 3))), (1, 0)).shape
        (3, 2)
    """
    d = _data(x)
    return _node(np.transpose(d, axes), (x,), lambda g: (np.transpose(g, np.argsort(axes)),),
                 "permute_dims")


def matrix_transpose(x: Any) -> Tensor:
    r"""The last two axes swapped.

    Example:
        >>> matrix_transpose(Tensor(np.zeros((4, 2, 3)))).shape
        (4, 3, 2)
    """
    return _node(np.swapaxes(_data(x), -1, -2), (x,), lambda g: (np.swapaxes(g, -1, -2),),
                 "matrix_transpose")


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Tensor:
    r"""``x`` repeated to ``shape`` by broadcasting; the gradient is summed back.

    Example:
        >>> broadcast_to(Tensor([1.0, 2.0]), (3, 2)).shape
        (3, 2)
    """
    return _node(np.broadcast_to(_data(x), shape), (x,), lambda g: (g,), "broadcast_to")


def astype(x: Any, dtype: Any, copy: bool = True) -> Tensor:
    r"""``x`` as ``dtype``; between floating types the gradient is cast back.

    Example:
        >>> astype(Tensor([1.5]), np.float32).dtype
        dtype('float32')
    """
    d = _data(x)
    out = d.astype(dtype)
    if not np.issubdtype(np.dtype(dtype), np.floating):
        return Tensor(out)  # integers and booleans carry no gradient
    return _node(out, (x,), lambda g: (g.astype(d.dtype),), "astype")


def asarray(x: Any, dtype: Any = None, device: Any = None, copy: Any = None) -> Tensor:
    r"""``x`` as a Tensor; a Tensor stays in the graph (a copy when ``copy=True``).

    Example:
        >>> asarray([1.0, 2.0])
        Tensor([1., 2.])
    """
    if not isinstance(x, Tensor):
        _check_operands(x)
        return Tensor(np.array(x, dtype=dtype, copy=True if copy else None))
    if dtype is not None and np.dtype(dtype) != x.dtype:
        return astype(x, dtype)
    return _node(x.data.copy() if copy else x.data, (x,), lambda g: (g,), "asarray")


# ================================================================== joining and picking


def concat(xs: Any, axis: int = 0) -> Tensor:
    r"""The tensors ``xs`` joined along ``axis``; each gets back its slice of the gradient.

    Example:
        >>> concat([Tensor([1.0]), Tensor([2.0, 3.0])])
        Tensor([1., 2., 3.])
    """
    xs = list(xs)
    _check_operands(*xs)
    datas = [np.asarray(_data(x)) for x in xs]
    ends = np.cumsum([d.shape[axis] for d in datas])[:-1]
    return _node(np.concatenate(datas, axis=axis), tuple(xs),
                 lambda g: tuple(np.split(g, ends, axis=axis)), "concat")


def stack(xs: Any, axis: int = 0) -> Tensor:
    r"""The tensors ``xs`` stacked along a new ``axis``; each gets back its slice.

    Example:
        >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
        (2, 2)
    """
    xs = list(xs)
    _check_operands(*xs)
    out = np.stack([_data(x) for x in xs], axis=axis)
    return _node(out, tuple(xs), lambda g: tuple(np.moveaxis(g, axis, 0)), "stack")


def unstack(x: Any, axis: int = 0) -> tuple[Tensor, ...]:
    r"""``x`` split along ``axis`` into its slices (each one a node of the graph).

    Example:
        >>> [t.shape for t in unstack(Tensor(np.zeros((2, 3))), axis=1)]
        [(2,), (2,), (2,)]
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    axis = axis % builtins.max(x.ndim, 1)
    return tuple(x[(slice(None),) * axis + (i,)] for i in range(x.shape[axis]))


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    r"""The entries of ``x`` at ``indices`` along ``axis``; a repeated index accumulates.

    Example:
        >>> take(Tensor([5.0, 7.0]), np.array([1, 1, 0]), axis=0)
        Tensor([7., 7., 5.])
    """
    d, i = _data(x), _data(indices)
    axis = 0 if axis is None else axis % d.ndim
    return x[(slice(None),) * axis + (i,)] if isinstance(x, Tensor) else Tensor(
        np.take(d, i, axis=axis))


def take_along_axis(x: Any, indices: Any, axis: int = -1) -> Tensor:
    r"""NumPy's ``take_along_axis``: one entry per index, picked along ``axis``.

    Example:
        >>> take_along_axis(Tensor([[1.0, 2.0], [3.0, 4.0]]), np.array([[1], [0]]), axis=1)
        Tensor([[2.],
                [3.]])
    """
    d, i = _data(x), _data(indices)

    def backward(g):
        full = np.zeros_like(d)
        # scatter back with the indices laid out as take_along_axis reads them
        idx = np.ix_(*(np.arange(n) for n in i.shape))
        idx = list(np.broadcast_arrays(*idx))
        idx[axis % d.ndim] = i
        np.add.at(full, tuple(idx), g)
        return (full,)

    return _node(np.take_along_axis(d, i, axis=axis), (x,), backward, "take_along_axis")


def einsum(subscripts: str, *operands: Any) -> Tensor:
    r"""NumPy's ``einsum``; each operand's gradient is the einsum of ``g`` with the others.

    Every index of an operand must appear once in it, and in the output or in
    another operand (a sum over an index private to one operand is ``sum``).

    Example:
        >>> einsum("ij,j->i", Tensor(np.eye(2)), Tensor([1.0, 2.0]))
        Tensor([1., 2.])
    """
    _check_operands(*operands)
    datas = [np.asarray(_data(o)) for o in operands]
    subs, output = _explicit(subscripts, [d.ndim for d in datas])
    for k, s in enumerate(subs):
        others = "".join(subs[:k] + subs[k + 1:]) + output
        if len(set(s)) != len(s) or not set(s) <= set(others):
            raise ValueError(f"einsum on Tensors: operand {k} must use each index once, and "
                             f"each also in the output or another operand, got {subscripts!r}")

    def backward(g):
        # dL/d(operand k) = einsum(g, every other operand -> operand k's indices)
        return tuple(np.einsum(",".join([output, *subs[:k], *subs[k + 1:]]) + "->" + s,
                               g, *datas[:k], *datas[k + 1:])
                     for k, s in enumerate(subs))

    return _node(np.einsum(subscripts, *datas), tuple(operands), backward, "einsum")


def _explicit(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """einsum's subscripts with each ``...`` spelled out as letters, aligned from the right."""
    inputs, output = subscripts.replace(" ", "").split("->")
    subs = inputs.split(",")
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in subscripts]
    width = builtins.max([n - len(s.replace("...", "")) for s, n in zip(subs, ndims,
                                                                       strict=True)] + [0])
    dots = "".join(free[:width])
    subs = [s.replace("...", dots[width - (n - len(s) + 3):]) if "..." in s else s
            for s, n in zip(subs, ndims, strict=True)]
    return subs, output.replace("...", dots)


# ================================================================== the namespace

# What a package function's body gets as ``xp`` for Tensors: the differentiable
# primitives above, and NumPy's own functions for what has no gradient (creating
# zeros, comparing, testing dtypes), their array results wrapped as constant Tensors.


def _no_gradient(name: str) -> Callable:
    fn = getattr(npx, name)
    return functools.wraps(fn)(lambda *args, **kwargs: _constant(fn, *args, **kwargs))


_NAMESPACE = types.SimpleNamespace(
    __name__="mlnotes.autograd",
    **{name: globals()[name] for name in [
        "add", "subtract", "multiply", "divide", "negative", "pow", "matmul", "exp", "expm1",
        "log", "log1p", "sqrt", "tanh", "abs", "maximum", "minimum", "clip", "where", "sum",
        "mean", "max", "min", "reshape", "expand_dims", "squeeze", "permute_dims",
        "matrix_transpose", "broadcast_to", "astype", "asarray", "concat", "stack", "unstack",
        "take", "take_along_axis", "einsum"]},
    **{name: _no_gradient(name) for name in [
        "zeros", "ones", "full", "empty", "eye", "arange", "zeros_like", "ones_like",
        "full_like", "empty_like", "tril", "triu", "argmax", "argmin", "sign", "isfinite",
        "isnan", "isinf", "all", "any", "logical_not", "logical_and", "logical_or", "equal",
        "less", "greater", "floor", "round"]},
    **{name: getattr(npx, name) for name in [
        "isdtype", "result_type", "finfo", "iinfo", "bool", "int8", "int16", "int32", "int64",
        "uint8", "float32", "float64", "newaxis", "pi", "e", "inf", "nan"]},
)


def _vector_norm(x: Any, ord: float = 2, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The array API's ``linalg.vector_norm``: (sum |x|^p)^(1/p), the largest |x| for p = inf."""
    if ord == math.inf:
        return max(abs(x), axis=axis, keepdims=keepdims)
    return sum(abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1 / ord)


_NAMESPACE.linalg = types.SimpleNamespace(vector_norm=_vector_norm)


# ================================================================== the package's own backwards


def register(forward: Callable, backward: Callable, *, wrt: tuple[str, ...] | None = None,
             output: str | None = None, when: Callable[[dict], bool] | None = None,
             extra: Callable[[dict], dict] | None = None) -> Callable:
    r"""Make ``forward`` one node of the graph on Tensors, with ``backward`` as its backward.

    ``forward`` is returned wrapped (same name, docstring and signature). Called
    on NumPy arrays or torch tensors, the wrapper calls ``forward`` and nothing
    else. Called with a Tensor, it runs ``forward`` on the arrays inside the
    Tensors and returns a Tensor whose backward calls the package's
    ``backward(grad, ...)``, the vector-Jacobian product derived by hand, instead
    of differentiating the forward's body step by step.

    The backward's arguments after ``grad`` are found by name: the forward's
    arguments of the same name (their defaults included), ``output`` for the
    forward's result, and what ``extra`` computes from the forward's arguments.
    The backward returns the gradients of the arguments named in ``wrt``, in
    that order.

    Where the hand-derived backward does not cover a call (``when`` says no, or a
    Tensor that needs a gradient is passed outside ``wrt``), the forward's body
    runs on the Tensors and the graph is recorded from the primitives: correct
    either way.

    Args:
        forward: the package's function.
        backward: its ``f_backward(grad, ...)``.
        wrt: the arguments whose gradients ``backward`` returns; default the first.
        output: the name under which ``backward`` receives the forward's result.
        when: a test on the forward's arguments (a dict): whether ``backward``
            applies to this call.
        extra: more of ``backward``'s arguments, computed from the forward's.

    Returns:
        The wrapped ``forward``.

    Example:
        >>> def square(x):
        ...     return x * x
        >>> def square_backward(grad, x):
        ...     return 2 * x * grad
        >>> square = register(square, square_backward)
        >>> x = Tensor([3.0], requires_grad=True)
        >>> square(x).backward()
        >>> x.grad, square(np.array([3.0]))
        (array([6.]), array([9.]))
    """
    for fn, name in ((forward, "forward"), (backward, "backward")):
        if not callable(fn):
            raise TypeError(f"{name} must be a function, got {type(fn).__name__}")
    signature = inspect.signature(forward)
    wrt = wrt if wrt is not None else (next(iter(signature.parameters)),)
    takes = [name for name in inspect.signature(backward).parameters][1:]   # after grad
    op = forward.__name__

    @functools.wraps(forward)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not builtins.any(isinstance(v, Tensor) for v in (*args, *kwargs.values())):
            return forward(*args, **kwargs)                       # NumPy and torch: as ever
        _check_operands(*args, *kwargs.values())
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        needs = [name for name, v in given.items() if isinstance(v, Tensor) and v.requires_grad]
        if (when is not None and not when(given)) or not set(needs) <= set(wrt):
            return forward(*args, **kwargs)                       # the body, on Tensors
        raw = {name: _data(v) for name, v in given.items()}
        call = inspect.BoundArguments(signature, raw)  # the same call, with arrays
        out = forward(*call.args, **call.kwargs)
        saved = {name: raw[name] for name in takes if name in raw}
        if output is not None:
            saved[output] = out
        saved.update(extra(raw) if extra is not None else {})

        def local_backward(g):
            grads = backward(g, **saved)
            return grads if isinstance(grads, tuple) else (grads,)

        return _node(out, tuple(given[name] for name in wrt), local_backward, op)

    wrapper.autograd_backward = backward  # type: ignore[attr-defined]
    return wrapper
