"""The building blocks the three architectures share, as scm-ts defines them (packages/nn): the
sinusoidal positional embedding of c_noise(t) = t, pixel normalisation, adaptive double normalisation
y = norm(x)·pnorm(s(emb)) + pnorm(b(emb)), multi-head self-attention with one fused qkv projection,
and the class / guidance-scale conditioning added to the time embedding.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def positional_embedding(c, dim, max_period=10000.0, scale=1.0):
    """emb(c) = [cos(ω c), sin(ω c)], ω_i = (1/max_period)^(i/half), i = 0..half-1: [B] -> [B, dim]."""
    half = dim // 2
    freqs = torch.tensor([math.pow(1.0 / max_period, i / max(half, 1)) for i in range(half)], dtype=c.dtype)
    arg = (c.reshape(-1, 1) * scale) * freqs.reshape(1, half)
    return torch.cat([torch.cos(arg), torch.sin(arg)], dim=1)


def pixel_norm(v, eps=1e-8):
    """v / sqrt(mean(v², last axis) + ε)."""
    return v * torch.rsqrt(torch.mean(v * v, dim=-1, keepdim=True) + eps)


def _along_channels(v, h):
    # a [B, C] modulation broadcast over [B, C, H, W], [B, N, C] or [B, C]
    if h.dim() == 4:
        return v.reshape(v.shape[0], v.shape[1], 1, 1)
    if h.dim() == 3:
        return v.reshape(v.shape[0], 1, v.shape[1])
    return v


class AdaptiveDoubleNorm(nn.Module):
    """y = normed·pnorm(scale(emb)) + pnorm(shift(emb)) (sCM §4.2); normed comes from the caller."""

    def __init__(self, emb_dim, channels, shift=True):
        super().__init__()
        self.scale = nn.Linear(emb_dim, channels)
        self.shift = nn.Linear(emb_dim, channels) if shift else None

    def forward(self, normed, emb):
        y = normed * _along_channels(pixel_norm(self.scale(emb)), normed)
        if self.shift is not None:
            y = y + _along_channels(pixel_norm(self.shift(emb)), normed)
        return y


class SelfAttention(nn.Module):
    """softmax(QKᵀ/√D)·V over tokens [B, N, C] with H heads of width D = C/H."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        h, d = self.heads, c // self.heads
        qkv = self.qkv(x).reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4)  # [3, B, H, N, D]
        q, k, v = qkv[0], qkv[1], qkv[2]
        p = torch.softmax(q @ k.transpose(-1, -2) * (1.0 / math.sqrt(d)), dim=-1)  # [B, H, N, N]
        o = (p @ v).permute(0, 2, 1, 3).reshape(b, n, c)
        return self.out(o)


class GuidanceEmbedding(nn.Module):
    """emb(w) = fc2(silu(fc1(pos(w)))) of a guidance-distilled student's scale w (input scale 1)."""

    def __init__(self, feature_dim, dim):
        super().__init__()
        self.feature_dim = feature_dim
        self.fc1 = nn.Linear(feature_dim, dim)
        self.fc2 = nn.Linear(dim, dim)

    def forward(self, w):
        return self.fc2(F.silu(self.fc1(positional_embedding(w, self.feature_dim, scale=1.0))))


def add_conditioning(module, emb, class_labels=None, guidance=None):
    """emb + onehot·table + MLP(pos(w)): map_label is nn.Linear(K, E, bias=False) on one-hot rows."""
    if getattr(module, "map_label", None) is not None and class_labels is not None:
        emb = emb + module.map_label(class_labels.to(emb.dtype))
    if getattr(module, "map_guidance", None) is not None:
        if guidance is None:
            raise ValueError("this network is guidance-conditioned; pass guidance=w [B] (1 = no guidance)")
        emb = emb + module.map_guidance(guidance.to(emb.dtype))
    return emb


def conditioning_modules(module, features, emb_dim, num_classes, guidance):
    """Adds map_noise0/1 and the optional map_label / map_guidance to `module`, in scm-ts's names."""
    module.map_noise0 = nn.Linear(features, emb_dim)
    module.map_noise1 = nn.Linear(emb_dim, emb_dim)
    module.map_label = nn.Linear(num_classes, emb_dim, bias=False) if num_classes else None
    module.map_guidance = GuidanceEmbedding(features, emb_dim) if guidance else None


def embed_time(module, t, features, class_labels=None, guidance=None):
    """silu(map_noise1(silu(map_noise0(pos(t)))) + conditioning)."""
    emb = module.map_noise1(F.silu(module.map_noise0(positional_embedding(t, features))))
    return F.silu(add_conditioning(module, emb, class_labels, guidance))
