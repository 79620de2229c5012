"""mlnotes' kernels against torch's: same process, same inputs, same thread count.

    MLNOTES_BENCH_THREADS=T python -m benchmarks.kernels [--repeats R] [--json out.json]

Every case runs our function and torch's twin on the same data, CPU float32 (and
CUDA when torch sees a GPU), alternating the two so that a change in the
machine's load hits both alike. Each timing is the median of ``repeats`` runs
after a warm-up; a run calls the function enough times to last about
``MIN_RUN_S``. The ratio ours / torch's is what the targets bound. The benchmark
reports; it does not steer the code: a textbook body that misses a bound is shown
with its numbers, and the performance page says where its time goes.

Threads: ``T`` (default: every CPU this process may use). torch gets
``torch.set_num_threads(T)``; NumPy's BLAS and OpenMP pools get ``T`` through
the environment variables set below, before NumPy is imported (so run this
module as a fresh process, as ``benchmarks.run`` does).
"""

from __future__ import annotations

import os

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def usable_cpus() -> int:
    """The CPUs this process may run on (the affinity mask, else the core count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# NumPy's thread pools read these once, when NumPy is first imported.
_THREADS = int(os.environ.get("MLNOTES_BENCH_THREADS", usable_cpus()))
for _var in THREAD_VARS:
    os.environ.setdefault(_var, str(_THREADS))

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mlnotes import activations, conv  # noqa: E402

MIN_RUN_S = 0.05  # each timed run lasts at least this long

# Sizes. The softmax input (64 MiB in float32) is larger than the last-level cache
# of common CPUs: both softmaxes stream it from main memory.
SOFTMAX_SHAPE = (8192, 2048)  # (N, K)
CONV_X = (32, 16, 64, 64)  # (N, C, H, W), from the issue
CONV_W = (16, 16, 3, 3)  # (C_out, C, kH, kW), padding 1
LSTM_L, LSTM_N, LSTM_H = 100, 32, 128  # from the issue; input size D = H
ADAM_SHAPES = [(1000, 500)] * 20 + [(500,)] * 20  # 20 weight matrices and biases: 10.01 M

TARGETS = {  # the largest ours / torch ratio the issue accepts (CPU float32), issue 23
    "softmax": 3.0, "log_softmax": 3.0, "logsumexp": 3.0,
    "conv2d": 5.0, "max_pool2d": 5.0, "avg_pool2d": 5.0, "lstm fwd+bwd": 5.0, "adam step": 3.0,
    # issue 24: the engine (mlnotes.autograd) training a NumPy twin, against torch
    "engine: mlp train step": 5.0, "engine: recall LSTM step": 5.0, "engine: VAE step": 5.0,
}


@dataclass
class Row:
    """One line of the kernel table."""

    kernel: str
    input: str  # "numpy" or "torch"
    device: str
    shape: str
    ours_ms: float
    torch_ms: float
    ratio: float
    ours_faults: float  # minor page faults per call: fresh memory the call touched
    torch_faults: float
    target: float | None
    met: bool | None


# --------------------------------------------------------------------------- timing


def _faults() -> int:
    """Minor page faults of this process so far (fresh memory touched for the first time)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _run_time(fn: Callable[[], object], number: int, sync: Callable[[], None],
              faults: list[float] | None = None) -> float:
    """Seconds per call, over ``number`` back-to-back calls (page faults per call to ``faults``)."""
    sync()
    before = _faults()
    start = time.perf_counter()
    for _ in range(number):
        fn()
    sync()
    elapsed = time.perf_counter() - start
    if faults is not None:
        faults.append((_faults() - before) / number)
    return elapsed / number


def _calibrate(fn: Callable[[], object], sync: Callable[[], None]) -> int:
    """How many calls make a run of at least ``MIN_RUN_S`` (after a warm-up)."""
    for _ in range(3):
        fn()
    number = 1
    while _run_time(fn, number, sync) * number < MIN_RUN_S:
        number *= 2
    return number


@dataclass
class Timing:
    """Medians over the runs: seconds and minor page faults per call, ours and torch's."""

    ours: float
    theirs: float
    ours_faults: float
    theirs_faults: float


def compare(ours: Callable[[], object], theirs: Callable[[], object], repeats: int,
            sync: Callable[[], None] = lambda: None) -> Timing:
    """Median time per call of ``ours`` and ``theirs``, runs interleaved."""
    n_ours, n_theirs = _calibrate(ours, sync), _calibrate(theirs, sync)
    t_ours, t_theirs, f_ours, f_theirs = [], [], [], []
    for _ in range(repeats):
        t_ours.append(_run_time(ours, n_ours, sync, f_ours))
        t_theirs.append(_run_time(theirs, n_theirs, sync, f_theirs))
    med = statistics.median
    return Timing(med(t_ours), med(t_theirs), med(f_ours), med(f_theirs))


def _row(kernel: str, input: str, device: str, shape: str, t: Timing) -> Row:
    ratio = t.ours / t.theirs
    target = TARGETS.get(kernel) if device == "cpu" else None
    met = None if target is None else bool(ratio <= target)
    return Row(kernel, input, device, shape, t.ours * 1e3, t.theirs * 1e3, ratio,
               t.ours_faults, t.theirs_faults, target, met)


# ---------------------------------------------------------------------------- cases


def _shape(*dims: int) -> str:
    return "x".join(str(d) for d in dims)


def softmax_family(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """softmax, log_softmax, logsumexp over the last axis, NumPy and torch inputs."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(SOFTMAX_SHAPE, dtype=np.float32)
    x_t = torch.from_numpy(x_np).to(device)
    cases = [
        ("softmax", activations.softmax, lambda t: torch.softmax(t, dim=-1)),
        ("log_softmax", activations.log_softmax, lambda t: torch.log_softmax(t, dim=-1)),
        ("logsumexp", activations.logsumexp, lambda t: torch.logsumexp(t, dim=-1)),
    ]
    x_shared = torch.from_numpy(x_np)  # torch's view of the NumPy array's memory
    rows = []
    for name, ours, theirs in cases:
        if device == "cpu":  # NumPy in, NumPy out; torch reads the same memory
            times = compare(lambda f=ours: f(x_np), lambda f=theirs: f(x_shared), repeats)
            rows.append(_row(name, "numpy", device, _shape(*SOFTMAX_SHAPE), times))
        times = compare(lambda f=ours: f(x_t), lambda f=theirs: f(x_t), repeats, sync)
        rows.append(_row(name, "torch", device, _shape(*SOFTMAX_SHAPE), times))
    return rows


def cross_entropy(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """Mean cross-entropy of (N, K) logits against integer targets."""
    from mlnotes import losses

    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(SOFTMAX_SHAPE, generator=gen).to(device)
    target = torch.randint(0, SOFTMAX_SHAPE[1], (SOFTMAX_SHAPE[0],), generator=gen).to(device)
    times = compare(lambda: losses.cross_entropy(logits, target),
                    lambda: F.cross_entropy(logits, target), repeats, sync)
    return [_row("cross_entropy", "torch", device, _shape(*SOFTMAX_SHAPE), times)]


def conv_and_pool(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """conv2d (3x3, padding 1, with bias), 2x2 max pooling (also with indices) and 2x2
    average pooling of the same batch."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(CONV_X, generator=gen).to(device)
    w = torch.randn(CONV_W, generator=gen).to(device)
    b = torch.randn(CONV_W[0], generator=gen).to(device)
    rows = []
    times = compare(lambda: conv.conv2d(x, w, b, padding=1),
                    lambda: F.conv2d(x, w, b, padding=1), repeats, sync)
    rows.append(_row("conv2d", "torch", device, f"x {_shape(*CONV_X)}, w {_shape(*CONV_W)}",
                     times))
    times = compare(lambda: conv.max_pool2d(x, 2), lambda: F.max_pool2d(x, 2), repeats, sync)
    rows.append(_row("max_pool2d", "torch", device, f"x {_shape(*CONV_X)}, 2x2", times))
    times = compare(lambda: conv.max_pool2d(x, 2, return_indices=True),
                    lambda: F.max_pool2d(x, 2, return_indices=True), repeats, sync)
    rows.append(_row("max_pool2d, indices", "torch", device, f"x {_shape(*CONV_X)}, 2x2",
                     times))
    times = compare(lambda: conv.avg_pool2d(x, 2), lambda: F.avg_pool2d(x, 2), repeats, sync)
    rows.append(_row("avg_pool2d", "torch", device, f"x {_shape(*CONV_X)}, 2x2", times))
    return rows


def lstm(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """One LSTM layer, forward and backward over a sequence, same weights as torch's."""
    from mlnotes import rnn

    ours = rnn.LSTM(LSTM_H, LSTM_H).to(device)
    theirs = torch.nn.LSTM(LSTM_H, LSTM_H).to(device)
    theirs.load_state_dict(ours.state_dict())
    gen = torch.Generator().manual_seed(0)
    xs = torch.randn(LSTM_L, LSTM_N, LSTM_H, generator=gen).to(device)

    def step(model: torch.nn.Module) -> None:
        model.zero_grad(set_to_none=True)
        output, _ = model(xs)
        output.sum().backward()

    times = compare(lambda: step(ours), lambda: step(theirs), repeats, sync)
    return [_row("lstm fwd+bwd", "torch", device, f"L={LSTM_L}, N={LSTM_N}, H={LSTM_H}",
                 times)]


def adam(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """One Adam step over ~10 M parameters in 40 tensors; torch's with ``foreach=True``."""
    from mlnotes import optim

    gen = torch.Generator().manual_seed(0)
    grads = [torch.randn(s, generator=gen).to(device) for s in ADAM_SHAPES]

    def params() -> list[torch.nn.Parameter]:
        ps = [torch.nn.Parameter(torch.zeros(s, device=device)) for s in ADAM_SHAPES]
        for p, g in zip(ps, grads, strict=True):
            p.grad = g.clone()
        return ps

    ours = optim.Adam(params(), lr=1e-3)
    theirs = torch.optim.Adam(params(), lr=1e-3, foreach=True)
    total = sum(int(np.prod(s)) for s in ADAM_SHAPES)
    times = compare(ours.step, theirs.step, repeats, sync)
    return [_row("adam step", "torch", device,
                 f"{total / 1e6:.2f} M params, {len(ADAM_SHAPES)} tensors", times)]


def engine_mlp(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """One training step of the debugging page's MLP: the NumPy twin on the engine vs torch.

    The model is the page's ``Linear(2, 32) -> ReLU -> Linear(32, 3)``, He then
    Xavier weights from one seed, zero biases; the twin is an
    :class:`mlnotes.nn.Sequential` loaded from the torch model's ``state_dict``.
    One step on the 300 spiral points: forward, :func:`~mlnotes.losses.cross_entropy`,
    ``zero_grad``, ``backward``, an :class:`mlnotes.optim.Adam` step (lr 0.03), both
    in float64 (the engine's dtype). The engine runs on NumPy only: CPU.
    """
    if device != "cpu":
        return []
    from mlnotes import nn
    from mlnotes.datasets import spirals
    from mlnotes.init import kaiming_normal_, xavier_normal_
    from mlnotes.losses import cross_entropy as ce
    from mlnotes.optim import Adam

    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 3)).double()
    kaiming_normal_(model[0].weight.data, nonlinearity="relu", generator=gen)
    xavier_normal_(model[2].weight.data, generator=gen)
    for layer in (model[0], model[2]):
        torch.nn.init.zeros_(layer.bias)
    twin = nn.Sequential(nn.Linear(2, 32, generator=0), nn.ReLU(), nn.Linear(32, 3, generator=1))
    twin.load_state_dict(model.state_dict())
    X, y = spirals(100, classes=3, noise=0.2, generator=0)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    ours_opt, theirs_opt = Adam(twin.parameters(), lr=0.03), Adam(model.parameters(), lr=0.03)

    def step(net: object, opt: object, inputs: object, labels: object) -> None:
        loss = ce(net(inputs), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    times = compare(lambda: step(twin, ours_opt, X, y), lambda: step(model, theirs_opt, Xt, yt),
                    repeats, sync)
    return [_row("engine: mlp train step", "numpy", device, "2-32-3, N=300, float64", times)]


def _training_step(model: object, optimizer: object, loss: Callable[[], object]) -> None:
    """One training step: the loss, its gradients by backpropagation, the optimizer's step."""
    optimizer.zero_grad()
    loss().backward()
    optimizer.step()


def engine_recall_lstm(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """One Adam step of the sequences page's LSTM on the recall task: the NumPy twin,
    trained by mlnotes.autograd, against the same model in torch (``torch.nn.LSTM``)."""
    if device != "cpu":  # the engine runs on NumPy, on the CPU
        return []
    from mlnotes import optim
    from mlnotes.experiments.sequences import NumpyRecallNet, RecallNet, recall_task
    from mlnotes.losses import cross_entropy

    theirs = RecallNet("lstm", hidden=32, generator=0)
    ours = NumpyRecallNet("lstm", hidden=32, dtype=np.float32)
    ours.load_state_dict(theirs.state_dict())
    # torch at its fastest: its own fused nn.LSTM in place of the package's LSTM
    fused = torch.nn.LSTM(theirs.lstm.input_size, theirs.lstm.hidden_size)
    fused.load_state_dict(theirs.lstm.state_dict())
    theirs.lstm = fused
    xs, y = recall_task(64, 50, generator=0)  # the page's larger run: 64 sequences of 50 steps
    xs_t, y_t = torch.from_numpy(xs), torch.from_numpy(y)
    opt_ours, opt_theirs = optim.Adam(ours.parameters(), lr=0.03), torch.optim.Adam(
        theirs.parameters(), lr=0.03)
    times = compare(lambda: _training_step(ours, opt_ours, lambda: cross_entropy(ours(xs), y)),
                    lambda: _training_step(theirs, opt_theirs,
                                           lambda: F.cross_entropy(theirs(xs_t), y_t)),
                    repeats, sync)
    return [_row("engine: recall LSTM step", "numpy", device, "L=50, N=64, H=32", times)]


def engine_vae(device: str, repeats: int, sync: Callable[[], None]) -> list[Row]:
    """One Adam step of the VAE page's model on a batch of strokes: NumpyVAE by the
    engine against the torch VAE from the same weights, same batch and noise."""
    if device != "cpu":
        return []
    from mlnotes import optim
    from mlnotes.datasets import strokes
    from mlnotes.vae import VAE, NumpyVAE

    theirs = VAE(144, latent_features=2, hidden_features=64, generator=0)
    ours = NumpyVAE(144, latent_features=2, hidden_features=64, dtype=np.float32)
    ours.load_state_dict(theirs.state_dict())
    x = strokes(100, size=12, generator=0)[0].reshape(100, -1).astype(np.float32)
    eps = np.random.default_rng(0).standard_normal((100, 2)).astype(np.float32)
    x_t, eps_t = torch.from_numpy(x), torch.from_numpy(eps)
    opt_ours, opt_theirs = optim.Adam(ours.parameters(), lr=2e-2), torch.optim.Adam(
        theirs.parameters(), lr=2e-2)
    times = compare(lambda: _training_step(ours, opt_ours, lambda: ours.loss(x, eps=eps)),
                    lambda: _training_step(theirs, opt_theirs,
                                           lambda: theirs.loss(x_t, eps=eps_t)),
                    repeats, sync)
    return [_row("engine: VAE step", "numpy", device, "N=100, 144-64-2", times)]


CASES = [softmax_family, cross_entropy, conv_and_pool, lstm, adam, engine_mlp,
         engine_recall_lstm, engine_vae]


# ----------------------------------------------------------------------------- main


def cpu_name() -> str:
    """The processor's model name (``/proc/cpuinfo``), or what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def machine() -> dict:
    """What the numbers were measured on."""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "usable_cpus": usable_cpus(),
        "gpu": gpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
    }


def run(repeats: int = 7, progress: Callable[[str], None] = print,
        cases: list[str] | None = None) -> dict:
    """Every case (or those named) on the CPU and, if available, CUDA; results as a dict."""
    selected = [c for c in CASES if cases is None or c.__name__ in cases]
    torch.set_num_threads(_THREADS)
    load_before = os.getloadavg()
    cpu_rows: list[Row] = []
    for case in selected:
        progress(f"  cpu: {case.__name__} ...")
        cpu_rows += case("cpu", repeats, lambda: None)
    cuda_rows: list[Row] | None = None
    if torch.cuda.is_available():
        cuda_rows = []
        for case in selected:
            progress(f"  cuda: {case.__name__} ...")
            cuda_rows += case("cuda", repeats, torch.cuda.synchronize)
        cuda_note = f"CUDA: {torch.cuda.get_device_name(0)}"
    else:
        cuda_note = "CUDA unavailable (torch.cuda.is_available() is False): CPU only"
    progress(f"  {cuda_note}")
    return {
        "machine": machine(),
        "threads": {"torch": torch.get_num_threads(), "numpy": _THREADS,
                    "env": {v: os.environ[v] for v in THREAD_VARS}},
        "repeats": repeats,
        "min_run_s": MIN_RUN_S,
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "cpu": [asdict(r) for r in cpu_rows],
        "cuda": None if cuda_rows is None else [asdict(r) for r in cuda_rows],
        "cuda_note": cuda_note,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--cases", nargs="+", choices=[c.__name__ for c in CASES],
                        help="only these cases (default: all)")
    args = parser.parse_args(argv)
    from benchmarks import report

    results = run(args.repeats, progress=lambda s: print(s, file=sys.stderr, flush=True),
                  cases=args.cases)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(report.kernel_tables(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
