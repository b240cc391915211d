"""The PyTorch side of `npm run bench:torch` (bench/torch/bench.mjs): builds the same workloads as the Node
driver from the weights and inputs it wrote, and times one call at a time on request, so the driver can
interleave the two sides round by round. Protocol: one JSON object per line on stdin, one reply per line
on stdout.

  {"op": "setup", "workloads": [spec, ...]}  -> {"torch": version, "threads": n, "blas": [library paths],
                                                "workloads": {id: {"check": rel} | {"error": msg}}}
  {"op": "run", "workload": id, "row": name} -> {"ms": wall time of the call} | {"error": msg}
  {"op": "quit"}

`check` is max |F_torch − F_ours| / max |F_ours| of the workload's forward output (the driver's output is
in the workload's file as `expect`): proof that both sides compute the same function. The networks are the
reference modules of python/scm_ref, float32. Usage: torch_side.py THREADS.
"""
import json
import math
import os
import sys
import time

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import scm_ref  # noqa: E402
from scm_ref import safetensors_io  # noqa: E402


def jvp(fn, primals, tangents):
    """(fn(*primals), its derivative along tangents) by forward-mode AD, one pass."""
    with fwAD.dual_level():
        out = fn(*[fwAD.make_dual(p, d) for p, d in zip(primals, tangents)])
        primal, tangent = fwAD.unpack_dual(out)
    return primal, tangent


def grads_of(loss_fn, params):
    """Gradient of a scalar loss in `params` (no accumulation into .grad)."""
    return torch.autograd.grad(loss_fn(), params)


def no_grad(fn):
    """fn run under torch.no_grad(): a forward row records no graph, as ours keeps no tape."""
    def run():
        with torch.no_grad():
            return fn()
    return run


def conv_stack(spec, x):
    """4 × (conv3×3 → group norm → SiLU), weights w{i}, b{i}, gamma{i}, beta{i}."""
    g = spec["groups"]
    params = [x[k] for i in range(spec["layers"]) for k in (f"w{i}", f"b{i}", f"gamma{i}", f"beta{i}")]
    for p in params:
        p.requires_grad_(True)

    def f():
        h = x["x"]
        for i in range(spec["layers"]):
            h = F.conv2d(h, x[f"w{i}"], x[f"b{i}"], padding=1)
            h = F.silu(F.group_norm(h, g, x[f"gamma{i}"], x[f"beta{i}"], eps=1e-5))
        return h

    rows = {"fwd": no_grad(f), "fwd+bwd": lambda: grads_of(lambda: torch.mean(torch.square(f())), params)}
    return f, rows


def mlp(spec, x):
    """f(x) = tanh(tanh(x·W1)·W2)·W3 (weights [in, out]); its JVP in x; the gradient of mean((f − y)²) in W."""
    ws = [x[f"w{i}"].requires_grad_(True) for i in range(spec["depth"])]

    def f(u):
        h = u
        for i, w in enumerate(ws):
            h = h @ w
            if i < len(ws) - 1:
                h = torch.tanh(h)
        return h

    rows = {
        "fwd": no_grad(lambda: f(x["x"])),
        "jvp": no_grad(lambda: jvp(f, [x["x"]], [x["dx"]])),
        "grad": lambda: grads_of(lambda: torch.mean(torch.square(f(x["x"]) - x["y"])), ws),
    }
    return lambda: f(x["x"]), rows


def unet(spec, x):
    """F_θ(u, t); its JVP along (du, dt); the gradient of mean(F²) in θ — of the checkpoint's reference U-Net."""
    model, _ = scm_ref.load(spec["ckpt"], weights="params", dtype=torch.float32)
    net = model.net
    params = list(net.parameters())
    u, t, du, dt = x["u"], x["t"], x["du"], x["dt"]
    rows = {
        "fwd": no_grad(lambda: net(u, t)),
        "fwd+jvp": no_grad(lambda: jvp(net, [u, t], [du, dt])),
        "fwd+bwd": lambda: grads_of(lambda: torch.mean(torch.square(net(u, t))), params),
    }
    return lambda: net(u, t), rows


def train(spec, x):
    """Whole training steps (diffusion, sCT, sCD) with Adam, clipping and EMA, as @scm-ts/consistency's makeTrainStep."""
    model, _ = scm_ref.load(spec["ckpt"], weights="params", dtype=torch.float32)
    teacher, _ = scm_ref.load(spec["teacher"], weights="params", dtype=torch.float32)
    for p in teacher.parameters():
        p.requires_grad_(False)
    params = list(model.parameters())
    ema = [p.detach().clone() for p in params]
    opt = torch.optim.Adam(params, lr=spec["lr"], betas=(0.9, 0.99), eps=1e-8)
    sd, p_mean, p_std, beta, r = spec["sigmaData"], spec["pMean"], spec["pStd"], spec["emaBeta"], 1.0
    x0 = x["x0"]
    b = x0.shape[0]
    mean_ps = lambda v: v.reshape(b, -1).mean(dim=1)  # noqa: E731

    def loss_of(mode):
        z = torch.randn_like(x0) * sd
        t = torch.atan(torch.exp(torch.randn(b) * p_std + p_mean) / sd)
        tc = t.reshape(b, 1, 1, 1)
        cos, sin = torch.cos(tc), torch.sin(tc)
        xt = cos * x0 + sin * z
        if mode == "diffusion":
            err = mean_ps(torch.square(model.net(xt / sd, t) - (cos * z - sin * x0) / sd))
        else:
            if mode == "scd":
                with torch.no_grad():
                    dxdt = teacher.net(xt / sd, t) * sd
            else:
                dxdt = cos * z - sin * x0
            cs = cos * sin
            f, jv = jvp(model.net, [xt / sd, t], [cs * dxdt, torch.cos(t) * torch.sin(t) * sd])
            f_stop, jv = f.detach(), jv.detach()
            g = -torch.square(cos) * (f_stop * sd - dxdt) - r * (cs * xt + jv)
            g = g / (torch.sqrt(torch.square(g).reshape(b, -1).sum(dim=1)).reshape(b, 1, 1, 1) + 0.1)
            err = mean_ps(torch.square(f - f_stop - g))
        w = model.logvar(t)
        return torch.mean(torch.exp(w) * err - w)

    def step(mode):
        opt.zero_grad(set_to_none=True)
        loss = loss_of(mode)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, spec["clipNorm"])
        # the NaN guard of makeTrainStep: skip the update when the loss or the gradient is not finite
        if math.isfinite(loss.item()) and math.isfinite(norm.item()):
            opt.step()
            with torch.no_grad():
                torch._foreach_mul_(ema, beta)
                torch._foreach_add_(ema, [p.detach() for p in params], alpha=1 - beta)
        return loss

    rows = {m: (lambda m=m: step(m)) for m in ("diffusion", "sct", "scd")}
    return None, rows


KINDS = {"convstack": conv_stack, "mlp": mlp, "unet": unet, "train": train}


def blas_libraries():
    """The BLAS libraries this process mapped (which one Debian's libblas.so.3 alternative points at decides
    the speed of every matrix product: the reference BLAS is many times slower than OpenBLAS)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.lower() or "mkl_rt" in line}
    return sorted(p for p in paths if p.startswith("/"))


def relative_error(a, b):
    return (torch.max(torch.abs(a - b)) / torch.max(torch.abs(b))).item()


def setup(specs):
    built, report = {}, {}
    for spec in specs:
        try:
            x, _ = safetensors_io.read(spec["file"])
            forward, rows = KINDS[spec["kind"]](spec, x)
            built[spec["id"]] = rows
            check = None
            if forward is not None and "expect" in x:
                with torch.no_grad():
                    check = relative_error(forward(), x["expect"])
            report[spec["id"]] = {"check": check}
        except Exception as e:  # one workload that torch cannot run must not stop the others
            report[spec["id"]] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
    return built, report


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    built = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "setup":
            built, report = setup(cmd["workloads"])
            reply = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_libraries(), "workloads": report}
        elif cmd["op"] == "run":
            try:
                fn = built[cmd["workload"]][cmd["row"]]
                t0 = time.perf_counter()
                fn()
                reply = {"ms": (time.perf_counter() - t0) * 1000}
            except Exception as e:
                reply = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
        elif cmd["op"] == "quit":
            break
        else:
            reply = {"error": f"unknown op {cmd['op']!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
