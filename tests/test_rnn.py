"""mlnotes.rnn against torch.nn in float64: RNN, BPTT, gradient clipping, LSTM; bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st
from strategies import vectors

from mlnotes import activations as A
from mlnotes import rnn as R
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(0)
D, H, N, L = 3, 5, 4, 7


def _weights(gates: int, d: int = D, h: int = H, scale: float = 0.5, seed: int = 1):
    """``(W_ih, W_hh, b_ih, b_hh)`` as float64 NumPy arrays, torch's shapes."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(gates * h, d)) * scale, rng.normal(size=(gates * h, h)) * scale,
            rng.normal(size=gates * h) * scale, rng.normal(size=gates * h) * scale)


def _load(module: torch.nn.Module, W_ih, W_hh, b_ih=None, b_hh=None, suffix: str = ""):
    """Copy our weights into a torch.nn cell or layer (float64)."""
    module.double()
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(reference(W_ih))
        getattr(module, "weight_hh" + suffix).copy_(reference(W_hh))
        if b_ih is not None:
            getattr(module, "bias_ih" + suffix).copy_(reference(b_ih))
            getattr(module, "bias_hh" + suffix).copy_(reference(b_hh))
    return module


def _on(arrays, backend, requires_grad=False, dtype=np.float64):
    return [None if a is None else make(a, backend, dtype=dtype, requires_grad=requires_grad)
            for a in arrays]


# ---------------------------------------------------------------------------- RNN


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_rnn_cell_matches_torch(batched, bias, backend):
    W = _weights(1)
    W = W if bias else (*W[:2], None, None)
    shape = (N,) if batched else ()
    x, h = RNG.normal(size=(*shape, D)), RNG.normal(size=(*shape, H))
    cell = _load(torch.nn.RNNCell(D, H, bias=bias), *W)
    out = R.rnn_cell(*_on([x, h, *W], backend))
    assert type(out) is type(make(x, backend))
    assert_close(out, cell(reference(x), reference(h)))


def test_rnn_cell_gradients_match_torch(device):
    W, x, h = _weights(1), RNG.normal(size=(N, D)), RNG.normal(size=(N, H))
    ours = _on([x, h, *W], device, requires_grad=True)
    g = RNG.normal(size=(N, H))
    (R.rnn_cell(*ours) * make(g, device)).sum().backward()
    cell = _load(torch.nn.RNNCell(D, H), *W)
    xr, hr = reference(x, True), reference(h, True)
    (cell(xr, hr) * reference(g)).sum().backward()
    theirs = [xr.grad, hr.grad, cell.weight_ih.grad, cell.weight_hh.grad,
              cell.bias_ih.grad, cell.bias_hh.grad]
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a.grad, b)


@pytest.mark.parametrize("length", [1, 7, 30])
@pytest.mark.parametrize("with_h0", [True, False], ids=["h0", "zeros"])
def test_rnn_matches_torch_rnn(length, with_h0, backend):
    # one set of weights reads sequences of every length
    W = _weights(1)
    xs, h0 = RNG.normal(size=(length, N, D)), RNG.normal(size=(N, H))
    ref = _load(torch.nn.RNN(D, H), *W, suffix="_l0")
    out, h_n = ref(reference(xs), reference(h0)[None] if with_h0 else None)
    hs = R.rnn(make(xs, backend), make(h0, backend) if with_h0 else None, *_on(W, backend))
    assert tuple(hs.shape) == (length, N, H)
    assert_close(hs, out)
    assert_close(hs[-1], h_n[0])


def test_rnn_unbatched_is_a_batch_of_one(backend):
    W, xs = _weights(1), RNG.normal(size=(L, D))
    hs = R.rnn(make(xs, backend), None, *_on(W, backend))
    assert tuple(hs.shape) == (L, H)
    assert_close(hs, R.rnn(xs[:, None], None, *W)[:, 0])


def _autograd_bptt(grad_hs, xs, h0, W):
    """The gradients of sum(grad_hs * hs) by torch.autograd through torch.nn.RNN."""
    ref = _load(torch.nn.RNN(D, H), *W, suffix="_l0")
    xr, hr = reference(xs, True), reference(h0, True)
    batched = xs.ndim == 3
    out, _ = ref(xr, hr[None] if batched else hr[None])
    (out * reference(grad_hs)).sum().backward()
    return (xr.grad, hr.grad, ref.weight_ih_l0.grad, ref.weight_hh_l0.grad,
            ref.bias_ih_l0.grad, ref.bias_hh_l0.grad)


@pytest.mark.parametrize("scale", [0.5, 3.0], ids=["moderate", "saturated"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_bptt_matches_autograd(scale, batched, backend):
    W = _weights(1, scale=scale)
    shape = (L, N) if batched else (L,)
    xs, h0 = RNG.normal(size=(*shape, D)), RNG.normal(size=(*shape[1:], H))
    grad_hs = RNG.normal(size=(*shape, H))
    xs_, h0_, W_ih, W_hh, b_ih, b_hh = _on([xs, h0, *W], backend)
    hs = R.rnn(xs_, h0_, W_ih, W_hh, b_ih, b_hh)
    ours = R.rnn_backward(make(grad_hs, backend), xs_, hs, h0_, W_ih, W_hh)
    for a, b in zip(ours, _autograd_bptt(grad_hs, xs, h0, W), strict=True):
        assert type(a) is type(xs_)
        assert_close(a, b)


def test_bptt_with_loss_on_the_last_step_only(backend):
    # the usual case of a sequence classifier: only h_L enters the loss
    W = _weights(1)
    xs, h0 = RNG.normal(size=(L, N, D)), np.zeros((N, H))
    grad_hs = np.zeros((L, N, H))
    grad_hs[-1] = RNG.normal(size=(N, H))
    xs_, W_ih, W_hh, b_ih, b_hh = _on([xs, *W], backend)
    hs = R.rnn(xs_, None, W_ih, W_hh, b_ih, b_hh)
    ours = R.rnn_backward(make(grad_hs, backend), xs_, hs, None, W_ih, W_hh)
    for a, b in zip(ours, _autograd_bptt(grad_hs, xs, h0, W), strict=True):
        assert_close(a, b)


def test_bptt_gradient_shrinks_with_distance_for_small_weights():
    # contractive recurrent weights: the gradient reaching x_t decays towards the start
    W_ih, W_hh = np.eye(H), 0.5 * np.linalg.qr(RNG.normal(size=(H, H)))[0]
    xs = RNG.normal(size=(40, 1, H)) * 0.1
    hs = R.rnn(xs, None, W_ih, W_hh)
    g = np.zeros_like(hs)
    g[-1] = 1.0
    norms = np.linalg.norm(R.rnn_backward(g, xs, hs, None, W_ih, W_hh)[0][:, 0], axis=1)
    assert np.all(np.diff(norms) > 0)  # grows towards the last step
    assert norms[0] < 1e-10 * norms[-1]


# --------------------------------------------------------------------------- LSTM


@pytest.mark.parametrize("scale", [0.5, 30.0], ids=["moderate", "saturated"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_lstm_cell_matches_torch(scale, batched, backend):
    W = _weights(4, scale=scale)
    shape = (N,) if batched else ()
    x, h, c = (RNG.normal(size=(*shape, s)) for s in (D, H, H))
    cell = _load(torch.nn.LSTMCell(D, H), *W)
    h1, c1 = R.lstm_cell(make(x, backend), (make(h, backend), make(c, backend)),
                         *_on(W, backend))
    h_ref, c_ref = cell(reference(x), (reference(h), reference(c)))
    assert_close(h1, h_ref)
    assert_close(c1, c_ref)


def test_lstm_cell_without_bias_matches_torch(backend):
    W = _weights(4)[:2]
    x, h, c = (RNG.normal(size=(N, s)) for s in (D, H, H))
    cell = _load(torch.nn.LSTMCell(D, H, bias=False), *W)
    out = R.lstm_cell(make(x, backend), (make(h, backend), make(c, backend)), *_on(W, backend))
    for a, b in zip(out, cell(reference(x), (reference(h), reference(c))), strict=True):
        assert_close(a, b)


def test_lstm_gates_are_the_four_layers(backend):
    # each gate recomputed from its block of rows, in the order i, f, g, o
    W = _weights(4)
    x, h, c = (RNG.normal(size=(N, s)) for s in (D, H, H))
    i, f, g, o = R.lstm_gates(make(x, backend), (make(h, backend), make(c, backend)),
                              *_on(W, backend))
    for k, (gate, act) in enumerate(zip((i, f, g, o), (A.sigmoid, A.sigmoid, A.tanh, A.sigmoid),
                                        strict=True)):
        rows = slice(k * H, (k + 1) * H)
        z = x @ W[0][rows].T + W[2][rows] + h @ W[1][rows].T + W[3][rows]
        assert_close(gate, act(z), rtol=1e-12, atol=1e-15)
    h1, c1 = R.lstm_cell(x, (h, c), *W)
    assert_close(c1, to_numpy(f) * c + to_numpy(i) * to_numpy(g))
    assert_close(h1, to_numpy(o) * np.tanh(c1))


@given(vectors(st.floats(-1e3, 1e3, allow_nan=False), min_size=4, max_size=4))
def test_gates_lie_in_their_ranges(b):
    """Property: i, f, o in [0, 1] and g in [-1, 1]; the gates equal activations.sigmoid."""
    W_ih, W_hh = np.zeros((4, 1)), np.zeros((4, 1))
    i, f, g, o = R.lstm_gates(np.ones(1), (np.zeros(1), np.zeros(1)), W_ih, W_hh, b)
    for gate, z in zip((i, f, o), b[[0, 1, 3]], strict=True):
        assert 0.0 <= gate[0] <= 1.0
        assert abs(gate[0] - A.sigmoid(np.array([z]))[0]) <= 1e-15
    assert -1.0 <= g[0] <= 1.0


@pytest.mark.parametrize("length", [1, 9])
def test_lstm_function_matches_cell_loop_and_torch(length, backend):
    W = _weights(4)
    xs, h0, c0 = RNG.normal(size=(length, N, D)), RNG.normal(size=(N, H)), RNG.normal(size=(N, H))
    hs, (h_n, c_n) = R.lstm(make(xs, backend), (make(h0, backend), make(c0, backend)),
                            *_on(W, backend))
    h, c = h0, c0
    for t in range(length):
        h, c = R.lstm_cell(xs[t], (h, c), *W)
    assert_close(h_n, h)
    assert_close(c_n, c)
    ref = _load(torch.nn.LSTM(D, H), *W, suffix="_l0")
    out, (h_ref, c_ref) = ref(reference(xs), (reference(h0)[None], reference(c0)[None]))
    assert_close(hs, out)
    assert_close(c_n, c_ref[0])


def _twins(num_layers, bias, batch_first, device="cpu"):
    ours = R.LSTM(D, H, num_layers=num_layers, bias=bias, batch_first=batch_first,
                  dtype=torch.float64, device=device, generator=3)
    theirs = torch.nn.LSTM(D, H, num_layers=num_layers, bias=bias, batch_first=batch_first,
                           dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["LND", "NLD"])
@pytest.mark.parametrize("with_hx", [True, False], ids=["hx", "zeros"])
def test_lstm_module_matches_torch(num_layers, bias, batch_first, with_hx, device):
    ours, theirs = _twins(num_layers, bias, batch_first, device)
    x = RNG.normal(size=(N, L, D) if batch_first else (L, N, D))
    hx = [RNG.normal(size=(num_layers, N, H)) for _ in range(2)]
    x_ours, x_ref = make(x, device, requires_grad=True), reference(x, True)
    hx_ours = tuple(make(s, device, requires_grad=True) for s in hx) if with_hx else None
    hx_ref = tuple(reference(s, True) for s in hx) if with_hx else None
    out, (h_n, c_n) = ours(x_ours, hx_ours)
    out_ref, (h_ref, c_ref) = theirs(x_ref, hx_ref)
    for a, b in ((out, out_ref), (h_n, h_ref), (c_n, c_ref)):
        assert a.shape == b.shape and a.dtype == b.dtype and a.device.type == device
        assert_close(a, b)
    # gradients of every parameter, of the input and of the initial state
    gs = [RNG.normal(size=tuple(t.shape)) for t in (out, h_n, c_n)]
    sum((t * make(g, device)).sum() for t, g in zip((out, h_n, c_n), gs, strict=True)).backward()
    sum((t * reference(g)).sum()
        for t, g in zip((out_ref, h_ref, c_ref), gs, strict=True)).backward()
    assert_close(x_ours.grad, x_ref.grad)
    if with_hx:
        for a, b in zip(hx_ours, hx_ref, strict=True):
            assert_close(a.grad, b.grad)
    ours_params, their_params = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert ours_params.keys() == their_params.keys()
    for name, p in ours_params.items():
        assert_close(p.grad, their_params[name].grad)


def test_lstm_module_unbatched_matches_torch():
    ours, theirs = _twins(2, True, False)
    x = RNG.normal(size=(L, D))
    hx = tuple(RNG.normal(size=(2, H)) for _ in range(2))
    out, (h_n, c_n) = ours(reference(x), tuple(reference(s) for s in hx))
    out_ref, (h_ref, c_ref) = theirs(reference(x), tuple(reference(s) for s in hx))
    for a, b in ((out, out_ref), (h_n, h_ref), (c_n, c_ref)):
        assert a.shape == b.shape
        assert_close(a, b)


def test_lstm_state_dict_loads_both_ways():
    ours, theirs = _twins(2, True, True)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in theirs.state_dict().items()}
    fresh_torch = torch.nn.LSTM(D, H, num_layers=2, batch_first=True, dtype=torch.float64)
    fresh_torch.load_state_dict(ours.state_dict())
    fresh_ours = R.LSTM(D, H, num_layers=2, batch_first=True, dtype=torch.float64, generator=9)
    fresh_ours.load_state_dict(fresh_torch.state_dict())
    x = reference(RNG.normal(size=(N, L, D)))
    assert_close(fresh_ours(x)[0], theirs(x)[0])
    assert repr(ours).replace("mlnotes.rnn.", "") == repr(theirs)


def test_lstm_saturated_inputs_stay_finite_and_match_torch():
    ours, theirs = _twins(1, True, False)
    x = reference(RNG.normal(size=(L, N, D)) * 1e3)
    out, (_, c_n) = ours(x)
    assert torch.isfinite(out).all()
    assert_close(out, theirs(x)[0])
    assert_close(c_n, theirs(x)[1][1])


def test_lstm_initialisation_is_seeded_and_in_torch_range():
    a, b = R.LSTM(D, H, generator=5), R.LSTM(D, H, generator=torch.Generator().manual_seed(5))
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
        assert p.abs().max() <= H ** -0.5 and p.dtype == torch.float32
    assert not torch.equal(a.weight_hh_l0, R.LSTM(D, H, generator=6).weight_hh_l0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_device_are_kept(dtype, backend):
    W = _on(_weights(4), backend, dtype=dtype)
    xs = make(RNG.normal(size=(L, N, D)), backend, dtype=dtype)
    hs, (h, c) = R.lstm(xs, None, *W)
    W1 = _on(_weights(1), backend, dtype=dtype)
    rs = R.rnn(xs, None, *W1)
    for out in (hs, h, c, rs, *R.rnn_backward(rs * 0 + 1, xs, rs, None, W1[0], W1[1])):
        assert out.dtype == xs.dtype
        if backend != "numpy":
            assert out.device == xs.device


# ----------------------------------------------------------------------- bad input


def test_bad_shapes_name_the_argument():
    W_ih, W_hh, b_ih, b_hh = _weights(1)
    x, h = np.zeros((N, D)), np.zeros((N, H))
    with pytest.raises(ValueError, match=r"h must have shape \(4, 5\) .*hidden size of the "
                                         r"weights H=5\), got \(4, 6\)"):
        R.rnn_cell(x, np.zeros((N, H + 1)), W_ih, W_hh)
    with pytest.raises(ValueError, match=r"W_hh must have shape \(H, H\), got \(5, 4\)"):
        R.rnn_cell(x, h, W_ih, W_hh[:, :4])
    with pytest.raises(ValueError, match=r"W_ih must have 5 rows to match W_hh"):
        R.rnn_cell(x, h, W_ih[:4], W_hh)
    with pytest.raises(ValueError, match=r"x has 2 features but W_ih expects D=3"):
        R.rnn_cell(x[:, :2], h, W_ih, W_hh)
    with pytest.raises(ValueError, match=r"b_hh must have shape \(5,\), got \(4,\)"):
        R.rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh[:4])
    with pytest.raises(ValueError, match=r"W_ih must be a matrix \(2-D\)"):
        R.rnn_cell(x, h, W_ih[None], W_hh)
    with pytest.raises(TypeError, match="x must have a floating-point dtype, got int64"):
        R.rnn_cell(np.zeros((N, D), dtype=np.int64), h, W_ih, W_hh)
    with pytest.raises(TypeError, match="h must have a floating-point dtype, got complex128"):
        R.rnn_cell(x, h.astype(np.complex128), W_ih, W_hh)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        R.rnn_cell(torch.zeros(N, D, dtype=torch.float64), h, W_ih, W_hh)


@pytest.mark.parametrize("shape", [(D,), (L, N, 2, D)])
def test_sequence_of_the_wrong_rank(shape):
    W1, W4 = _weights(1), _weights(4)
    match = r"xs must be a sequence of shape \(L, N, D\) or \(L, D\), got"
    with pytest.raises(ValueError, match=match):
        R.rnn(np.zeros(shape), None, *W1)
    with pytest.raises(ValueError, match=match):
        R.lstm(np.zeros(shape), None, *W4)
    with pytest.raises(ValueError, match=r"input must be a sequence of shape \(L, N, D\)"):
        R.LSTM(D, H)(torch.zeros(shape))


def test_bad_sequences_and_states():
    W1, W4 = _weights(1), _weights(4)
    with pytest.raises(ValueError, match="xs must have at least one time step"):
        R.rnn(np.zeros((0, N, D)), None, *W1)
    with pytest.raises(ValueError, match=r"h0 must have shape \(4, 5\)"):
        R.rnn(np.zeros((L, N, D)), np.zeros((N + 1, H)), *W1)
    with pytest.raises(ValueError, match=r"c0 must have shape \(4, 5\)"):
        R.lstm(np.zeros((L, N, D)), (np.zeros((N, H)), np.zeros((N, 2))), *W4)
    with pytest.raises(TypeError, match=r"hc must be a pair \(h, c\), got ndarray"):
        R.lstm_cell(np.zeros((N, D)), np.zeros((N, H)), *W4)
    with pytest.raises(ValueError, match=r"W_hh must have shape \(4 \* H, H\)"):
        R.lstm_cell(np.zeros((N, D)), (np.zeros((N, H)),) * 2, W4[0], W4[1][:H], *W4[2:])
    xs = np.zeros((L, N, D))
    hs = R.rnn(xs, None, *W1)
    with pytest.raises(ValueError, match=r"grad must be shaped like hs \(7, 4, 5\)"):
        R.rnn_backward(hs[1:], xs, hs, None, *W1[:2])
    with pytest.raises(ValueError, match=r"hs must have shape \(7, 4, 5\), got \(7, 4, 4\)"):
        R.rnn_backward(hs, xs, hs[..., :4], None, *W1[:2])


def test_bad_lstm_module_arguments():
    with pytest.raises(ValueError, match="hidden_size must be at least 1, got 0"):
        R.LSTM(D, 0)
    with pytest.raises(TypeError, match="num_layers must be an int, got float"):
        R.LSTM(D, H, num_layers=1.5)
    model = R.LSTM(D, H, num_layers=2)
    with pytest.raises(ValueError, match=r"h_0 must have shape \(num_layers, N, H\) = "
                                         r"\(2, 4, 5\), got \(1, 4, 5\)"):
        model(torch.zeros(L, N, D), (torch.zeros(1, N, H), torch.zeros(2, N, H)))
    with pytest.raises(ValueError, match=r"c_0 must have shape .* = \(2, 5\), got \(2, 4\)"):
        model(torch.zeros(L, D), (torch.zeros(2, H), torch.zeros(2, 4)))
    with pytest.raises(TypeError, match="input must be a torch tensor, got ndarray"):
        model(np.zeros((L, N, D)))
    with pytest.raises(ValueError, match="input has 4 features but input_size=3"):
        model(torch.zeros(L, N, D + 1))


def test_rnn_is_rnn_cell_at_every_step(backend):
    W, xs, h0 = _weights(1), RNG.normal(size=(L, N, D)), RNG.normal(size=(N, H))
    hs = R.rnn(make(xs, backend), make(h0, backend), *_on(W, backend))
    h = h0
    for t in range(L):
        h = R.rnn_cell(xs[t], h, *W)
        assert_close(hs[t], h)


# -------------------------------------------------------------------- recall task


def test_recall_task_layout():
    from mlnotes.experiments.sequences import recall_task

    xs, y = recall_task(50, 6, n_tokens=3, noise=2.0, generator=4)
    assert xs.shape == (6, 50, 4) and xs.dtype == np.float32 and y.shape == (50,)
    np.testing.assert_array_equal(xs[0, :, :3].argmax(1), y)  # the first token is the label
    np.testing.assert_array_equal(xs[0, :, 3], 1.0)  # flagged by the marker ...
    np.testing.assert_array_equal(xs[1:, :, 3], 0.0)  # ... only at the first step
    assert 1.5 < xs[1:, :, :3].std() < 2.5  # noise after it
    xs2, y2 = recall_task(50, 6, n_tokens=3, noise=2.0, generator=4)
    np.testing.assert_array_equal(xs, xs2)  # seeded
    np.testing.assert_array_equal(y, y2)


def test_recall_task_bad_input():
    from mlnotes.experiments.sequences import recall_task

    with pytest.raises(ValueError, match="length must be at least 1, got 0"):
        recall_task(4, 0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0, got -1"):
        recall_task(4, 3, noise=-1)


