"""The PyTorch side of scm-ts's parity test (packages/cli/src/pytorch-parity.test.ts), in float64:

  parity.py forward CKPT INPUTS OUT [params|ema]
      F_θ(u, t) and its JVP along (du, dt) by torch.autograd.forward_ad, for u, t, du, dt in INPUTS
      (and one-hot class rows `labels`, guidance scales `w` when present); writes F and jvp to OUT.
  parity.py sample CKPT NOISE OUT STEPS [T_MID]
      consistency sampling (1 step from t_max, 2 via T_MID, default the run's recorded t_mid) of the checkpoint's EMA
      weights from the noise file of `scm sample --noise` (z, z1, …), mapped back to data space;
      writes x to OUT.
  parity.py teacher CKPT NOISE OUT METHOD NFE
      the teacher's PF-ODE (euler or dpm-solver-2 on EDM's grid, NFE evaluations) from the noise file's z,
      with the EMA weights, in model space; writes x to OUT.
  parity.py save CONFIG_JSON OUT SEED
      a PyTorch-initialised model of the run config in CONFIG_JSON (weights drawn by torch from SEED,
      plus 0.1·N(0, 1) so no layer is zero), saved as an scm-ts checkpoint of parameters alone.
  parity.py batch JOBS_JSON
      each [command, arg, …] of the JSON list in turn, in one process (torch imports once).
"""
import json
import os
import sys

import torch
import torch.autograd.forward_ad as fwAD

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import scm_ref  # noqa: E402
from scm_ref import safetensors_io, samplers  # noqa: E402

torch.set_grad_enabled(False)


def forward(ckpt, inputs, out, weights="params"):
    model, _ = scm_ref.load(ckpt, weights=weights, dtype=torch.float64)
    x, _ = safetensors_io.read(inputs)
    u, t, du, dt = (x[k].to(torch.float64) for k in ("u", "t", "du", "dt"))
    cond = {k: x[name].to(torch.float64) for k, name in (("class_labels", "labels"), ("guidance", "w")) if name in x}
    with fwAD.dual_level():
        y = model(fwAD.make_dual(u, du), fwAD.make_dual(t, dt), **cond)
        primal, tangent = fwAD.unpack_dual(y)
    safetensors_io.write(out, {"F": primal, "jvp": tangent})


def sample(ckpt, noise, out, steps, t_mid=None):
    model, config = scm_ref.load(ckpt, weights="ema", dtype=torch.float64)
    n, _ = safetensors_io.read(noise)
    sd = config["sigmaData"]
    z = n["z"].to(torch.float64)
    renoise = [n[f"z{i}"].to(torch.float64) for i in range(1, steps)]
    times = [samplers.t_max(sd)] + ([t_mid if t_mid is not None else samplers.run_t_mid(config)] if steps == 2 else [])
    x = samplers.sample_consistency(model, times, z, renoise, sd)
    safetensors_io.write(out, {"x": samplers.unstandardize(x, config)})


def teacher(ckpt, noise, out, method, nfe):
    model, config = scm_ref.load(ckpt, weights="ema", dtype=torch.float64)
    n, _ = safetensors_io.read(noise)
    x = samplers.sample_teacher(model, n["z"].to(torch.float64), nfe=nfe, method=method, sigma_data=config["sigmaData"])
    safetensors_io.write(out, {"x": x})


def save(config_json, out, seed):
    with open(config_json) as f:
        config = json.load(f)
    torch.manual_seed(seed)
    model = scm_ref.build(config)
    for p in model.parameters():  # no zero-initialised layer: every output depends on every parameter
        p.data.add_(0.1 * torch.randn_like(p))
    scm_ref.save(out, model, config)


def run(cmd, args):
    if cmd == "forward":
        forward(*args)
    elif cmd == "sample":
        sample(args[0], args[1], args[2], int(args[3]), *(float(a) for a in args[4:]))
    elif cmd == "teacher":
        teacher(args[0], args[1], args[2], args[3], int(args[4]))
    elif cmd == "save":
        save(args[0], args[1], int(args[2]))
    else:
        sys.exit(f"parity.py: unknown command {cmd!r}; use forward, sample, save or batch")


if __name__ == "__main__":
    if sys.argv[1] == "batch":
        with open(sys.argv[2]) as f:
            for job in json.load(f):
                run(job[0], [str(a) for a in job[1:]])
    else:
        run(sys.argv[1], sys.argv[2:])
