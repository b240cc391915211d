"""The TrigFlow samplers of scm-ts (packages/samplers, packages/trigflow) over F(u, t), u = x_t/σ_d:
consistency sampling along a decreasing t-list (1-step from t_max = arctan(80/σ_d), 2-step via
the run's t_mid: `run_t_mid(config)`, 0.3 for runs of low-dimensional data, else the paper's 1.1) with f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t) and renoising x_t = cos t·x̂0 + sin t·z_i;
and the teacher's PF-ODE dx/dt = σ_d·F(x/σ_d, t) by Euler or DPM-Solver-2 (r = 1) on EDM's ρ = 7 grid
(from the run's σ_max: `run_sigma_max(config)`, 10 for low-dimensional data, else EDM's 80).
All noise is passed in (z at the first time, z_i for each renoising), so runs compare across
implementations; `scm sample --noise` takes the same file (tensors z, z1, z2, …, std σ_d).
"""
import math

import torch

PAPER_T_MID = 1.1
EDM_SIGMA_MAX = 80.0


def run_t_mid(config):
    """The t_mid of 2-step sampling that `scm train` recorded in the run config (older runs: the paper's 1.1)."""
    return config.get("tMid", PAPER_T_MID)


def run_sigma_max(config):
    """The σ_max of the teacher sampler's EDM grid that `scm train` recorded (older runs: EDM's 80)."""
    return config.get("sampleSigmaMax", EDM_SIGMA_MAX)


def t_max(sigma_data=0.5, sigma_max=80.0):
    return math.atan(sigma_max / sigma_data)


def _F(F, x, t, sigma_data, cond):
    return F(x / sigma_data, torch.full((x.shape[0],), t, dtype=x.dtype), **cond)


def consistency_function(F, x, t, sigma_data=0.5, cond=None):
    """f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t)."""
    return math.cos(t) * x - math.sin(t) * sigma_data * _F(F, x, t, sigma_data, cond or {})


def sample_consistency(F, times, z, renoise=(), sigma_data=0.5, cond=None):
    """k-step consistency sampling along `times`; z [B, ...] at times[0], renoise[i-1] the z_i of step i."""
    if len(renoise) < len(times) - 1:
        raise ValueError(f"{len(times)} steps need {len(times) - 1} renoising draws, got {len(renoise)}")
    x0 = consistency_function(F, z, times[0], sigma_data, cond)
    for i in range(1, len(times)):
        t = times[i]
        x0 = consistency_function(F, math.cos(t) * x0 + math.sin(t) * renoise[i - 1], t, sigma_data, cond)
    return x0


def sample_one_step(F, z, sigma_data=0.5, cond=None):
    return sample_consistency(F, [t_max(sigma_data)], z, (), sigma_data, cond)


def sample_two_step(F, z, z1, sigma_data=0.5, t_mid=PAPER_T_MID, cond=None):
    return sample_consistency(F, [t_max(sigma_data), t_mid], z, (z1,), sigma_data, cond)


def edm_schedule(steps, sigma_data=0.5, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    """EDM's ρ-grid of `steps` times mapped to t = arctan(σ/σ_d), then 0."""
    hi, lo = sigma_max ** (1 / rho), sigma_min ** (1 / rho)
    times = [math.atan((hi + (0 if steps == 1 else i / (steps - 1)) * (lo - hi)) ** rho / sigma_data) for i in range(steps)]
    return times + [0.0]


def steps_for_nfe(method, nfe):
    if method == "euler":
        return nfe
    if method == "dpm-solver-2":
        if nfe % 2 == 0:
            raise ValueError(f"dpm-solver-2 cannot spend exactly {nfe} evaluations; use an odd NFE")
        return (nfe + 1) // 2
    raise ValueError(f"unknown method {method!r}; use euler or dpm-solver-2")


def sample_teacher(F, z, nfe=35, method="dpm-solver-2", sigma_data=0.5, cond=None, sigma_max=EDM_SIGMA_MAX):
    """Integrates dx/dt = σ_d·F(x/σ_d, t) from z at t_max down to 0 on EDM's grid, spending `nfe` evaluations."""
    cond = cond or {}
    v = lambda x, t: sigma_data * _F(F, x, t, sigma_data, cond)
    schedule = edm_schedule(steps_for_nfe(method, nfe), sigma_data, sigma_max=sigma_max)
    x = z
    for s, t in zip(schedule[:-1], schedule[1:]):
        if method == "euler":
            x = x + (t - s) * v(x, s)
            continue
        vs = v(x, s)
        predicted = math.cos(s - t) * x - math.sin(s - t) * vs  # the DDIM step s -> t
        if t == 0:
            x = predicted
            continue
        zs = math.sin(s) * x + math.cos(s) * vs  # noise predictions Ẑ = sin t·x + cos t·v
        zt = math.sin(t) * predicted + math.cos(t) * v(predicted, t)
        x = predicted - (math.sin(s - t) / (2 * math.cos(s))) * (zt - zs)
    return x


def unstandardize(x, config):
    """Model space -> data space: x/scale + shift per coordinate or channel (the run's dataTransform)."""
    tr = config.get("dataTransform")
    if not tr:
        return x
    shape = [1, -1] + [1] * (x.dim() - 2)
    scale = torch.tensor(tr["scale"], dtype=x.dtype).reshape(shape)
    shift = torch.tensor(tr["shift"], dtype=x.dtype).reshape(shape)
    return x / scale + shift
