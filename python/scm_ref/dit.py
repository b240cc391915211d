"""The Diffusion Transformer of scm-ts (packages/models/src/dit.ts): p×p patch embedding, the fixed 2-D
sin-cos position embedding, the time embedding through map_noise0/1, blocks
x <- x + gate1(c)·attn(ADN(LN(x), c)); x <- x + gate2(c)·fc2(silu(fc1(ADN(LN(x), c)))) with affine-free
layer norms (ε = 1e-6), and a final linear map of ADN(LN(x), c), unpatchified to [B, C, H, W].
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .layers import AdaptiveDoubleNorm, SelfAttention, conditioning_modules, embed_time


def sincos2d(dim, grid, dtype):
    """DiT's get_2d_sincos_pos_embed: per token (row i, column j), [axis(j), axis(i)] with
    axis(pos) = [sin(ω pos), cos(ω pos)], ω_k = 10000^(−k/(dim/4)): [1, grid², dim]."""
    quarter = dim // 4
    rows = []
    for i in range(grid):
        for j in range(grid):
            def axis(pos):
                w = [pos / math.pow(10000, k / quarter) for k in range(quarter)]
                return [math.sin(v) for v in w] + [math.cos(v) for v in w]
            rows.append(axis(j) + axis(i))
    return torch.tensor(rows, dtype=torch.float64).to(dtype).reshape(1, grid * grid, dim)


class DitBlock(nn.Module):
    def __init__(self, hidden, heads, mlp_hidden):
        super().__init__()
        self.adn1 = AdaptiveDoubleNorm(hidden, hidden)
        self.attn = SelfAttention(hidden, heads)
        self.gate1 = nn.Linear(hidden, hidden)
        self.adn2 = AdaptiveDoubleNorm(hidden, hidden)
        self.fc1 = nn.Linear(hidden, mlp_hidden)
        self.fc2 = nn.Linear(mlp_hidden, hidden)
        self.gate2 = nn.Linear(hidden, hidden)

    def forward(self, x, cond):
        ln = lambda v: F.layer_norm(v, v.shape[-1:], eps=1e-6)
        a = self.attn(self.adn1(ln(x), cond))
        x = x + self.gate1(cond).unsqueeze(1) * a
        h = F.silu(self.fc1(self.adn2(ln(x), cond)))
        return x + self.gate2(cond).unsqueeze(1) * self.fc2(h)


class Dit(nn.Module):
    """F_θ(u, t) for u [B, C, H, W], t [B]; `config` is scm-ts's DitConfig (camelCase keys)."""

    def __init__(self, config):
        super().__init__()
        d, p = config["hidden"], config["patchSize"]
        self.hidden, self.patch = d, p
        self.grid = config["imageSize"] // p
        self.out_channels = config.get("outChannels", config["inChannels"])
        self.time_features = config.get("timeFeatures", 256)
        mlp_hidden = round(d * config.get("mlpRatio", 4))
        self.patch_embed = nn.Conv2d(config["inChannels"], d, p, stride=p)
        conditioning_modules(self, self.time_features, d, config.get("numClasses", 0), config.get("guidanceEmbedding", False))
        self.blocks = nn.ModuleList([DitBlock(d, config["heads"], mlp_hidden) for _ in range(config["depth"])])
        self.final_adn = AdaptiveDoubleNorm(d, d)
        self.final_linear = nn.Linear(d, p * p * self.out_channels)

    def forward(self, u, t, class_labels=None, guidance=None):
        b, g, p, d = u.shape[0], self.grid, self.patch, self.hidden
        x = self.patch_embed(u).reshape(b, d, g * g).transpose(1, 2)
        x = x + sincos2d(d, g, x.dtype)
        cond = embed_time(self, t, self.time_features, class_labels, guidance)
        for block in self.blocks:
            x = block(x, cond)
        y = self.final_linear(self.final_adn(F.layer_norm(x, x.shape[-1:], eps=1e-6), cond))
        y = y.reshape(b, g, g, p, p, self.out_channels).permute(0, 5, 1, 3, 2, 4)
        return y.reshape(b, self.out_channels, g * p, g * p)
