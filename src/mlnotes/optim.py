r"""Optimizers: SGD (with momentum), RMSprop, Adam and AdamW, written once as functional steps.

Each update rule is one function, in the spirit of labml_nn's optimizers: the
equation sits as a comment above the line that computes it, and the names are
the symbols (``m``, ``v``, ``beta1``), and each new value is written back into
its array with :func:`mlnotes.backend.assign_`. A step updates one parameter in
place, given its gradient and its ``state``, a plain ``dict`` that the caller keeps
between steps (the same keys torch keeps in ``optimizer.state[p]``).
The same body runs on NumPy arrays, so a page can follow a point down a 2-D
function, and on torch tensors on any device.

The classes :class:`SGD`, :class:`RMSprop`, :class:`Adam` and :class:`AdamW` are
optimizers with torch's interface and defaults (:class:`Optimizer`), built on those
steps: they keep ``param_groups``, ``state`` and ``state_dict`` as torch does,
and they run wherever the parameters live (their state is created with
``zeros_like`` on the parameters' device). They train torch parameters and the
:class:`mlnotes.autograd.Tensor` parameters of the NumPy models alike. Their trajectories match
``torch.optim`` (``foreach=False``) to 1e-10 over 100 steps in float64 (tested; torch
fuses each update into one rounding, the equations here round once per operation). Learning-rate
schedules that drive them through ``param_groups``, as ``torch.optim.lr_scheduler``
does, are in :mod:`mlnotes.schedulers`.

Explained in the book: :doc:`/optimizers`; presented in the deck "Lecture: making
training work".

Glossary: :math:`\theta` the parameter (``param``), :math:`g` its gradient
(``grad``), :math:`\eta` the learning rate (``lr``), :math:`\lambda` the weight
decay, :math:`t` the step count (``state["step"]``).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np

from .backend import (
    assign_,
    check_floating,
    check_number,
    check_same_shape,
    import_torch,
    is_tensor,
    is_torch,
    namespace,
    stop_gradient,
)

torch = import_torch()

__all__ = [
    "Optimizer",
    "sgd_step",
    "rmsprop_step",
    "adam_step",
    "adamw_step",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "trajectory",
    "clip_grad_norm",
]

# ----------------------------------------------------------------- argument checks




def _check_sgd(lr, momentum, dampening, weight_decay, nesterov) -> None:
    check_number(lr, "lr", low=0.0)
    check_number(momentum, "momentum", low=0.0)
    check_number(dampening, "dampening", 0.0, 1.0)
    check_number(weight_decay, "weight_decay", low=0.0)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0, "
                         f"got momentum={momentum} and dampening={dampening}")


def _check_rmsprop(lr, alpha, eps, weight_decay, momentum) -> None:
    check_number(lr, "lr", low=0.0)
    check_number(alpha, "alpha", 0.0, 1.0)
    check_number(eps, "eps", low=0.0)
    check_number(weight_decay, "weight_decay", low=0.0)
    check_number(momentum, "momentum", low=0.0)


def _check_adam(lr, betas, eps, weight_decay) -> None:
    check_number(lr, "lr", low=0.0)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    check_number(betas[0], "betas[0]", 0.0, 1.0, high_open=True)
    check_number(betas[1], "betas[1]", 0.0, 1.0, high_open=True)
    check_number(eps, "eps", low=0.0)
    check_number(weight_decay, "weight_decay", low=0.0)


def _prepare(param: Any, grad: Any, state: Any, weight_decay: float,
             maximize: bool) -> tuple[Any, Any, Any]:
    r"""The namespace, the parameter (detached: updated in place) and the gradient to use;
    the one check of a step's arguments.

    .. math::
        g \leftarrow \pm g + \lambda\,\theta \qquad (- \text{ when maximizing})
    """
    xp = namespace(param, grad, names=("param", "grad"))
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict (empty before the first step), "
                        f"got {type(state).__name__}")
    check_floating(param, "param")
    check_same_shape(param, grad, ("param", "grad"))
    # the detached tensor shares param's storage: the in-place update reaches param
    param, grad = stop_gradient(param), stop_gradient(grad)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        # g <- g + lambda theta  (a new array: the caller's gradient is left alone)
        grad = grad + weight_decay * param
    return xp, param, grad


# ------------------------------------------------------------------------------ SGD


def sgd_step(param: Any, grad: Any, state: dict, *, lr: float = 1e-3, momentum: float = 0.0,
             dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
             maximize: bool = False) -> None:
    r"""One step of stochastic gradient descent, with optional (Nesterov) momentum.

    .. math::
        b_t &= \mu\, b_{t-1} + (1 - \tau)\, g_t \qquad (b_1 = g_1) \\
        \theta_t &= \theta_{t-1} - \eta\, d_t, \qquad
        d_t = \begin{cases} g_t & \mu = 0 \\ b_t & \text{momentum} \\
              g_t + \mu\, b_t & \text{Nesterov} \end{cases}

    Momentum :math:`\mu` keeps a running sum of past gradients, so directions
    that agree from step to step build up speed while directions that flip
    sign cancel out. Dampening :math:`\tau` scales down the new gradient's
    share.

    Args:
        param: the parameter, updated in place (any shape; NumPy or torch).
        grad: its gradient, same shape, backend and device.
        state: this parameter's state, a dict kept by the caller between
            steps; the step stores ``"momentum_buffer"`` there when
            ``momentum > 0``.
        lr: the learning rate :math:`\eta \ge 0`.
        momentum: :math:`\mu \ge 0`.
        dampening: :math:`\tau \in [0, 1]`.
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.
        nesterov: look ahead along the momentum (needs ``momentum > 0`` and
            ``dampening = 0``).
        maximize: climb the objective instead of descending it.

    Example:
        >>> import numpy as np
        >>> theta, state = np.array([1.0, -2.0]), {}
        >>> sgd_step(theta, 2 * theta, state, lr=0.25)  # f = |theta|^2
        >>> theta
        array([ 0.5, -1. ])
    """
    _check_sgd(lr, momentum, dampening, weight_decay, nesterov)
    xp, param, g = _prepare(param, grad, state, weight_decay, maximize)
    if momentum != 0:
        b = state.get("momentum_buffer")
        if b is None:
            # b_1 = g_1
            b = state["momentum_buffer"] = xp.asarray(g, copy=True)
        else:
            # b_t = mu b_{t-1} + (1 - tau) g_t
            assign_(b, momentum * b + (1 - dampening) * g)
        if nesterov:
            # d_t = g_t + mu b_t
            g = g + momentum * b
        else:
            g = b
    # theta_t = theta_{t-1} - eta d_t
    assign_(param, param - lr * g)


# -------------------------------------------------------------------------- RMSprop


def rmsprop_step(param: Any, grad: Any, state: dict, *, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, maximize: bool = False) -> None:
    r"""One step of RMSprop: divide the gradient by a running root mean square of it.

    .. math::
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t
            \qquad \text{(centered only; then } v_t \leftarrow v_t - \bar g_t^2) \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}
            \qquad \text{(with momentum: } b_t = \mu b_{t-1}
            + g_t / (\sqrt{v_t} + \epsilon),\ \theta_t = \theta_{t-1} - \eta\, b_t)

    Each coordinate gets a step size of its own: one whose gradients are large
    takes small steps, one whose gradients are small takes larger ones, which
    is what a long, narrow valley needs.

    Args:
        param: the parameter, updated in place.
        grad: its gradient, same shape, backend and device.
        state: this parameter's state; the step keeps ``"step"``,
            ``"square_avg"`` (:math:`v`), ``"momentum_buffer"`` (momentum only)
            and ``"grad_avg"`` (:math:`\bar g`, centered only) there.
        lr: the learning rate :math:`\eta \ge 0`.
        alpha: the smoothing constant :math:`\alpha \in [0, 1]`.
        eps: :math:`\epsilon \ge 0`, added to the denominator.
        weight_decay: L2 penalty :math:`\lambda \ge 0`.
        momentum: :math:`\mu \ge 0`.
        centered: divide by an estimate of the gradient's standard deviation
            instead of its root mean square (clamped at 0 where rounding would
            make the variance negative).
        maximize: climb the objective instead of descending it.

    Example:
        >>> import numpy as np
        >>> theta, state = np.array([1.0, -1.0]), {}
        >>> rmsprop_step(theta, np.array([100.0, -0.01]), state, lr=0.01, alpha=0.0, eps=0.0)
        >>> theta  # both coordinates move by lr, whatever their gradient's size
        array([ 0.99, -0.99])
    """
    _check_rmsprop(lr, alpha, eps, weight_decay, momentum)
    xp, param, g = _prepare(param, grad, state, weight_decay, maximize)
    if not state:
        state["step"] = 0
        state["square_avg"] = xp.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = xp.zeros_like(param)
        if centered:
            state["grad_avg"] = xp.zeros_like(param)
    state["step"] = int(state["step"]) + 1
    v = state["square_avg"]
    # v_t = alpha v_{t-1} + (1 - alpha) g_t^2
    assign_(v, alpha * v + (1 - alpha) * (g * g))
    if centered:
        g_bar = state["grad_avg"]
        # gbar_t = alpha gbar_{t-1} + (1 - alpha) g_t
        assign_(g_bar, alpha * g_bar + (1 - alpha) * g)
        # sqrt(v_t - gbar_t^2): the gradient's standard deviation
        avg = xp.sqrt(xp.clip(v - g_bar * g_bar, min=0))
    else:
        avg = xp.sqrt(v)
    avg = avg + eps
    if momentum > 0:
        b = state["momentum_buffer"]
        # b_t = mu b_{t-1} + g_t / (sqrt(v_t) + eps)
        assign_(b, momentum * b + g / avg)
        # theta_t = theta_{t-1} - eta b_t
        assign_(param, param - lr * b)
    else:
        # theta_t = theta_{t-1} - eta g_t / (sqrt(v_t) + eps)
        assign_(param, param - lr * (g / avg))


# ----------------------------------------------------------------------------- Adam


def adam_step(param: Any, grad: Any, state: dict, *, lr: float = 1e-3,
              betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
              weight_decay: float = 0.0, amsgrad: bool = False,
              maximize: bool = False) -> None:
    r"""One step of Adam: momentum on the gradient, RMSprop's scale, both bias-corrected.

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2
            \qquad (\text{AMSGrad: } \hat v^{\max}_t = \max(\hat v^{\max}_{t-1}, v_t)) \\
        \theta_t &= \theta_{t-1} - \eta\, \frac{m_t / (1 - \beta_1^t)}
            {\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    :math:`m` and :math:`v` start at 0, so early on they underestimate the
    gradient's mean and square; dividing by :math:`1 - \beta^t` corrects that.
    Property (tested): the first step moves every coordinate by at most
    :math:`\eta` (exactly :math:`\eta\,|g| / (|g| + \epsilon)`).

    Args:
        param: the parameter, updated in place.
        grad: its gradient, same shape, backend and device.
        state: this parameter's state; the step keeps ``"step"`` (:math:`t`),
            ``"exp_avg"`` (:math:`m`), ``"exp_avg_sq"`` (:math:`v`) and, with
            AMSGrad, ``"max_exp_avg_sq"`` there.
        lr: the learning rate :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
        eps: :math:`\epsilon \ge 0`, added to the denominator.
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient
            (and so divided by :math:`\sqrt{v}` like it; :func:`adamw_step`
            decays every weight by the same factor instead).
        amsgrad: divide by the largest :math:`v` seen so far (AMSGrad).
        maximize: climb the objective instead of descending it.

    Example:
        >>> import numpy as np
        >>> theta, state = np.array([1.0, 1.0]), {}
        >>> adam_step(theta, np.array([1e3, -1e-3]), state, lr=0.1, eps=0.0)
        >>> theta, state["step"]
        (array([0.9, 1.1]), 1)
    """
    _check_adam(lr, betas, eps, weight_decay)
    beta1, beta2 = betas
    xp, param, g = _prepare(param, grad, state, weight_decay, maximize)
    if not state:
        state["step"] = 0
        state["exp_avg"] = xp.zeros_like(param)
        state["exp_avg_sq"] = xp.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = xp.zeros_like(param)
    t = state["step"] = int(state["step"]) + 1
    m, v = state["exp_avg"], state["exp_avg_sq"]
    # m_t = beta1 m_{t-1} + (1 - beta1) g_t
    assign_(m, beta1 * m + (1 - beta1) * g)
    # v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    assign_(v, beta2 * v + (1 - beta2) * (g * g))
    if amsgrad:
        v_max = state["max_exp_avg_sq"]
        # vmax_t = max(vmax_{t-1}, v_t)
        v = assign_(v_max, xp.maximum(v_max, v))
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    # sqrt(v_t / (1 - beta2^t)) + eps
    denom = xp.sqrt(v) / math.sqrt(bias_correction2) + eps
    # theta_t = theta_{t-1} - (eta / (1 - beta1^t)) m_t / denom
    assign_(param, param - lr / bias_correction1 * (m / denom))


# ---------------------------------------------------------------------------- AdamW


def adamw_step(param: Any, grad: Any, state: dict, *, lr: float = 1e-3,
               betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = 1e-2, amsgrad: bool = False,
               maximize: bool = False) -> None:
    r"""One step of AdamW: shrink the parameter by a fixed factor, then an Adam step.

    .. math::
        \theta &\leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\
        \theta_t &= \theta - \eta\, \frac{m_t / (1 - \beta_1^t)}
            {\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    with :math:`m_t` and :math:`v_t` the running averages of :func:`adam_step`,
    made from the gradient :math:`g_t` alone: the weight decay is *decoupled*
    from the gradient (Loshchilov and Hutter, 2019). :func:`adam_step` with
    ``weight_decay`` adds :math:`\lambda\theta` to the gradient (an L2 penalty
    in the loss), so the decay is divided by :math:`\sqrt{v}` with the rest and
    a weight with large gradients is barely decayed. Here every weight loses
    the same fraction :math:`\eta\lambda` per step, whatever its gradients.
    For plain SGD (no momentum) the two are the same update; for Adam they
    are not.

    Args:
        param: the parameter, updated in place.
        grad: its gradient (of the loss alone, without a penalty), same shape,
            backend and device.
        state: this parameter's state; the same keys as :func:`adam_step`'s.
        lr: the learning rate :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
        eps: :math:`\epsilon \ge 0`, added to the denominator.
        weight_decay: the decoupled decay :math:`\lambda \ge 0` (torch's
            default, ``1e-2``).
        amsgrad: divide by the largest :math:`v` seen so far (AMSGrad).
        maximize: climb the objective instead of descending it (the decay
            still pulls towards 0).

    Example:
        >>> import numpy as np
        >>> theta, state = np.array([1.0, 1.0]), {}
        >>> adamw_step(theta, np.array([0.0, 0.0]), state, lr=0.1, weight_decay=0.5)
        >>> theta  # no gradient: only the decay, 1 - 0.1 * 0.5
        array([0.95, 0.95])
    """
    _check_adam(lr, betas, eps, weight_decay)
    # check the arrays before the decay touches param; the Adam step checks the rest
    _, theta, _ = _prepare(param, grad, state, 0.0, maximize)
    # theta <- (1 - eta lambda) theta: the same factor for every weight
    assign_(theta, (1 - lr * weight_decay) * theta)
    adam_step(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=0.0,
              amsgrad=amsgrad, maximize=maximize)


# ------------------------------------------------------------------ the optimizers


class Optimizer(torch.optim.Optimizer):
    r"""The optimizers' base: torch's ``Optimizer`` interface, for torch tensors and Tensors.

    An optimizer holds ``param_groups``, a list of dicts (``"params"``, the
    parameters, and the hyper-parameters of that group) and ``state``, one dict per
    parameter (what its step remembers: momentum, moment estimates, the step
    count). ``step()`` applies the subclass's functional step (:func:`sgd_step`,
    ...) to every parameter that has a gradient.

    The parameters are torch tensors that require grad (updated under
    ``torch.no_grad()``, on their own device) or :class:`mlnotes.autograd.Tensor`
    leaves that require grad (the step updates their ``data`` array in place, with
    their ``grad`` array): the same optimizer trains a torch model and its NumPy
    twin, and the schedulers of :mod:`mlnotes.schedulers` drive either through
    ``param_groups``. Where torch exists it is a subclass of
    ``torch.optim.Optimizer``, so that torch's schedulers accept it too, but it
    never calls torch's constructor (which takes only torch tensors): every method
    an optimizer needs is written here, so the class works where torch does not
    exist (in the browser).

    Args:
        params: the parameters, or a list of dicts each with ``"params"`` and
            hyper-parameters of its own (torch's parameter groups).
        defaults: the hyper-parameters of a group that does not set them.

    Example:
        >>> from mlnotes.autograd import Tensor
        >>> w = Tensor([1.0, -2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.25)
        >>> (w * w).sum().backward()   # grad 2w
        >>> opt.step()
        >>> w.data
        array([ 0.5, -1. ])
    """

    _step: Callable[..., None]
    _hyper: tuple[str, ...]

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if (is_torch(params) or is_tensor(params) or isinstance(params, (np.ndarray, dict, str))
                or not isinstance(params, Iterable)):
            raise TypeError("params must be an iterable of parameters or of dicts, got "
                            f"{type(params).__name__} (wrap one parameter in a list)")
        if not isinstance(defaults, dict):
            raise TypeError(f"defaults must be a dict of hyper-parameters, got "
                            f"{type(defaults).__name__}")
        self.defaults = dict(defaults)
        self.state: dict[Any, dict] = collections.defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("params is empty: the optimizer got no parameters to train")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        r"""Add a group of parameters with hyper-parameters of its own (the rest from ``defaults``).

        Example:
            >>> from mlnotes.autograd import Tensor
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> opt.add_param_group({"params": [Tensor([2.0], requires_grad=True)], "lr": 0.5})
            >>> [group["lr"] for group in opt.param_groups]
            [0.1, 0.5]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if params is None:
            raise ValueError("param_group must have a 'params' entry")
        params = [params] if (is_torch(params) or is_tensor(params)) else list(params)
        for k, p in enumerate(params):
            if not (is_torch(p) or is_tensor(p)):
                raise TypeError(f"params[{k}] must be a torch tensor or an mlnotes.autograd."
                                f"Tensor, got {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(f"params[{k}] does not require grad: the optimizer would "
                                 "never move it (create it with requires_grad=True)")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if len({id(p) for p in params}) < len(params) or any(id(p) in seen for p in params):
            raise ValueError("some parameters appear more than once in the optimizer's groups")
        group = {**self.defaults, **param_group, "params": params}
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        r"""Forget every parameter's gradient (``None``, or zeros with ``set_to_none=False``).

        Example:
            >>> from mlnotes.autograd import Tensor
            >>> w = Tensor([3.0], requires_grad=True)
            >>> (w * w).sum().backward()
            >>> opt = SGD([w], lr=0.1)
            >>> opt.zero_grad()
            >>> w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif is_torch(p):
                    p.grad.detach_().zero_()
                else:
                    p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        r"""Update every parameter that has a gradient, one functional step each.

        Args:
            closure: optional; re-evaluates the model and returns the loss.

        Returns:
            The closure's loss, or ``None``.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            hyper = {name: group[name] for name in self._hyper}
            for p in group["params"]:
                if p.grad is None:
                    continue
                if is_torch(p):
                    if p.grad.is_sparse:
                        raise RuntimeError(
                            f"{type(self).__name__} does not support sparse gradients")
                    with torch.no_grad():
                        type(self)._step(p, p.grad, self.state[p], **hyper)
                else:  # an mlnotes Tensor: its numbers are updated, outside its graph
                    type(self)._step(p.data, p.grad, self.state[p], **hyper)
        return loss

    def state_dict(self) -> dict[str, Any]:
        r"""The optimizer's state and groups, parameters named by their position (as torch).

        Example:
            >>> from mlnotes.autograd import Tensor
            >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
            >>> opt.state_dict()["param_groups"][0]["params"]
            [0]
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            groups.append({**group, "params": [index[id(p)] for p in group["params"]]})
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        r"""Restore what :meth:`state_dict` returned, onto this optimizer's parameters.

        Example:
            >>> from mlnotes.autograd import Tensor
            >>> w = Tensor([1.0], requires_grad=True)
            >>> opt = SGD([w], lr=0.1, momentum=0.9)
            >>> (w * w).sum().backward(); opt.step()
            >>> again = SGD([w], lr=0.1, momentum=0.9)
            >>> again.load_state_dict(opt.state_dict())
            >>> again.state[w]["momentum_buffer"]
            array([2.])
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("state_dict must be what Optimizer.state_dict() returned: a dict "
                             "with 'state' and 'param_groups'")
        saved = state_dict["param_groups"]
        if [len(s["params"]) for s in saved] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError("state_dict's parameter groups do not match this optimizer's")
        params = {}
        for s, g in zip(saved, self.param_groups, strict=True):
            params.update(zip(s["params"], g["params"], strict=True))
            g.update({k: v for k, v in s.items() if k != "params"})
        self.state = collections.defaultdict(dict)
        for i, s in state_dict["state"].items():
            self.state[params[i]] = {k: (v.copy() if hasattr(v, "copy") else v)
                                     for k, v in s.items()}


class SGD(Optimizer):
    r"""Stochastic gradient descent as an :class:`Optimizer`: :func:`sgd_step`.

    Arguments and defaults as :class:`torch.optim.SGD`; see :func:`sgd_step`
    for the update and the meaning of each hyper-parameter.

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = SGD([w], lr=0.25, momentum=0.9)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> w.detach()
        tensor([ 0.5000, -1.0000])
    """

    _step = sgd_step
    _hyper = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        _check_sgd(lr, momentum, dampening, weight_decay, nesterov)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)


class RMSprop(Optimizer):
    r"""RMSprop as an :class:`Optimizer`: :func:`rmsprop_step`.

    Arguments and defaults as :class:`torch.optim.RMSprop`.

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
        >>> opt = RMSprop([w], lr=0.01)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['square_avg', 'step']
    """

    _step = rmsprop_step
    _hyper = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        _check_rmsprop(lr, alpha, eps, weight_decay, momentum)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)


class Adam(Optimizer):
    r"""Adam as an :class:`Optimizer`: :func:`adam_step`.

    Arguments and defaults as :class:`torch.optim.Adam` (L2 weight decay, as
    in torch's ``Adam``; not the decoupled decay of :class:`AdamW`).

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
        >>> opt = Adam([w], lr=0.1)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> w.detach()  # the first step has size lr
        tensor([ 0.9000, -0.9000])
    """

    _step = adam_step
    _hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)


class AdamW(Optimizer):
    r"""AdamW as an :class:`Optimizer`: :func:`adamw_step`.

    Arguments and defaults as :class:`torch.optim.AdamW` (decoupled weight
    decay, ``weight_decay=1e-2``).

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([2.0, -2.0]))
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> w.detach()  # 2 (1 - 0.1 * 0.5) = 1.9, then the Adam step of size lr
        tensor([ 1.8000, -1.8000])
    """

    _step = adamw_step
    _hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)



# --------------------------------------------------------------------- clipping


def clip_grad_norm(
    grads_or_params: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Any:
    r"""Rescale gradients in place so that their joint norm is at most ``max_norm``.

    .. math::
        \|g\| = \Big(\sum_k \|g_k\|_p^p\Big)^{1/p}, \qquad
        g_k \leftarrow g_k \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Big)

    The norm is taken over all gradients together, as if they were one vector,
    so clipping shrinks every gradient by the same factor and keeps the
    direction of the step. These are the semantics of
    ``torch.nn.utils.clip_grad_norm_``, value for value (the :math:`10^{-6}` too).

    Args:
        grads_or_params: one array or an iterable of them. A torch tensor that
            requires grad is a parameter (an :class:`mlnotes.autograd.Tensor` too):
            its ``.grad`` is clipped (skipped if ``None``). Any other array (a NumPy
            array, a tensor without ``requires_grad``) is a gradient and is scaled itself.
        max_norm: the largest norm allowed, a positive number.
        norm_type: :math:`p`, a positive number or ``float("inf")`` (the largest
            absolute entry).
        error_if_nonfinite: raise if the total norm is ``nan`` or ``inf`` instead
            of scaling by it (torch's default, ``False``, scales).

    Returns:
        The total norm :math:`\|g\|` *before* clipping, a 0-d array of the
        gradients' kind (``0.0`` if there are no gradients).

    Example:
        >>> import numpy as np
        >>> grads = [np.array([3.0]), np.array([4.0])]  # joint norm 5
        >>> float(clip_grad_norm(grads, max_norm=1.0))
        5.0
        >>> np.round(np.concatenate(grads), 6)
        array([0.6, 0.8])
    """
    if not (isinstance(max_norm, Real) and max_norm == math.inf):  # inf: clip nothing (torch)
        check_number(max_norm, "max_norm", low=0.0, low_open=True)
    if not (isinstance(norm_type, Real) and norm_type == math.inf):  # inf: the largest entry
        check_number(norm_type, "norm_type", low=0.0, low_open=True)
    if not (hasattr(grads_or_params, "shape") or isinstance(grads_or_params, Iterable)):
        raise TypeError("grads_or_params must be an array or an iterable of arrays, "
                        f"got {type(grads_or_params).__name__}")
    items = [grads_or_params] if hasattr(grads_or_params, "shape") else list(grads_or_params)
    grads = []
    for k, p in enumerate(items):
        if (is_torch(p) or is_tensor(p)) and p.requires_grad:  # a parameter: clip its .grad
            if p.grad is not None:
                grads.append(p.grad)
        else:
            namespace(p, names=(f"grads_or_params[{k}]",))
            grads.append(p)
    if not grads:
        return 0.0
    xp = namespace(*grads, names=tuple(f"gradient {k}" for k in range(len(grads))))
    norm_type = float(norm_type)
    # ||g|| = || (||g_1||, ..., ||g_K||) ||, the norm of the per-array norms
    norms = xp.stack([xp.linalg.vector_norm(g, ord=norm_type) for g in grads])
    total = xp.linalg.vector_norm(norms, ord=norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {float(total)}; "
            "set error_if_nonfinite=False to scale by it anyway"
        )
    # factor = min(1, max_norm / (||g|| + 1e-6)), applied in place to every gradient
    factor = xp.clip(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        assign_(g, g * factor)
    return total


# ------------------------------------------------------------------ a 2-D descent


def trajectory(step: Callable[..., None], grad_fn: Callable[[np.ndarray], np.ndarray],
               x0: Any, n_steps: int, **hyper: Any) -> np.ndarray:
    r"""Follow a functional step from ``x0`` for ``n_steps`` steps; return every point.

    Args:
        step: :func:`sgd_step`, :func:`rmsprop_step`, :func:`adam_step` or
            :func:`adamw_step`.
        grad_fn: the gradient of the objective, ``x -> g`` (NumPy).
        x0: the starting point, shape ``(D,)``.
        n_steps: how many steps to take (``>= 0``).
        **hyper: the step's hyper-parameters (``lr``, ``momentum``, ...).

    Returns:
        The points visited, shape ``(n_steps + 1, D)``, ``x0`` first.

    Example:
        >>> path = trajectory(sgd_step, lambda x: 2 * x, [1.0, 2.0], 2, lr=0.25)
        >>> path
        array([[1.  , 2.  ],
               [0.5 , 1.  ],
               [0.25, 0.5 ]])
    """
    for name, f in (("step", step), ("grad_fn", grad_fn)):
        if not callable(f):
            raise TypeError(f"{name} must be a function, got {type(f).__name__}")
    n_steps = check_number(n_steps, "n_steps", low=0, integer=True)
    x = np.array(x0)
    if x.dtype == bool or not (np.issubdtype(x.dtype, np.integer)
                               or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"x0 must be a point of real numbers, got {type(x0).__name__} "
                        f"of dtype {x.dtype}")
    x = x.astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a 1-D point, got shape {x.shape}")
    state: dict = {}
    path = [x.copy()]
    for _ in range(n_steps):
        step(x, np.asarray(grad_fn(x), dtype=np.float64), state, **hyper)
        path.append(x.copy())
    return np.stack(path)
