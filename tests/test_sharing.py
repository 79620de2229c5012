"""mlnotes.sharing against torch in float64: transforms, sharing, motif detection."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st

from mlnotes import sharing as S
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(6)
INDEX = np.array([0, 2, 1, -1, 2, 0, 0, -1, 3])
U = RNG.normal(size=4)


def _index(backend):
    return INDEX if backend == "numpy" else torch.tensor(INDEX, device=backend)


# ------------------------------------------------------------ parameter transforms


def test_linear_transform_and_its_gradient(backend):
    A, g = RNG.normal(size=(6, 4)), RNG.normal(size=6)
    w = S.linear_transform(make(U, backend), make(A, backend))
    assert_close(w, reference(A) @ reference(U))
    ur = reference(U, requires_grad=True)
    ((reference(A) @ ur) * reference(g)).sum().backward()
    assert_close(S.transform_backward(make(g, backend), make(A, backend)), ur.grad)


def test_transform_backward_for_a_nonlinear_hypernetwork():
    # H(u) = tanh(B tanh(A u)): the gradient at u is J^T dL/dw, J the Jacobian of H
    A, B = torch.tensor(RNG.normal(size=(5, 4))), torch.tensor(RNG.normal(size=(6, 5)))

    def H(u):
        return torch.tanh(B @ torch.tanh(A @ u))

    x = torch.tensor(RNG.normal(size=(8, 3)))
    u = torch.tensor(U, requires_grad=True)
    w = H(u)
    w_leaf = w.detach().requires_grad_(True)
    loss = (x @ w_leaf.reshape(3, 2)).pow(2).sum()
    loss.backward()
    (x @ w.reshape(3, 2)).pow(2).sum().backward()
    J = torch.autograd.functional.jacobian(H, u.detach())
    assert_close(S.transform_backward(w_leaf.grad, J), u.grad)


# ------------------------------------------------------------------ weight sharing


def test_share_copies_and_zeros(backend):
    w = S.share(make(U, backend), _index(backend))
    expected = np.where(INDEX >= 0, U[np.maximum(INDEX, 0)], 0.0)
    assert_close(w, expected)
    D = S.sharing_matrix(_index(backend), 4)
    assert_close(D @ make(U, backend), w)


def test_share_backward_is_the_sum_over_copies_and_matches_autograd(backend):
    g = RNG.normal(size=len(INDEX))
    ur = reference(U, requires_grad=True)
    (S.share(ur, torch.tensor(INDEX)) * reference(g)).sum().backward()
    ours = S.share_backward(make(g, backend), _index(backend), 4)
    assert_close(ours, ur.grad)
    assert_close(ours, [g[INDEX == m].sum() for m in range(4)])
    # D^T g: the transpose of the Jacobian, as for any parameter transform
    assert_close(ours, S.transform_backward(make(g, backend),
                                            S.sharing_matrix(_index(backend), 4)))


def test_share_autograd_on_device(device):
    u = make(U, device, requires_grad=True)
    g = RNG.normal(size=len(INDEX))
    (S.share(u, _index(device)) * make(g, device)).sum().backward()
    assert u.grad.device == u.device
    assert_close(u.grad, S.share_backward(g, INDEX, 4))


@given(index=st.lists(st.integers(-1, 4), min_size=1, max_size=12), seed=st.integers(0, 99))
def test_share_backward_properties(index, seed):
    index = np.array(index)
    g = np.random.default_rng(seed).normal(size=len(index))
    grad_u = S.share_backward(g, index, 5)
    # every copied gradient lands in exactly one parameter; a constant 0 sends none back
    assert_close(grad_u.sum(), g[index >= 0].sum(), atol=1e-12)
    # a parameter with no copy gets no gradient
    unused = np.setdiff1d(np.arange(5), index)
    assert np.all(grad_u[unused] == 0)


def test_conv_index_makes_a_linear_layer_a_convolution():
    L, K = 7, 3
    index = torch.tensor(S.conv_index(L, K))
    layer = S.TransformedLinear(L, L - K + 1, K, lambda u: S.share(u, index), bias=False,
                                generator=3, dtype=torch.float64)
    x = torch.tensor(RNG.normal(size=(4, L)))
    expected = F.conv1d(x[:, None, :], layer.u[None, None, :])[:, 0, :]
    assert_close(layer(x), expected)


def test_transformed_linear_gradient_reaches_u_through_the_transform():
    index = torch.tensor([0, 1, 1, 0, 2, 2])  # a 2x3 weight with three tied pairs
    layer = S.TransformedLinear(3, 2, 3, lambda u: S.share(u, index), generator=1,
                                dtype=torch.float64)
    x, t = torch.tensor(RNG.normal(size=(5, 3))), torch.tensor(RNG.normal(size=(5, 2)))
    W = layer.weight.detach().requires_grad_(True)
    ((x @ W.T + layer.bias - t) ** 2).mean().backward()
    ((layer(x) - t) ** 2).mean().backward()
    assert_close(layer.u.grad, S.share_backward(W.grad.reshape(-1), index, 3))


def test_training_u_keeps_the_tied_weights_equal():
    index = torch.tensor([0, 1, 1, 0])
    layer = S.TransformedLinear(2, 2, 2, lambda u: S.share(u, index), generator=0,
                                dtype=torch.float64)
    before = layer.weight.detach().clone()
    x, t = torch.tensor(RNG.normal(size=(16, 2))), torch.tensor(RNG.normal(size=(16, 2)))
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(20):
        opt.zero_grad()
        ((layer(x) - t) ** 2).mean().backward()
        opt.step()
    W = layer.weight.detach()
    assert not torch.equal(W, before)
    assert W[0, 0] == W[1, 1] and W[0, 1] == W[1, 0]


def test_transformed_linear_is_seeded():
    state = torch.random.get_rng_state()
    a = S.TransformedLinear(3, 2, 4, lambda u: u[torch.tensor([0, 1, 2, 3, 0, 1])], generator=5)
    b = S.TransformedLinear(3, 2, 4, lambda u: u[torch.tensor([0, 1, 2, 3, 0, 1])], generator=5)
    assert torch.equal(a.u, b.u) and torch.equal(a.bias, b.bias)
    assert torch.equal(torch.random.get_rng_state(), state)


# ----------------------------------------------------------------- motif detection

SEQ = RNG.normal(size=(3, 2, 12))
W = RNG.normal(size=(4, 2, 3))
B = RNG.normal(size=4)


@pytest.mark.parametrize("with_bias", [False, True])
def test_motif_scores_are_conv1d(with_bias, backend):
    b = make(B, backend) if with_bias else None
    out = S.motif_scores(make(SEQ, backend), make(W, backend), b)
    expected = F.conv1d(reference(SEQ), reference(W), reference(B) if with_bias else None)
    assert_close(out, expected)
    assert_close(S.motif_detector(make(SEQ, backend), make(W, backend), b),
                 expected.amax(-1))


def test_motif_detector_autograd_matches_conv1d_and_max(device):
    ours = [make(a, device, requires_grad=True) for a in (SEQ, W, B)]
    refs = [reference(a, requires_grad=True) for a in (SEQ, W, B)]
    g = RNG.normal(size=(3, 4))
    (S.motif_detector(*ours) * make(g, device)).sum().backward()
    (F.conv1d(*refs).amax(-1) * reference(g)).sum().backward()
    for mine, ref in zip(ours, refs, strict=True):
        assert_close(mine.grad, ref.grad)


def test_sliding_windows_match_unfold(backend):
    out = S.sliding_windows(make(SEQ, backend), 4)
    assert_close(out, reference(SEQ).unfold(-1, 4, 1))


@given(position=st.integers(0, 17), seed=st.integers(0, 50))
def test_motif_is_found_wherever_it_is(position, seed):
    rng = np.random.default_rng(seed)
    motif = np.array([[2.0, -2.0, 2.0]])
    x = 0.1 * rng.normal(size=(1, 1, 20))
    base = S.motif_detector(x, motif[None])  # the background alone scores low
    x[0, 0, position:position + 3] = motif
    scores = S.motif_scores(x, motif[None])
    # the peak sits at the motif and has the motif's own score, wherever that is
    assert int(np.argmax(scores[0, 0])) == position
    assert_close(S.motif_detector(x, motif[None]), [[12.0]])
    assert base[0, 0] < 12.0


# ---------------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(ValueError, match=r"A must have shape \(P, M\) and u shape \(M,\)"):
        S.linear_transform(np.zeros(3), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"jacobian must have shape \(P, M\) and grad shape"):
        S.transform_backward(np.zeros(3), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"index entries must lie in \[-1, 4\)"):
        S.share(np.zeros(4), np.array([0, 4]))
    with pytest.raises(ValueError, match=r"index entries must lie in \[-1, 4\)"):
        S.share(np.zeros(4), np.array([-2, 0]))
    with pytest.raises(ValueError, match=r"index entries must lie in \[-1, 0\) \(len\(u\) = 0;"):
        S.share(np.zeros(0), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"index entries must lie in \[-1, 2\) \(num_params = 2;"):
        S.share_backward(np.zeros(2), np.array([0, 2]), 2)
    with pytest.raises(TypeError, match="index must have an integer dtype, got float64"):
        S.share(np.zeros(4), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="index must be 1-D"):
        S.share(np.zeros(4), np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="u must be 1-D"):
        S.share(np.zeros((4, 1)), np.array([0]))
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        S.share(torch.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match=r"grad must have the shape of index \(2,\)"):
        S.share_backward(np.zeros(3), np.array([0, 1]), 2)
    with pytest.raises(ValueError, match="num_params must be at least 1, got 0"):
        S.sharing_matrix(np.array([0]), 0)
    with pytest.raises(ValueError, match="kernel_size must be at most in_features = 3, got 4"):
        S.conv_index(3, 4)
    with pytest.raises(TypeError, match="transform must be callable"):
        S.TransformedLinear(2, 2, 2, transform=None)
    bad = S.TransformedLinear(2, 2, 3, lambda u: u)
    with pytest.raises(ValueError, match=r"transform must return out_features \* in_features"):
        bad(torch.zeros(1, 2))
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, L\)"):
        S.motif_scores(np.zeros((2, 5)), W)
    with pytest.raises(ValueError, match=r"weight must have shape \(O, C, K\)"):
        S.motif_scores(SEQ, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="x has 2 channels but weight expects C = 3"):
        S.motif_scores(SEQ, np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match=r"bias must have shape \(O,\) = \(4,\)"):
        S.motif_scores(SEQ, W, np.zeros(3))
    with pytest.raises(ValueError, match="size must be at most the sequence length"):
        S.motif_scores(SEQ, np.zeros((1, 2, 13)))
    with pytest.raises(ValueError, match="size must be at most the sequence length of x, 0, got 2"):
        S.sliding_windows(np.zeros((3, 0)), 2)
    with pytest.raises(ValueError, match=r"x must have at least 1 dimension .*, got shape \(\)"):
        S.sliding_windows(np.array(1.0), 1)
    with pytest.raises(TypeError, match="x must have a floating-point dtype"):
        S.motif_detector(SEQ.astype(int), W)
    assert to_numpy(S.share(np.zeros(2), np.zeros(0, dtype=int))).shape == (0,)
