r"""Learning-rate schedules: twins of ``torch.optim.lr_scheduler``, and their closed forms.

A schedule changes the learning rate as training goes: large steps early, to
travel; small steps late, to settle into the minimum instead of rattling around
it at the level that minibatch noise sets; and often a short warm-up ramp at the
start, while Adam's running averages are still poor estimates.

Each schedule comes in two forms.

- A **function of the step count** :math:`t`, the closed form:
  :func:`step_lr`, :func:`linear_lr`, :func:`cosine_annealing_lr`. It takes an
  int or an array of ints, so one call gives a whole schedule to plot, and it
  runs on NumPy alone, inside a training loop of functional steps
  (``sgd_step(w, g, state, lr=cosine_annealing_lr(t, 0.1, T_max=100))``).
- A **scheduler class** with torch's name, arguments and defaults:
  :class:`LambdaLR`, :class:`StepLR`, :class:`LinearLR`,
  :class:`CosineAnnealingLR`. It holds an optimizer, any object with
  ``param_groups`` (those of :mod:`mlnotes.optim`, or torch's), and each
  :meth:`~LRScheduler.step` writes the next learning rate into every group's
  ``"lr"``, where the optimizer's next step reads it. Call it after
  ``optimizer.step()``, as in torch.

Like torch's, the classes (except :class:`LambdaLR`) compute the next learning
rate *from the current one*, the "chainable" form: :class:`StepLR` multiplies
the group's ``lr`` by :math:`\gamma` every ``step_size`` steps rather than
setting :math:`\eta_0 \gamma^{\lfloor t / s \rfloor}`, so that a change made by
another scheduler or by hand carries on. Without such changes both forms give
the same schedule up to rounding (tested to 1e-12), and the classes give
exactly torch's learning rates (tested with ``==``). A scheduler's
``state_dict`` has torch's keys, so one saved by torch loads here and back.

Explained in the book: :doc:`/optimizers`; presented in the deck "Lecture: making
training work".

Glossary: :math:`t` the scheduler's step count (``last_epoch``, torch's name,
though it counts calls to ``step()``, per epoch or per batch as you choose),
:math:`\eta_0` a group's initial learning rate (``base_lrs``, kept as
``"initial_lr"`` in each group), :math:`\eta_t` its learning rate after
:math:`t` steps.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backend import check_count, check_number

__all__ = [
    "step_lr",
    "linear_lr",
    "cosine_annealing_lr",
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "LinearLR",
    "CosineAnnealingLR",
]

# ----------------------------------------------------------------- argument checks




def _steps(t: Any) -> np.ndarray:
    """``t`` as an array of non-negative integer step counts."""
    steps = np.asarray(t)
    if steps.dtype == bool or not np.issubdtype(steps.dtype, np.integer):
        raise TypeError(f"t must be an int or an array of ints, got {steps.dtype}")
    if np.any(steps < 0):
        raise ValueError(f"t must be >= 0, got {t}")
    return steps


def _result(lr: np.ndarray, t: Any) -> float | np.ndarray:
    """A float for a single step, an array for an array of steps."""
    return float(lr) if np.ndim(t) == 0 else np.asarray(lr, dtype=np.float64)


# -------------------------------------------------------------------- closed forms


def step_lr(t: Any, base_lr: float, step_size: int, gamma: float = 0.1) -> float | np.ndarray:
    r"""Step decay: the learning rate drops by a factor :math:`\gamma` every ``step_size`` steps.

    .. math::
        \eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}

    The closed form of :class:`StepLR` (and of ``torch.optim.lr_scheduler.StepLR``).

    Args:
        t: the step count, an int or an array of ints, each :math:`\ge 0`.
        base_lr: :math:`\eta_0 \ge 0`, the learning rate at :math:`t = 0`.
        step_size: :math:`s \ge 1`, the number of steps between drops.
        gamma: :math:`\gamma \ge 0`, the factor of each drop.

    Returns:
        :math:`\eta_t`: a float for an int ``t``, an array of the shape of ``t``
        otherwise.

    Example:
        >>> import numpy as np
        >>> step_lr(np.arange(7), 0.1, step_size=3, gamma=0.5)
        array([0.1  , 0.1  , 0.1  , 0.05 , 0.05 , 0.05 , 0.025])
    """
    steps = _steps(t)
    base_lr = check_number(base_lr, "base_lr", low=0.0)
    check_count(step_size, "step_size")
    check_number(gamma, "gamma", low=0.0)
    # eta_t = eta_0 gamma^floor(t / s)
    return _result(base_lr * gamma ** (steps // step_size), t)


def linear_lr(t: Any, base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
              total_iters: int = 5) -> float | np.ndarray:
    r"""A linear ramp of the learning rate's factor, then a constant: a warm-up (or a decay).

    .. math::
        \eta_t = \eta_0 \left( f_0 + (f_1 - f_0)\, \frac{\min(t, T)}{T} \right)

    With :math:`f_0 < f_1 = 1` it is a **warm-up**: the learning rate climbs from
    :math:`f_0 \eta_0` to :math:`\eta_0` in :math:`T` steps and stays there. The
    closed form of :class:`LinearLR`.

    Args:
        t: the step count, an int or an array of ints, each :math:`\ge 0`.
        base_lr: :math:`\eta_0 \ge 0`.
        start_factor: :math:`f_0 \in (0, 1]`, the factor at :math:`t = 0`.
        end_factor: :math:`f_1 \in [0, 1]`, the factor from :math:`t = T` on.
        total_iters: :math:`T \ge 1`, the length of the ramp.

    Returns:
        :math:`\eta_t`, a float or an array like ``t``.

    Example:
        >>> import numpy as np
        >>> linear_lr(np.arange(6), 0.1, start_factor=0.2, total_iters=4)
        array([0.02, 0.04, 0.06, 0.08, 0.1 , 0.1 ])
    """
    steps = _steps(t)
    base_lr = check_number(base_lr, "base_lr", low=0.0)
    check_number(start_factor, "start_factor", 0.0, 1.0, low_open=True)
    check_number(end_factor, "end_factor", 0.0, 1.0)
    check_count(total_iters, "total_iters")
    # eta_t = eta_0 (f0 + (f1 - f0) min(t, T) / T)
    ramp = np.minimum(steps, total_iters) / total_iters
    factor = start_factor + (end_factor - start_factor) * ramp
    return _result(base_lr * factor, t)


def cosine_annealing_lr(t: Any, base_lr: float, T_max: int,
                        eta_min: float = 0.0) -> float | np.ndarray:
    r"""Cosine annealing: half a cosine from :math:`\eta_0` down to :math:`\eta_{\min}`.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    The learning rate starts flat (large steps while they help), falls fastest
    half-way and flattens again at the bottom. Past :math:`T_{\max}` the cosine
    climbs back, as torch's does; train for :math:`T_{\max}` steps. The closed form
    of :class:`CosineAnnealingLR`.

    Args:
        t: the step count, an int or an array of ints, each :math:`\ge 0`.
        base_lr: :math:`\eta_0 \ge 0`.
        T_max: :math:`T_{\max} \ge 1`, the number of steps down.
        eta_min: :math:`\eta_{\min} \ge 0`, the learning rate at the bottom.

    Returns:
        :math:`\eta_t`, a float or an array like ``t``.

    Example:
        >>> import numpy as np
        >>> cosine_annealing_lr(np.arange(5), 0.1, T_max=4).round(4)
        array([0.1   , 0.0854, 0.05  , 0.0146, 0.    ])
    """
    steps = _steps(t)
    base_lr = check_number(base_lr, "base_lr", low=0.0)
    check_count(T_max, "T_max")
    check_number(eta_min, "eta_min", low=0.0)
    # eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi t / T_max)) / 2
    return _result(eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * steps / T_max)) / 2, t)


# --------------------------------------------------------------- scheduler classes


class LRScheduler:
    r"""The schedulers' base: torch's ``LRScheduler``, for any optimizer with ``param_groups``.

    On creation the scheduler records each group's learning rate as
    ``"initial_lr"`` (:math:`\eta_0`, listed in ``base_lrs``) and takes its
    first step, :math:`t = 0`, which sets the learning rate of the first
    optimizer step. Each later :meth:`step` counts :math:`t \leftarrow t + 1` and
    writes :meth:`get_lr`'s values into the groups.

    Args:
        optimizer: an optimizer with ``param_groups``, a list of dicts each
            with an ``"lr"`` (a float): :mod:`mlnotes.optim`'s, or torch's.
        last_epoch: ``-1`` to start; the step count to resume from otherwise
            (the groups must then hold ``"initial_lr"``, as after loading the
            optimizer's ``state_dict``).
    """

    def __init__(self, optimizer: Any, last_epoch: int = -1) -> None:
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise TypeError(f"optimizer must have param_groups, a list of dicts, "
                            f"got {type(optimizer).__name__}")
        check_number(last_epoch, "last_epoch", low=-1, integer=True)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param_groups[{i}] has no 'initial_lr': to resume "
                                   f"(last_epoch={last_epoch}), load the optimizer's state first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        # the first step sets the learning rate of t = 0 (torch's "initial mode")
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        r"""The learning rate of each group at step ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError

    def step(self) -> None:
        r"""Count one step and set every group's learning rate to :meth:`get_lr`'s."""
        self._step_count += 1
        self.last_epoch += 1
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def get_last_lr(self) -> list[float]:
        r"""The learning rates the last :meth:`step` set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        r"""Everything but the optimizer (torch's keys: ``base_lrs``, ``last_epoch``, ...)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        r"""Restore what :meth:`state_dict` returned (ours or torch's)."""
        self.__dict__.update(state_dict)

    def _lrs(self) -> list[float]:
        """The groups' current learning rates."""
        return [group["lr"] for group in self.optimizer.param_groups]


class LambdaLR(LRScheduler):
    r"""The initial learning rate times a factor that a function of :math:`t` returns.

    .. math::
        \eta_t = \eta_0\, \lambda(t)

    Any schedule fits here; a warm-up followed by a cosine, say, is the product
    of the closed forms with ``base_lr=1``. Arguments as
    ``torch.optim.lr_scheduler.LambdaLR``.

    Args:
        optimizer: the optimizer whose ``param_groups`` it drives.
        lr_lambda: the function :math:`t \mapsto \lambda(t)`, or a list of
            them, one per group.
        last_epoch: ``-1`` to start (see :class:`LRScheduler`).

    Example:
        >>> import torch
        >>> from mlnotes.optim import SGD
        >>> opt = SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        >>> warm_up = LambdaLR(opt, lambda t: linear_lr(t, 1.0, start_factor=0.25, total_iters=3))
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(round(opt.param_groups[0]["lr"], 4))
        ...     opt.step()
        ...     warm_up.step()
        >>> lrs
        [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(self, optimizer: Any, lr_lambda: Callable[[int], float]
                 | Sequence[Callable[[int], float]], last_epoch: int = -1) -> None:
        n = len(getattr(optimizer, "param_groups", []))
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"lr_lambda must be one function or {n} (one per group), "
                                 f"got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError("lr_lambda must be a function of the step count, or a list of them")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The learning rate of each group at step ``last_epoch``."""
        # eta_t = eta_0 lambda(t)
        return [base_lr * f(self.last_epoch)
                for f, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        r"""As torch's: functions are not saved, callable objects' attributes are."""
        state = {key: value for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else f.__dict__.copy()
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        r"""Restore what :meth:`state_dict` returned (the functions stay this scheduler's)."""
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for f, attributes in zip(self.lr_lambdas, saved, strict=True):
            if attributes is not None:
                f.__dict__.update(attributes)


class StepLR(LRScheduler):
    r"""Multiply the learning rate by :math:`\gamma` every ``step_size`` steps.

    .. math::
        \eta_t = \begin{cases} \gamma\, \eta_{t-1} & t > 0 \text{ and } s \mid t \\
                               \eta_{t-1} & \text{otherwise} \end{cases}

    which makes :math:`\eta_t = \eta_0\, \gamma^{\lfloor t/s \rfloor}`, :func:`step_lr`.
    Arguments and defaults as ``torch.optim.lr_scheduler.StepLR``.

    Args:
        optimizer: the optimizer whose ``param_groups`` it drives.
        step_size: :math:`s \ge 1`, the number of steps between drops.
        gamma: :math:`\gamma \ge 0`, the factor of each drop.
        last_epoch: ``-1`` to start (see :class:`LRScheduler`).

    Example:
        >>> import torch
        >>> from mlnotes.optim import SGD
        >>> opt = SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for _ in range(5):
        ...     opt.step()
        ...     scheduler.step()
        ...     lrs.append(scheduler.get_last_lr()[0])
        >>> lrs
        [0.1, 0.05, 0.05, 0.025, 0.025]
    """

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = check_count(step_size, "step_size")
        check_number(gamma, "gamma", low=0.0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The learning rate of each group at step ``last_epoch``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        # eta_t = gamma eta_{t-1}, every s steps
        return [lr * self.gamma for lr in self._lrs()]


class LinearLR(LRScheduler):
    r"""Ramp the learning rate's factor linearly from ``start_factor`` to ``end_factor``: a warm-up.

    .. math::
        \eta_0' = f_0\, \eta_0, \qquad
        \eta_t = \eta_{t-1} \left(1 + \frac{f_1 - f_0}{T f_0 + (t - 1)(f_1 - f_0)}\right)
            \quad (1 \le t \le T)

    and :math:`\eta_t = \eta_{t-1}` after :math:`T` steps. Each step's factor is
    the ratio of two successive points of the ramp
    :math:`f_0 + (f_1 - f_0)\, t / T`, so the product is :func:`linear_lr`.
    Arguments and defaults as ``torch.optim.lr_scheduler.LinearLR``.

    Args:
        optimizer: the optimizer whose ``param_groups`` it drives.
        start_factor: :math:`f_0 \in (0, 1]`, the factor at :math:`t = 0`.
        end_factor: :math:`f_1 \in [0, 1]`, the factor from :math:`t = T` on.
        total_iters: :math:`T \ge 1`, the length of the ramp.
        last_epoch: ``-1`` to start (see :class:`LRScheduler`).

    Example:
        >>> import torch
        >>> from mlnotes.optim import Adam
        >>> opt = Adam([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        >>> warm_up = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = [warm_up.get_last_lr()[0]]
        >>> for _ in range(4):
        ...     opt.step()
        ...     warm_up.step()
        ...     lrs.append(warm_up.get_last_lr()[0])
        >>> [round(lr, 4) for lr in lrs]
        [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(self, optimizer: Any, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        check_number(start_factor, "start_factor", 0.0, 1.0, low_open=True)
        check_number(end_factor, "end_factor", 0.0, 1.0)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = check_count(total_iters, "total_iters")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The learning rate of each group at step ``last_epoch``."""
        f0, f1, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            # eta'_0 = f0 eta_0
            return [lr * f0 for lr in self._lrs()]
        if self._is_initial or t > T:
            return self._lrs()
        # eta_t = eta_{t-1} (1 + (f1 - f0) / (T f0 + (t - 1)(f1 - f0)))
        return [lr * (1.0 + (f1 - f0) / (T * f0 + (t - 1) * (f1 - f0))) for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate along half a cosine, from :math:`\eta_0` down to ``eta_min``.

    .. math::
        \eta_t = \eta_{\min} + (\eta_{t-1} - \eta_{\min})\,
            \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t - 1) / T_{\max})}

    Each step's factor is the ratio of two successive points of the cosine, so
    the product is :func:`cosine_annealing_lr`. Where the denominator is 0 (at
    the bottom, :math:`t - 1 = T_{\max}`, and every :math:`2 T_{\max}` after),
    the step adds the cosine's first rise instead,
    :math:`\tfrac12 (\eta_0 - \eta_{\min})(1 - \cos(\pi / T_{\max}))`, as torch's
    does. Arguments and defaults as ``torch.optim.lr_scheduler.CosineAnnealingLR``
    (without restarts).

    Args:
        optimizer: the optimizer whose ``param_groups`` it drives.
        T_max: :math:`T_{\max} \ge 1`, the number of steps down.
        eta_min: :math:`\eta_{\min} \ge 0`, the learning rate at the bottom.
        last_epoch: ``-1`` to start (see :class:`LRScheduler`).

    Example:
        >>> import torch
        >>> from mlnotes.optim import SGD
        >>> opt = SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        >>> scheduler = CosineAnnealingLR(opt, T_max=4)
        >>> lrs = [scheduler.get_last_lr()[0]]
        >>> for _ in range(4):
        ...     opt.step()
        ...     scheduler.step()
        ...     lrs.append(scheduler.get_last_lr()[0])
        >>> [round(lr, 4) for lr in lrs]
        [0.1, 0.0854, 0.05, 0.0146, 0.0]
    """

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = check_count(T_max, "T_max")
        check_number(eta_min, "eta_min", low=0.0)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        r"""The learning rate of each group at step ``last_epoch``."""
        T, t, eta_min = self.T_max, self.last_epoch, self.eta_min
        if self._is_initial:
            return self._lrs()
        if (t - 1 - T) % (2 * T) == 0:
            # at the bottom the ratio is 0/0: add the cosine's first rise
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base_lr in zip(self._lrs(), self.base_lrs, strict=True)]
        # eta_t = eta_min + (eta_{t-1} - eta_min) (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T))
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - eta_min) + eta_min for lr in self._lrs()]
