"""Every checked exercise can fail and can pass: its checks are shown to be real.

For each exercise on a page (a starter cell tagged ``exercise`` and a worked
solution tagged ``exercise-solution``): the starter must fail its checks with a
message, every planted wrong answer in :mod:`mlnotes.exercises` must fail with the
words it declares, and the worked solution must pass. The code comes from the
pages themselves, so what is tested is what a reader sees. The build also runs
each solution (it ends with ``check(...)``); here the failures are proven too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from mlnotes import exercises

ROOT = Path(__file__).resolve().parents[1]
CONCEPT_PAGES = ["softmax", "losses", "gating", "architectures", "conv", "sequences", "init",
                 "normalization", "optimizers", "debugging", "vae"]


def _cells(path: Path) -> list:
    return read_myst_markdown_notebook(path.read_text(), path=str(path)).cells


def _collect() -> dict[str, dict]:
    """Exercise id -> its page, setup code, starter and solution, over book and decks."""
    found: dict[str, dict] = {}
    for path in sorted([*ROOT.glob("docs/*.md"), *ROOT.glob("slides/*.md")]):
        if "file_format: mystnb" not in path.read_text():
            continue
        cells = [c for c in _cells(path) if c.cell_type == "code"]
        setup = [c.source for c in cells if "live-setup" in c.metadata.get("tags", [])]
        for c in cells:
            tags, ex = c.metadata.get("tags", []), c.metadata.get("exercise")
            role = "starter" if "exercise" in tags else "solution" if (
                "exercise-solution" in tags) else None
            if role:
                entry = found.setdefault(f"{path.parent.name}/{path.stem}:{ex}", {
                    "id": ex, "page": path, "setup": setup})
                entry[role] = c.source
    return found


@pytest.fixture(autouse=True)
def _keep_numpy_print_options():
    """A page's setup may set NumPy's print options; later tests must not see them."""
    import numpy as np

    with np.printoptions(**np.get_printoptions()):
        yield


FOUND = _collect()
BOOK = {k: v for k, v in FOUND.items() if k.startswith("docs/")}


def _namespace(entry: dict) -> dict:
    ns: dict = {"__name__": "__main__"}
    for code in entry["setup"]:
        exec(compile(code, "<setup>", "exec"), ns)
    return ns


def _run(entry: dict, code: str) -> exercises.Result:
    ns = _namespace(entry)
    exec(compile(code, "<cell>", "exec"), ns)
    return exercises.grade(entry["id"], ns)


@pytest.mark.parametrize("key", sorted(FOUND))
def test_starter_fails_with_a_message(key):
    entry = FOUND[key]
    assert "starter" in entry and "solution" in entry, f"{key} lacks a starter or a solution"
    result = _run(entry, entry["starter"])
    assert not result.passed, f"the starter of {key} passes its own checks"
    assert result.failures and all(msg.strip() for _, msg in result.failures)


@pytest.mark.parametrize("key", sorted(FOUND))
def test_worked_solution_passes(key):
    entry = FOUND[key]
    solution = entry["solution"]
    assert f'check("{entry["id"]}", globals())' in solution
    result = _run(entry, solution)  # check() raises on failure
    assert result.passed, result.summary()


WRONG = [(ex.id, label) for ex in exercises.registry().values() for label in ex.wrong]


@pytest.mark.parametrize("ex_id, label", WRONG)
def test_planted_wrong_answer_fails_with_its_message(ex_id, label):
    ex = exercises.registry()[ex_id]
    code, says = ex.wrong[label]
    ns: dict = {}
    exec(compile(code, "<cell>", "exec"), ns)
    result = exercises.grade(ex_id, ns)
    if result.passed:
        # only an in-place answer with the right values passes (the checks' data is safe,
        # they pass copies), and the reader is told what their function did to its input
        assert says.startswith("changed its input"), f"{ex_id}: {label!r} passes"
        assert "Note: your function " + says in result.summary(), result.summary()
        return
    assert not result.passed, f"{ex_id}: the wrong answer {label!r} passes"
    assert says in result.summary(), f"{ex_id}, {label!r}: {result.summary()}"


def _formula(text: str) -> str:
    """Code or prose math in one spelling: no spaces, no ``np.``/``*``, |x| for abs(x)."""
    text = "".join(text.split())
    for code, math in (("np.", ""), ("math.", ""), ("*", ""), ("maximum(", "max("),
                       ("log1p(", "log(1+")):
        text = text.replace(code, math)
    return re.sub(r"abs\(([^()]*)\)", r"|\1|", text)


def _answer_lines(solution: str) -> list[str]:
    """The formulas a worked solution computes (its assignments and returns), in one spelling."""
    lines = []
    for line in solution.splitlines():
        code = line.split("#", 1)[0].strip()
        if code.startswith(("return ", "return(")) or "=" in code.replace("==", ""):
            expr = _formula(code.removeprefix("return").split("=", 1)[-1])
            if len(expr) >= 10 and any(op in expr for op in "+-/@"):
                lines.append(expr)
    return lines


@pytest.mark.parametrize("key", sorted(FOUND))
def test_no_failure_message_spells_out_the_answer(key):
    """A hint points the way; it never hands over the worked solution's formula."""
    entry = FOUND[key]
    ex = exercises.registry()[entry["id"]]
    results = [_run(entry, entry["starter"])]
    for code, _ in ex.wrong.values():
        ns: dict = {}
        exec(compile(code, "<cell>", "exec"), ns)
        results.append(exercises.grade(entry["id"], ns))
    # the failure messages (the checks' names state what is checked, from the page)
    messages = [msg for r in results for _, msg in r.failures]
    said = _formula("".join(messages))
    answers = _answer_lines(entry["solution"])
    assert [a for a in answers if a in said] == [], f"{key}: a message gives the answer away"


def test_the_answer_detector_sees_a_formula():
    solution = ("def f(z, t):\n    # stable\n"
                "    return np.maximum(z, 0) - z * t + np.log1p(np.abs(z))\n")
    assert _answer_lines(solution) == ["max(z,0)-zt+log(1+|z|)"]
    assert _formula("rewrite it as max(z, 0) - z t + log(1 + |z|)").endswith(
        _answer_lines(solution)[0])


def test_every_exercise_has_planted_wrong_answers_and_a_page():
    on_pages = {e["id"] for e in FOUND.values()}
    for ex in exercises.registry().values():
        assert len(ex.wrong) >= 4, f"{ex.id} plants {len(ex.wrong)} wrong answers"
        assert ex.id in on_pages, f"{ex.id} has checks but no page uses it"


def test_missing_function_is_reported():
    result = exercises.grade("softmax.stable", {})
    assert not result.passed
    assert "define a function named stable_softmax" in result.summary()


def test_reader_code_that_raises_is_reported_not_crashed():
    ns: dict = {}
    exec("def stable_softmax(x):\n    return 1 / 0\n", ns)
    result = exercises.grade("softmax.stable", ns)
    assert "raised ZeroDivisionError" in result.summary()


def test_check_raises_when_the_answer_is_wrong(capsys):
    ns: dict = {}
    exec("def stable_softmax(x):\n    return x\n", ns)
    with pytest.raises(exercises.Fail):
        exercises.check("softmax.stable", ns)
    assert "checks passed" in capsys.readouterr().out


def test_enough_exercises_on_every_concept_page():
    per_page = {name: 0 for name in CONCEPT_PAGES}
    for entry in BOOK.values():
        if entry["page"].stem in per_page:
            per_page[entry["page"].stem] += 1
    print("checked exercises per page:", per_page)
    assert all(n >= 2 for n in per_page.values()), per_page
    assert sum(per_page.values()) >= 25, per_page


# ------------------------------------------------- correct answers written differently

N = "import numpy as np\n"
ALTERNATIVES: dict[str, list[str]] = {
    "softmax.stable": [
        N + "def stable_softmax(x):\n    x = np.asarray(x, dtype=np.float32)\n"
        "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n",
        N + "def stable_softmax(x):\n    z = x.copy()\n    z -= z.max(axis=-1, keepdims=True)\n"
        "    np.exp(z, out=z)\n    z /= z.sum(axis=-1, keepdims=True)\n    return z\n",
        N + "def stable_softmax(x):\n    out = np.empty_like(x)\n    for i, row in enumerate(x):\n"
        "        e = np.exp(row - max(row))\n        out[i] = e / sum(e)\n    return out\n",
        N + "def stable_softmax(x):\n"
        "    lse = np.logaddexp.reduce(x, axis=-1, keepdims=True)\n    return np.exp(x - lse)\n"],
    "softmax.backward": [
        N + "def my_softmax_backward(grad, y):\n"
        "    return np.einsum('ni,nij->nj', grad, np.einsum('ni,ij->nij', y, "
        "np.eye(y.shape[1])) - np.einsum('ni,nj->nij', y, y))\n",
        N + "def my_softmax_backward(grad, y):\n    out = np.empty_like(y)\n"
        "    for n in range(len(y)):\n        J = np.diag(y[n]) - np.outer(y[n], y[n])\n"
        "        out[n] = J.T @ grad[n]\n    return out\n",
        N + "def my_softmax_backward(grad, y):\n    gy = grad * y\n"
        "    return gy - y * gy.sum(axis=-1, keepdims=True)\n"],
    "softmax.logsumexp": [
        N + "def my_logsumexp(x):\n    x = x.astype(np.float32)\n    m = x.max(axis=-1)\n"
        "    return m + np.log(np.exp(x - m[:, None]).sum(axis=-1))\n",
        N + "def my_logsumexp(x):\n    return np.logaddexp.reduce(x, axis=-1)\n",
        N + "def my_logsumexp(x):\n    out = []\n    for row in x:\n        m = max(row)\n"
        "        out.append(m + np.log(sum(np.exp(r - m) for r in row)))\n"
        "    return np.array(out)\n",
        N + "def my_logsumexp(x):\n    m = np.max(x, axis=-1)\n"
        "    return m + np.log(np.sum(np.exp(x - m[..., None]), axis=-1))\n"],
    "losses.ce_grad": [
        N + "def ce_gradient(z, y):\n    g = np.exp(z - z.max(1, keepdims=True))\n"
        "    g = g / g.sum(1, keepdims=True)\n    g[np.arange(len(y)), y] -= 1\n"
        "    return g / z.shape[0]\n",
        N + "def ce_gradient(z, y):\n    N, K = z.shape\n    out = np.zeros((N, K))\n"
        "    for n in range(N):\n        e = np.exp(z[n] - z[n].max())\n"
        "        out[n] = e / e.sum()\n        out[n, y[n]] -= 1\n    return out / N\n",
        N + "def ce_gradient(z, y):\n    a = softmax(z, axis=1)\n"
        "    return (a - (np.arange(z.shape[1]) == y[:, None])) / len(y)\n"],
    "losses.bce_logits": [
        N + "def bce_with_logits(z, t):\n    return np.logaddexp(0, z) - z * t\n",
        N + "def bce_with_logits(z, t):\n    sp = lambda u: np.maximum(u, 0) + "
        "np.log1p(np.exp(-np.abs(u)))\n    return t * sp(-z) + (1 - t) * sp(z)\n",
        N + "def bce_with_logits(z, t):\n    return np.where(z > 0, z * (1 - t) + "
        "np.log1p(np.exp(-z)), -z * t + np.log1p(np.exp(z)))\n"],
    "losses.margin": [
        N + "def margin_loss(x1, x2, y, margin):\n"
        "    return np.clip(margin - y * (x1 - x2), 0, None)\n",
        N + "def margin_loss(x1, x2, y, margin):\n"
        "    return np.array([max(0.0, margin - b * (a - c)) for a, c, b in zip(x1, x2, y)])\n"],
    "gating.partials": [
        N + "def soft_gate_partials(x, y, r):\n    s = 0.5 * (1 + np.tanh(r / 2))\n"
        "    return s, 1 - s, (x - y) * s * (1 - s)\n",
        N + "def soft_gate_partials(x, y, r):\n    e = np.exp(-np.abs(r))\n"
        "    s = np.where(r >= 0, 1 / (1 + e), e / (1 + e))\n"
        "    return s, 1 - s, (x - y) * e / (1 + e) ** 2\n"],
    "gating.attention": [
        N + "def my_attention(q, k, v):\n    q, k, v = (a.astype(np.float32) for a in (q, k, v))\n"
        "    s = q @ k.T / np.float32(np.sqrt(q.shape[1]))\n"
        "    w = np.exp(s - s.max(1, keepdims=True))\n    return w / w.sum(1, keepdims=True) @ v\n",
        N + "def my_attention(q, k, v):\n"
        "    s = np.einsum('le,se->ls', q, k) / q.shape[-1] ** 0.5\n"
        "    w = np.exp(s - s.max(-1, keepdims=True))\n"
        "    return np.einsum('ls,sv->lv', w / w.sum(-1, keepdims=True), v)\n",
        N + "def my_attention(q, k, v):\n    out = []\n    for qi in q:\n"
        "        s = k @ qi / np.sqrt(len(qi))\n        w = np.exp(s - s.max())\n"
        "        out.append((w / w.sum()) @ v)\n    return np.array(out)\n"],
    "gating.masked": [
        N + "def masked_weights(q, k, keep):\n    s = q @ k.T / np.sqrt(q.shape[1])\n"
        "    s = np.where(keep, s, -1e9)\n    w = np.exp(s - s.max(1, keepdims=True))\n"
        "    return w / w.sum(1, keepdims=True)\n",
        N + "def masked_weights(q, k, keep):\n    s = q @ k.T / np.sqrt(q.shape[1])\n"
        "    w = np.where(keep, np.exp(s - np.where(keep, s, -np.inf).max(1, keepdims=True)),"
        " 0.0)\n    return w / w.sum(1, keepdims=True)\n"],
    "architectures.shared_grad": [
        N + "def shared_gradient(grad_w, index, num_params):\n"
        "    return np.bincount(index, weights=grad_w, minlength=num_params)\n",
        N + "def shared_gradient(grad_w, index, num_params):\n"
        "    return (np.eye(num_params)[index] * grad_w[:, None]).sum(axis=0)\n",
        N + "def shared_gradient(grad_w, index, num_params):\n    g = [0.0] * num_params\n"
        "    for gw, j in zip(grad_w, index):\n        g[j] += gw\n    return np.array(g)\n"],
    "architectures.mixture": [
        N + "def mixture_output(outs, logits):\n"
        "    e = np.exp(logits - logits.max(1, keepdims=True))\n"
        "    return np.einsum('ne,neo->no', e / e.sum(1, keepdims=True), outs)\n",
        N + "def mixture_output(outs, logits):\n    g = softmax(logits, axis=1)\n"
        "    return np.stack([g[n] @ outs[n] for n in range(len(g))])\n"],
    "conv.output_size": [
        "def out_size(n, k, s, p, d):\n    return (n + 2 * p - d * (k - 1) - 1) // s + 1\n",
        "import math\ndef out_size(n, k, s, p, d):\n"
        "    return int(math.floor((n + 2 * p - d * (k - 1) - 1) / s)) + 1\n",
        "def out_size(n, k, s, p, d):\n    count, start = 0, 0\n"
        "    while start + d * (k - 1) < n + 2 * p:\n        count += 1\n        start += s\n"
        "    return count\n"],
    "conv.max_pool": [
        N + "def max_pool(x, k):\n    H, W = x.shape[0] // k, x.shape[1] // k\n"
        "    out = np.full((H, W), -np.inf)\n    for i in range(H):\n        for j in range(W):\n"
        "            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()\n    return out\n",
        N + "def max_pool(x, k):\n    H, W = x.shape[0] // k, x.shape[1] // k\n"
        "    x = x[:H * k, :W * k]\n"
        "    return np.max([x[a::k, b::k] for a in range(k) for b in range(k)], axis=0)\n"],
    "conv.correlate": [
        N + "def correlate1d(x, w):\n    return np.correlate(x, w, mode='valid')\n",
        N + "def correlate1d(x, w):\n    return np.convolve(x, w[::-1], mode='valid')\n",
        N + "def correlate1d(x, w):\n"
        "    return np.lib.stride_tricks.sliding_window_view(x, len(w)) @ w\n"],
    "debugging.numerical_gradient": [
        N + "def numerical_gradient(f, x, h=1e-5):\n    g = np.zeros_like(x)\n"
        "    for i, e in enumerate(np.eye(len(x))):\n"
        "        g[i] = (f(x + h * e) - f(x - h * e)) / (2 * h)\n    return g\n",
        N + "def numerical_gradient(f, x, h=1e-5):\n    g = []\n    for i in range(len(x)):\n"
        "        y = x.copy(); y[i] += h\n        z = x.copy(); z[i] -= h\n"
        "        g.append((f(y) - f(z)) / h / 2)\n    return np.array(g)\n"],
    "debugging.shuffle": [
        N + "def shuffle_together(X, y, rng):\n    order = np.arange(len(X))\n"
        "    rng.shuffle(order)\n    return X[order], y[order]\n",
        N + "def shuffle_together(X, y, rng):\n"
        "    order = rng.choice(len(X), len(X), replace=False)\n"
        "    return X[order], y[order]\n",
        N + "def shuffle_together(X, y, rng):\n    order = np.argsort(rng.random(len(X)))\n"
        "    return X[order], y[order]\n"],
    "init.xavier_bound": [
        "import math\ndef xavier_bound(fan_in, fan_out, gain):\n"
        "    return math.sqrt(3 * gain ** 2 * 2 / (fan_in + fan_out))\n",
        "import numpy as np\ndef xavier_bound(fan_in, fan_out, gain):\n"
        "    return float(gain * np.sqrt(6.0) / np.sqrt(fan_in + fan_out))\n"],
    "init.he_std": [
        N + "def he_std(shape):\n    return float(np.sqrt(2 / np.prod(shape[1:])))\n",
        "import math\ndef he_std(shape):\n    fan_in = 1\n    for s in shape[1:]:\n"
        "        fan_in *= s\n    return (2 / fan_in) ** 0.5\n"],
    "normalization.layer_norm": [
        N + "def my_layer_norm(x, eps):\n    x = x.astype(np.float32)\n"
        "    m, v = x.mean(1, keepdims=True), x.var(1, keepdims=True)\n"
        "    return (x - m) / np.sqrt(v + np.float32(eps))\n",
        N + "def my_layer_norm(x, eps):\n    c = x - x.mean(axis=-1, keepdims=True)\n"
        "    return c / np.sqrt((c * c).mean(axis=-1, keepdims=True) + eps)\n",
        N + "def my_layer_norm(x, eps):\n    return np.array([(r - r.mean()) / "
        "np.sqrt(r.var() + eps) for r in x])\n"],
    "normalization.batch_norm": [
        N + "def my_batch_norm(x, eps):\n    c = x - x.mean(0)\n"
        "    return c / np.sqrt((c ** 2).sum(0) / len(x) + eps)\n",
        N + "def my_batch_norm(x, eps):\n    return np.array([(c - c.mean()) / np.sqrt(c.var() + "
        "eps) for c in x.T]).T\n"],
    "optimizers.momentum": [
        N + "def momentum_step(p, g, state):\n    state['b'] = 0.9 * state['b'] + g if 'b' in "
        "state else g.copy()\n    p -= 0.1 * state['b']\n    return p\n",
        N + "def momentum_step(p, g, state):\n    b = state.setdefault('b', np.zeros_like(g))\n"
        "    if state.setdefault('t', 0) == 0:\n        b[...] = g\n    else:\n"
        "        b *= 0.9\n        b += g\n    state['t'] += 1\n    return p - 0.1 * b\n"],
    "optimizers.adam": [
        N + "def adam_update(p, g, state):\n    if not state:\n"
        "        state.update(t=0, m=np.zeros_like(g), v=np.zeros_like(g))\n"
        "    state['t'] += 1\n    state['m'] += 0.1 * (g - state['m'])\n"
        "    state['v'] += 0.001 * (g * g - state['v'])\n    t = state['t']\n"
        "    step = 0.01 / (1 - 0.9 ** t)\n    denom = np.sqrt(state['v']) / np.sqrt(1 - "
        "0.999 ** t) + 1e-8\n    return p - step * state['m'] / denom\n",
        N + "def adam_update(p, g, state):\n    t = state['t'] = state.get('t', 0) + 1\n"
        "    m = state['m'] = 0.9 * state.get('m', 0) + 0.1 * g\n"
        "    v = state['v'] = 0.999 * state.get('v', 0) + 0.001 * g ** 2\n"
        "    p -= 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)\n"
        "    return p\n"],
    "sequences.rnn_step": [
        N + "def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):\n"
        "    return np.tanh(np.einsum('nd,hd->nh', x, W_ih) + np.einsum('nk,hk->nh', h, W_hh)"
        " + b_ih + b_hh)\n",
        N + "def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):\n"
        "    a = (W_ih @ x.T + W_hh @ h.T).T + b_ih + b_hh\n"
        "    return (np.exp(2 * a) - 1) / (np.exp(2 * a) + 1) if np.abs(a).max() < 300 "
        "else np.tanh(a)\n"],
    "sequences.clip": [
        N + "def clip_by_norm(grads, max_norm):\n"
        "    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))\n"
        "    if total <= max_norm:\n        return grads\n"
        "    return [g * (max_norm / total) for g in grads]\n",
        N + "def clip_by_norm(grads, max_norm):\n    out = [g.copy() for g in grads]\n"
        "    total = sum(float(np.vdot(g, g)) for g in out) ** 0.5\n"
        "    if total > max_norm:\n        for g in out:\n            g *= max_norm / total\n"
        "    return out\n"],
    "vae.reparameterize": [
        N + "def sample_z(mu, log_var, eps):\n    return mu + np.sqrt(np.exp(log_var)) * eps\n",
        N + "def sample_z(mu, log_var, eps):\n    return eps * np.exp(log_var) ** 0.5 + mu\n"],
    "vae.kl": [
        N + "def kl_to_standard_normal(mu, log_var):\n"
        "    mu, lv = np.float32(mu), np.float32(log_var)\n"
        "    return 0.5 * (np.exp(lv) + mu * mu - 1 - lv).sum(-1)\n",
        N + "def kl_to_standard_normal(mu, log_var):\n"
        "    return -0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var), axis=1)\n",
        N + "def kl_to_standard_normal(mu, log_var):\n    var = np.exp(log_var)\n"
        "    return np.einsum('nd->n', var + mu * mu - 1 - log_var) / 2\n"],
}
ALTERNATIVE_CASES = [(ex_id, i) for ex_id, codes in ALTERNATIVES.items()
                     for i in range(len(codes))]


def _page_entry(ex_id: str) -> dict:
    return next(e for e in BOOK.values() if e["id"] == ex_id)


@pytest.mark.parametrize("ex_id, i", ALTERNATIVE_CASES)
def test_a_correct_answer_written_differently_passes(ex_id, i):
    result = _run(_page_entry(ex_id), ALTERNATIVES[ex_id][i])
    assert result.passed, f"{ex_id}, alternative {i}: {result.summary()}"


def test_every_exercise_has_correct_alternatives():
    # the backpropagation page's alternatives live in tests/test_exercises_backprop.py
    from test_exercises_backprop import CORRECT as BACKPROP

    for ex in exercises.registry().values():
        found = BACKPROP if ex.id == "backprop.register" else ALTERNATIVES.get(ex.id, [])
        assert len(found) >= 2, ex.id


@pytest.mark.parametrize("ex_id", sorted(ALTERNATIVES))
def test_grading_is_fast(ex_id):
    """A Check well under a second of CPU time in CPython (the browser is slower)."""
    import time

    entry = _page_entry(ex_id)
    ns = _namespace(entry)
    exec(compile(ALTERNATIVES[ex_id][0], "<cell>", "exec"), ns)
    start = time.process_time()
    exercises.grade(ex_id, ns)
    spent = time.process_time() - start
    print(f"{ex_id}: {spent * 1000:.0f} ms")
    assert spent < 0.5, f"{ex_id} takes {spent:.2f} s of CPU to grade"


# ---------------------------------------------------------------- guarded data

IN_PLACE = {
    "softmax.stable": (N + "def stable_softmax(x):\n    x -= x.max(axis=-1, keepdims=True)\n"
                       "    np.exp(x, out=x)\n    x /= x.sum(axis=-1, keepdims=True)\n"
                       "    return x\n"),
    "softmax.logsumexp": (N + "def my_logsumexp(x):\n    m = x.max(axis=-1, keepdims=True)\n"
                          "    x -= m\n    return m[..., 0] + np.log(np.exp(x).sum(axis=-1))\n"),
}


@pytest.mark.parametrize("ex_id", sorted(IN_PLACE))
def test_an_in_place_answer_corrupts_nothing(ex_id):
    """In one namespace: an in-place answer, the starter, then a correct answer.

    The in-place answer's values are right, so it passes, with a note that it changed its
    input; the starter after it still fails (the checks' data is intact); the same answer
    working on its own copy passes with no note."""
    entry = _page_entry(ex_id)
    ns = _namespace(entry)
    exec(compile(IN_PLACE[ex_id], "<cell>", "exec"), ns)
    first = exercises.grade(ex_id, ns)
    assert first.passed, first.summary()
    assert "your function changed its input `x`" in first.summary()
    exec(compile(entry["starter"], "<cell>", "exec"), ns)
    starter = exercises.grade(ex_id, ns)
    assert not starter.passed and "overflow" in starter.summary(), starter.summary()
    own_copy = IN_PLACE[ex_id].replace("):\n", "):\n    x = x.copy()\n", 1)
    exec(compile(own_copy, "<cell>", "exec"), ns)
    copied = exercises.grade(ex_id, ns)
    assert copied.passed and not copied.notes, copied.summary()
    exec(compile(entry["starter"], "<cell>", "exec"), ns)
    assert not exercises.grade(ex_id, ns).passed


def test_the_checks_data_is_never_the_readers():
    """Whatever the reader's function does to its arguments, the next grading is the same."""
    ns: dict = {}
    exec(N + "def stable_softmax(x):\n    x[...] = 0.5\n    return x\n", ns)
    exercises.grade("softmax.stable", ns)
    ok: dict = {}
    exec(ALTERNATIVES["softmax.stable"][1], ok)
    assert exercises.grade("softmax.stable", ok).passed


# ---------------------------------------------------------------- exact feedback

def _grade(code: str, ex_id: str = "softmax.stable", **kw) -> exercises.Result:
    ns: dict = {}
    exec(compile(code, "<cell>", "exec"), ns)
    return exercises.grade(ex_id, ns, **kw)


def test_returning_none_is_named():
    result = _grade(N + "def stable_softmax(x):\n    e = np.exp(x - x.max(-1, keepdims=True))\n"
                    "    e / e.sum(-1, keepdims=True)\n")
    assert "your function returned None: did it forget `return`?" in result.summary()
    assert "shape ()" not in result.summary() and "raised" not in result.summary()


def test_a_value_the_check_cannot_use_is_described_not_called_raised():
    result = _grade("def stable_softmax(x):\n    return 'probabilities'\n")
    assert "raised" not in result.summary()
    assert "the check could not use what your function returned, a str: 'probabilities'" \
        in result.summary()


def test_exit_and_ctrl_c_in_the_readers_code_are_reported():
    for code, words in [("def stable_softmax(x):\n    exit()\n", "called exit()"),
                        ("import sys\ndef stable_softmax(x):\n    sys.exit(3)\n",
                         "called exit()"),
                        ("def stable_softmax(x):\n    raise KeyboardInterrupt\n",
                         "raised KeyboardInterrupt")]:
        result = _grade(code)
        assert not result.passed and words in result.summary(), result.summary()


def test_prints_during_grading_are_returned():
    result = _grade(N + "def stable_softmax(x):\n    print('shape', x.shape)\n"
                    "    e = np.exp(x - x.max(-1, keepdims=True))\n"
                    "    return e / e.sum(-1, keepdims=True)\n")
    assert result.passed
    assert "shape (2, 3)" in result.prints


def test_a_check_that_runs_too_long_is_stopped():
    import time

    start = time.monotonic()
    result = _grade("def stable_softmax(x):\n    while True:\n        pass\n", timeout=0.5)
    assert time.monotonic() - start < 5
    assert ("time limit", "grading ran longer than 0.5 s and was stopped: does your function "
            "loop forever?") in result.failures


def test_yours_and_expected_differ_where_they_do():
    yours, expected = exercises._shown(0.123456789, 0.123456)
    assert yours != expected
    result = _grade(N + "def my_logsumexp(x):\n    m = x.max(-1, keepdims=True)\n"
                    "    return m[..., 0] + np.log(np.exp(x - m).sum(-1)) + 1e-7\n",
                    "softmax.logsumexp")
    message = result.failures[-1][1]
    got, want = re.search(r"you return (\S+), expected (\S+)", message).groups()
    assert got != want, message


def test_no_hint_states_a_number_to_hard_code():
    """The page's sizes (N = 4, E = 8, E = 6) are never handed out as constants."""
    for ex in exercises.registry().values():
        for code, _ in ex.wrong.values():
            summary = _grade(code, ex.id).summary()
            assert not re.search(r"\b(N|E) = \d+ here", summary), (ex.id, summary)


def test_timeout_is_checked_at_the_door():
    with pytest.raises(ValueError, match="timeout"):
        exercises.grade("softmax.stable", {}, timeout=-1)


def test_an_exercise_is_defined_by_two_strings():
    # refused before anything is registered: the registry is left as it was
    before = dict(exercises._REGISTRY)
    with pytest.raises(TypeError, match="id must be a string, got list"):
        exercises.exercise(["softmax.stable"], "f")
    with pytest.raises(TypeError, match="function must be a string, got NoneType"):
        exercises.exercise("junk.none", None)
    with pytest.raises(ValueError, match="id must be '<page>.<name>', got 'stable'"):
        exercises.exercise("stable", "f")
    assert exercises._REGISTRY == before


# ---------------------------------------------------------------- varied cases

def _fingerprint(args) -> tuple:
    import numpy as np

    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append((a.shape, a.tobytes()))
        elif isinstance(a, (list, tuple)):
            out.append(_fingerprint(a))
        elif not callable(a) and not isinstance(a, (dict, np.random.Generator)):
            out.append(repr(a))
    return tuple(out)


@pytest.mark.parametrize("ex_id", sorted(ALTERNATIVES))
def test_every_check_runs_several_cases_and_one_drawn_afresh(ex_id):
    """Each check calls the answer on at least two different inputs, and a second
    Check does not repeat the first one's inputs exactly (one case is drawn afresh)."""
    ex = exercises.registry()[ex_id]
    ns = _namespace(_page_entry(ex_id))
    exec(compile(ALTERNATIVES[ex_id][0], "<cell>", "exec"), ns)
    answer = ns[ex.function]
    for title, check_fn in ex.checks:
        runs = []
        for _ in range(2):
            seen: list = []

            def spy(*args, seen=seen):
                seen.append(_fingerprint(args))
                return answer(*args)

            check_fn(exercises._Guarded(spy, ex))
            runs.append(seen)
        assert len(set(runs[0])) >= 2, f"{ex_id}: check {title!r} runs one case"
        assert set(runs[0]) != set(runs[1]), f"{ex_id}: check {title!r} draws no fresh case"


def test_a_notebooks_own_globals_are_not_taken_for_state():
    """IPython's In and Out, and data that cannot be compared, change between calls
    without the step keeping anything in them: the correct step still passes."""
    entry = _page_entry("optimizers.momentum")
    ns = _namespace(entry)
    ns.update(In=["x = 1"], Out={1: object()}, figure=[object()])
    exec(compile(entry["solution"].replace('check("optimizers.momentum", globals())', ""),
                 "<cell>", "exec"), ns)
    ns["Out"][2] = object()
    assert exercises.grade("optimizers.momentum", ns).passed
