r"""Array namespaces and devices: the only module that knows about backends.

Every function in mlnotes is written once against the `array API standard
<https://data-apis.org/array-api/latest/>`_. :func:`namespace` returns the
namespace ``xp`` of its inputs (NumPy's or torch's, wrapped by
``array_api_compat``), and the body then calls ``xp.exp``, ``xp.sum``,
``xp.max`` and so on. A NumPy input therefore gives a NumPy output, and a
torch input gives a torch output on the same device, with autograd flowing
through every operation.

The helpers here also carry the package's argument checks, so that every
module reports bad input in the same words: the argument's name, what was
expected and what was given.

Explained in the book: :doc:`/index` (how the package is organised).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any, TypeVar

import array_api_compat
import numpy as np

__all__ = [
    "namespace",
    "is_torch",
    "is_tensor",
    "device_of",
    "check_floating",
    "check_axis",
    "check_count",
    "check_same_shape",
    "check_number",
    "check_bool",
    "check_model",
    "as_generator",
    "randn",
    "rand",
    "fill_uniform_",
    "fill_normal_",
    "assign_",
    "stop_gradient",
    "to_numpy",
    "import_torch",
    "needs_torch",
]


def namespace(*arrays: Any, names: tuple[str, ...] | None = None,
              optional: tuple[str, ...] = (), scalars: tuple[str, ...] = ()) -> Any:
    r"""Return the array-API namespace shared by ``arrays``.

    Args:
        *arrays: NumPy arrays or torch tensors.
        names: the argument names of ``arrays``, used in error messages
            (``arrays[0]``, ``arrays[1]``, ... when not given).
        optional: the names that may be ``None`` (an argument left out); it is
            ignored then.
        scalars: the names that may be Python numbers (not ``True``/``False``);
            they are ignored too.

    Returns:
        The ``array_api_compat`` namespace (``xp``) of the inputs.

    Raises:
        TypeError: an input is neither a NumPy array nor a torch tensor (nor
            ``None`` or a number where ``optional`` or ``scalars`` allow it), or
            NumPy arrays are mixed with torch tensors.
        ValueError: torch tensors live on different devices.

    Example:
        >>> import numpy as np
        >>> xp = namespace(np.zeros(3))
        >>> xp.exp(np.zeros(2))
        array([1., 1.])
        >>> namespace(np.zeros(2), None, names=("x", "mask"))
        Traceback (most recent call last):
        ...
        TypeError: mask must be a NumPy array or a torch tensor, got NoneType
    """
    if names is None:
        names = tuple(f"arrays[{i}]" for i in range(len(arrays)))
    present = []
    for name, a in zip(names, arrays, strict=True):
        if a is None and name in optional:
            continue
        if (name in scalars and isinstance(a, (Real, np.number))
                and not isinstance(a, (bool, np.bool_))):
            continue
        if not _is_array(a):
            raise TypeError(
                f"{name} must be a NumPy array or a torch tensor, got {type(a).__name__}"
            )
        present.append((name, a))
    if not present:
        raise TypeError("expected at least one NumPy array or torch tensor")
    if any(is_tensor(a) for _, a in present):
        # mlnotes.autograd Tensors: NumPy arrays may join them (as constants), torch may not
        torch_ones = [n for n, a in present if array_api_compat.is_torch_array(a)]
        if torch_ones:
            raise TypeError(f"cannot mix mlnotes.autograd Tensors and torch tensors: "
                            f"{', '.join(torch_ones)} is a torch tensor")
        return next(a for _, a in present if is_tensor(a)).__array_namespace__()
    kinds = {array_api_compat.is_torch_array(a) for _, a in present}
    if len(kinds) > 1:
        listing = ", ".join(f"{n} is {type(a).__module__}.{type(a).__name__}" for n, a in present)
        raise TypeError(f"cannot mix NumPy arrays and torch tensors: {listing}")
    devices = {str(array_api_compat.device(a)) for _, a in present}
    if len(devices) > 1:
        listing = ", ".join(f"{n} on {array_api_compat.device(a)}" for n, a in present)
        raise ValueError(f"all inputs must be on one device: {listing}")
    return array_api_compat.array_namespace(*(a for _, a in present))


def _is_array(x: Any) -> bool:
    """A NumPy array, a torch tensor or an :class:`mlnotes.autograd.Tensor`."""
    return (is_tensor(x) or array_api_compat.is_numpy_array(x)
            or array_api_compat.is_torch_array(x))


def is_tensor(x: Any) -> bool:
    r"""Whether ``x`` is an :class:`mlnotes.autograd.Tensor` (without importing the engine).

    Example:
        >>> import numpy as np
        >>> from mlnotes.autograd import Tensor
        >>> is_tensor(Tensor([1.0])), is_tensor(np.ones(1))
        (True, False)
    """
    engine = sys.modules.get("mlnotes.autograd")  # no Tensor exists before it is imported
    return engine is not None and isinstance(x, engine.Tensor)


def is_torch(x: Any) -> bool:
    r"""Whether ``x`` is a torch tensor.

    Example:
        >>> import numpy as np, torch
        >>> is_torch(torch.zeros(1)), is_torch(np.zeros(1))
        (True, False)
    """
    return bool(array_api_compat.is_torch_array(x))


def device_of(x: Any) -> Any:
    r"""The device ``x`` lives on (``"cpu"`` for NumPy arrays).

    Example:
        >>> import torch
        >>> device_of(torch.zeros(1))
        device(type='cpu')
    """
    namespace(x, names=("x",))
    return array_api_compat.device(x)


def check_floating(x: Any, name: str) -> None:
    r"""Raise ``TypeError`` unless ``x`` has a real floating-point dtype.

    Example:
        >>> import numpy as np
        >>> check_floating(np.array([1, 2], dtype=np.int64), "x")
        Traceback (most recent call last):
        ...
        TypeError: x must have a floating-point dtype, got int64
    """
    xp = namespace(x, names=(name,))
    if not xp.isdtype(x.dtype, "real floating"):
        dtype = str(x.dtype).removeprefix("torch.")
        raise TypeError(f"{name} must have a floating-point dtype, got {dtype}")


def check_axis(axis: int, ndim: int, name: str = "axis") -> int:
    r"""Return ``axis`` as a non-negative index, or raise ``ValueError``.

    Example:
        >>> check_axis(-1, 3)
        2
        >>> check_axis(3, 2)
        Traceback (most recent call last):
        ...
        ValueError: axis=3 is out of range for an input with 2 dimensions
    """
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}")
    check_number(ndim, "ndim", low=0, integer=True)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an input with {ndim} dimensions")
    return int(axis) % ndim


def check_count(value: int, name: str) -> int:
    r"""Return ``value`` as an int if it is a positive count, or raise.

    Example:
        >>> check_count(3, "num_experts")
        3
        >>> check_count(0, "num_experts")
        Traceback (most recent call last):
        ...
        ValueError: num_experts must be at least 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def check_same_shape(a: Any, b: Any, names: tuple[str, str]) -> None:
    r"""Raise ``ValueError`` unless the arrays ``a`` and ``b`` have the same shape.

    ``TypeError`` when either is not a NumPy array or a torch tensor (nor an
    :class:`mlnotes.autograd.Tensor`). Only the shapes are compared: a NumPy array
    and a tensor of one shape pass.

    Example:
        >>> import numpy as np
        >>> check_same_shape(np.zeros(2), np.zeros(3), ("input", "target"))
        Traceback (most recent call last):
        ...
        ValueError: input and target must have the same shape, got (2,) and (3,)
    """
    for name, v in zip(names, (a, b), strict=True):
        if not _is_array(v):
            raise TypeError(f"{name} must be a NumPy array or a torch tensor, "
                            f"got {type(v).__name__}")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_number(value: Any, name: str, low: float = -math.inf, high: float = math.inf, *,
                 low_open: bool = False, high_open: bool = False,
                 integer: bool = False) -> Any:
    r"""Return the scalar ``value`` if it is a finite number in its range, or raise.

    The one check for scalar arguments (learning rates, epsilons, temperatures,
    margins, counts): ``TypeError`` when ``value`` is not a number (``True`` is
    not one), ``ValueError`` when it is NaN, infinite or outside
    ``[low, high]`` (an open end when ``low_open`` / ``high_open``).

    Args:
        value: the argument to check.
        name: its name, for the message.
        low, high: the range; infinite ends mean no bound on that side.
        low_open, high_open: exclude that end of the range.
        integer: require an int (NumPy's integers count) and return an ``int``.

    Returns:
        ``value`` as a ``float`` (an ``int`` when ``integer``).

    Example:
        >>> check_number(0.5, "lr", low=0.0)
        0.5
        >>> check_number(1.0, "beta1", 0.0, 1.0, high_open=True)
        Traceback (most recent call last):
        ...
        ValueError: beta1 must be a finite number in [0, 1), got 1.0
        >>> check_number("3", "margin")
        Traceback (most recent call last):
        ...
        TypeError: margin must be a real number, got str
    """
    kind = (Integral, np.integer) if integer else (Real, np.floating, np.integer)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        what = "an int" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (math.isfinite(value) and above and below):
        what = "an int" if integer else "a finite number"
        if math.isinf(low) and math.isinf(high):
            where = ""
        elif math.isinf(high):
            where = f" {'>' if low_open else '>='} {low:g}"
        elif math.isinf(low):
            where = f" {'<' if high_open else '<='} {high:g}"
        else:
            where = (f" in {'(' if low_open else '['}{low:g}, {high:g}"
                     f"{')' if high_open else ']'}")
        raise ValueError(f"{name} must be {what}{where}, got {value}")
    return int(value) if integer else float(value)


def check_bool(value: Any, name: str) -> bool:
    r"""Return ``value`` if it is ``True`` or ``False`` (NumPy's too), or raise ``TypeError``.

    Example:
        >>> check_bool(1, "ceil_mode")
        Traceback (most recent call last):
        ...
        TypeError: ceil_mode must be True or False, got 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_model(model: Any, name: str = "model", inputs: Any = None,
                inputs_name: str = "inputs") -> Any:
    r"""Return ``model`` if it has parameters to train, or raise ``TypeError``.

    A model is a ``torch.nn.Module`` or one of the package's models: anything
    with a callable ``parameters()``. Given ``inputs`` (an array it will be fed),
    their floating dtype must be the parameters' dtype.

    Example:
        >>> import numpy as np
        >>> check_model(np.zeros(2))
        Traceback (most recent call last):
        ...
        TypeError: model must be a torch.nn.Module or an mlnotes model, got ndarray
    """
    if not callable(getattr(model, "parameters", None)) or not callable(model):
        raise TypeError(f"{name} must be a torch.nn.Module or an mlnotes model, "
                        f"got {type(model).__name__}")
    if inputs is not None:
        check_floating(inputs, inputs_name)
        param = next(iter(model.parameters()), None)
        if param is not None and inputs.dtype != param.dtype:
            dtype = str(param.dtype).removeprefix("torch.")
            raise TypeError(f"{inputs_name} must have the {name}'s dtype {dtype}, "
                            f"got {str(inputs.dtype).removeprefix('torch.')}")
    return model


# -------------------------------------------------------------------- randomness


def as_generator(generator: Any, like: Any = "numpy", name: str = "generator",
                 like_name: str | None = None) -> Any:
    r"""The random source a ``generator`` argument names: an int seed or a generator.

    Every function of mlnotes that draws takes ``generator`` (torch's spelling) and
    passes it here, so there is one rule: an int seeds a fresh generator, a
    generator is used as it is, and ``None`` is refused, because mlnotes never
    draws from a hidden global generator. The kind follows the data: NumPy's
    ``numpy.random.Generator`` for NumPy, ``torch.Generator`` for torch.

    Args:
        generator: an int seed, a ``numpy.random.Generator`` or a ``torch.Generator``.
        like: ``"numpy"``, ``"torch"`` (a seed makes a CPU generator, as the models
            draw their weights on the CPU; a given generator may live on any device),
            or an array whose kind and device the generator must match (what an
            in-place draw into that array needs).
        name: the argument's name, for messages.
        like_name: the name of the argument whose kind ``like`` is, for messages
            where the generator is of the other kind.

    Returns:
        The generator to draw from.

    Example (the message's end is elided):

        >>> import numpy as np, torch
        >>> int(as_generator(0).integers(10)) == int(np.random.default_rng(0).integers(10))
        True
        >>> g = as_generator(3, like=torch.zeros(1))
        >>> torch.equal(torch.rand(2, generator=g),
        ...             torch.rand(2, generator=torch.Generator().manual_seed(3)))
        True
        >>> as_generator(None)
        Traceback (most recent call last):
        ...
        ValueError: generator must be an int seed or a generator, got None (mlnotes draws ...
    """
    if generator is None:
        raise ValueError(f"{name} must be an int seed or a generator, got None "
                         "(mlnotes draws no hidden global randomness)")
    seeded = isinstance(generator, (Integral, np.integer)) and not isinstance(generator, bool)
    if (isinstance(like, str) and like == "torch") or is_torch(like):
        torch = import_torch()
        device = device_of(like) if is_torch(like) else torch.device("cpu")
        if seeded:
            return torch.Generator(device=device).manual_seed(int(generator))
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"{name} must be an int seed or a torch.Generator for torch "
                            f"data, got {type(generator).__name__}"
                            + (f" ({like_name} is a torch tensor)" if like_name else ""))
        if is_torch(like) and generator.device.type != torch.device(device).type:
            raise ValueError(f"{name} is on {generator.device} but the data is on {device}")
        return generator
    if seeded:
        return np.random.default_rng(int(generator))
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{name} must be an int seed or a numpy.random.Generator for NumPy "
                        f"data, got {type(generator).__name__}"
                        + (f" ({like_name} is not a torch tensor)" if like_name else ""))
    return generator


def randn(shape: tuple[int, ...], generator: Any, like: Any) -> Any:
    r"""Standard normal draws of ``shape`` from ``generator``, of ``like``'s kind and dtype.

    A torch generator draws on its own device, so that a seed gives the same numbers
    wherever it is used; the draws then move to ``like``'s device.

    Example:
        >>> import numpy as np
        >>> randn((2,), np.random.default_rng(0), np.zeros(1, np.float32)).dtype
        dtype('float32')
    """
    shape, generator = _check_draw(shape, generator, like)
    return _draw("randn", "standard_normal", shape, generator, like)


def rand(shape: tuple[int, ...], generator: Any, like: Any) -> Any:
    r"""Uniform draws in [0, 1) of ``shape`` from ``generator``, of ``like``'s kind and dtype.

    As :func:`randn`: drawn on the generator's device, returned on ``like``'s.

    Example:
        >>> import numpy as np
        >>> float(rand((3,), np.random.default_rng(0), np.zeros(1)).max()) < 1
        True
    """
    shape, generator = _check_draw(shape, generator, like)
    return _draw("rand", "random", shape, generator, like)


def _check_draw(shape: Any, generator: Any, like: Any) -> tuple[tuple[int, ...], Any]:
    """The door of :func:`randn` and :func:`rand`: ``shape`` as a tuple, the generator to use."""
    namespace(like, names=("like",))
    sizes = (shape,) if isinstance(shape, (Integral, np.integer)) else shape
    if not (isinstance(sizes, (tuple, list))
            and all(isinstance(n, (Integral, np.integer)) and not isinstance(n, bool) and n >= 0
                    for n in sizes)):
        raise TypeError(f"shape must be a tuple of non-negative ints, got {shape!r}")
    # a torch generator may live on another device than like (see randn)
    kind = "torch" if is_torch(like) else "numpy"
    return tuple(int(n) for n in sizes), as_generator(generator, kind, like_name="like")


def _draw(torch_name: str, numpy_name: str, shape: tuple[int, ...], generator: Any,
          like: Any) -> Any:
    """``torch.<torch_name>`` or ``generator.<numpy_name>``, as ``like``'s kind calls for."""
    if is_torch(like):
        torch = import_torch()
        draw = getattr(torch, torch_name)
        draws = draw(shape, generator=generator, dtype=like.dtype, device=generator.device)
        return draws.to(like.device)
    return getattr(generator, numpy_name)(shape).astype(like.dtype)


def fill_uniform_(x: Any, low: float, high: float, generator: Any) -> Any:
    r"""Overwrite ``x`` in place with draws from :math:`U(\text{low}, \text{high})`; return it.

    Example:
        >>> import numpy as np
        >>> w = np.zeros(3)
        >>> bool(np.all(np.abs(fill_uniform_(w, -1, 1, np.random.default_rng(0))) <= 1))
        True
    """
    namespace(x, names=("x",))
    low, high = check_number(low, "low"), check_number(high, "high")
    return _fill("uniform", x, low, high, as_generator(generator, like=x, like_name="x"))


def fill_normal_(x: Any, mean: float, std: float, generator: Any) -> Any:
    r"""Overwrite ``x`` in place with draws from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    Example:
        >>> import numpy as np
        >>> fill_normal_(np.zeros(2), 0.0, 1.0, np.random.default_rng(0)).shape
        (2,)
    """
    namespace(x, names=("x",))
    mean, std = check_number(mean, "mean"), check_number(std, "std", low=0.0)
    return _fill("normal", x, mean, std, as_generator(generator, like=x, like_name="x"))


def _fill(kind: str, x: Any, a: float, b: float, generator: Any) -> Any:
    """``x.uniform_(a, b)`` / ``x.normal_(a, b)`` for a tensor (outside autograd), NumPy's
    ``generator.uniform`` / ``generator.normal`` written into an array."""
    if is_torch(x):
        torch = import_torch()
        with torch.no_grad():
            return getattr(x, kind + "_")(a, b, generator=generator)
    target = x.data if is_tensor(x) else x  # a Tensor's numbers, outside its graph
    target[...] = getattr(generator, kind)(a, b, size=x.shape)
    return x


def assign_(x: Any, value: Any) -> Any:
    r"""Overwrite ``x`` in place with ``value`` (a parameter update); return ``x``.

    A torch tensor is written outside autograd (as an optimizer writes a
    parameter), a NumPy array through ``x[...] = value``, an
    :class:`mlnotes.autograd.Tensor` through its ``data`` (outside its graph too).

    Example:
        >>> import torch
        >>> p = torch.ones(2, requires_grad=True)
        >>> assign_(p, p - 0.5 * torch.ones(2))
        tensor([0.5000, 0.5000], requires_grad=True)
    """
    check_same_shape(x, value, ("x", "value"))
    if is_torch(x) != is_torch(value):
        raise TypeError(f"cannot mix NumPy arrays and torch tensors: x is "
                        f"{type(x).__name__}, value is {type(value).__name__}")
    if is_torch(x):
        torch = import_torch()
        with torch.no_grad():
            return x.copy_(value)
    _array(x)[...] = _array(value)
    return x


def _array(x: Any) -> Any:
    """The NumPy array to update in place: a Tensor's ``data`` (outside its graph), or ``x``."""
    return x.data if is_tensor(x) else x


def stop_gradient(x: Any) -> Any:
    r"""``x`` as a constant: detached for torch and Tensors, unchanged for NumPy.

    Example:
        >>> import torch
        >>> stop_gradient(torch.ones(1, requires_grad=True)).requires_grad
        False
    """
    return x.detach() if is_torch(x) or is_tensor(x) else x


def to_numpy(x: Any) -> np.ndarray:
    r"""A NumPy copy of ``x`` (moved to the CPU and detached if it is a tensor or a Tensor).

    Example:
        >>> import torch
        >>> to_numpy(torch.arange(3.0))
        array([0., 1., 2.], dtype=float32)
    """
    if is_torch(x):
        return x.detach().cpu().numpy()
    if is_tensor(x):
        return x.data.copy()
    return np.asarray(x)


# ------------------------------------------------------------ torch, where it exists

_NO_TORCH = (
    "{what} needs torch, which cannot be imported here (in the browser there is "
    "no torch); the NumPy functions of every module work without it"
)


class _TorchOnly:
    """Stands in for a torch base class (``nn.Module``, ``optim.Optimizer``).

    Classes built on it can be defined, documented and imported without torch;
    making one raises ``ImportError`` that names it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        raise ImportError(_NO_TORCH.format(what=f"{cls.__module__}.{cls.__qualname__}"))


class _MissingTorch:
    """The name ``torch`` in a module, where torch cannot be imported.

    What a module uses at import time (base classes, ``isinstance`` targets,
    the ``no_grad`` decorator) is a harmless stand-in; any other use of
    ``torch.<name>`` raises ``ImportError`` saying that it needs torch.
    """

    def __init__(self, path: str = "torch") -> None:
        self._path = path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # introspection (doctest, inspect, copy) asks these
            raise AttributeError(name)
        path = f"{self._path}.{name}"
        if path in ("torch.nn", "torch.optim"):
            return _MissingTorch(path)
        if path in ("torch.nn.Module", "torch.optim.Optimizer"):
            return _TorchOnly
        if path in ("torch.Tensor", "torch.Generator", "torch.Size", "torch.dtype"):
            # nothing is an instance of these without torch
            return type(name, (), {"__module__": "torch"})
        if path == "torch.no_grad":
            return lambda: (lambda fn: fn)
        raise ImportError(_NO_TORCH.format(what=path))


def import_torch() -> Any:
    r"""``torch``, or where it cannot be imported a stand-in that says so when used.

    A module that defines torch classes (an ``nn.Module``, an optimizer) writes
    ``torch = import_torch()`` instead of ``import torch``, so that it still
    imports where torch does not exist, as in the browser, and its NumPy
    functions still work. Creating one of its torch classes there, or calling
    ``torch.<anything>``, raises ``ImportError`` naming what needs torch.

    Example:
        >>> torch = import_torch()
        >>> torch.zeros(2)
        tensor([0., 0.])
    """
    try:
        import torch
    except ImportError:
        return _MissingTorch()
    return torch


_F = TypeVar("_F", bound=Callable[..., Any])


def needs_torch(fn: _F) -> _F:
    r"""Mark ``fn`` as needing torch whatever its input (it trains a torch model, say).

    Where torch cannot be imported, calling it raises ``ImportError`` naming it,
    and the doctest run inside the browser (Pyodide) skips its examples.

    Example:
        >>> @needs_torch
        ... def zeros(n):
        ...     import torch
        ...     return torch.zeros(n)
        >>> zeros.needs_torch, zeros(2)
        (True, tensor([0., 0.]))
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if isinstance(import_torch(), _MissingTorch):
            raise ImportError(_NO_TORCH.format(what=f"{fn.__module__}.{fn.__qualname__}"))
        return fn(*args, **kwargs)

    wrapper.needs_torch = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
