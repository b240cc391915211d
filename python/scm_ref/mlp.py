"""The time-conditioned residual MLP of scm-ts (packages/models/src/mlp.ts): optional Fourier input
features [u, sin(2^k u), cos(2^k u)], a positional time embedding through two linear maps, residual
blocks h <- h + fc1(silu(fc0(ADN(LN(h), emb)))) with affine-free layer norms (ε = 1e-6), and an output
map of silu(ADN(LN(h), emb)). Parameter names are those of the checkpoint.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .layers import AdaptiveDoubleNorm, conditioning_modules, embed_time


class MlpBlock(nn.Module):
    def __init__(self, width, emb_dim):
        super().__init__()
        self.adn = AdaptiveDoubleNorm(emb_dim, width)
        self.fc0 = nn.Linear(width, width)
        self.fc1 = nn.Linear(width, width)

    def forward(self, h, emb):
        r = self.adn(F.layer_norm(h, h.shape[-1:], eps=1e-6), emb)
        return h + self.fc1(F.silu(self.fc0(r)))


class Mlp(nn.Module):
    """F_θ(u, t) for u [B, D], t [B]; `config` is scm-ts's MlpConfig (camelCase keys)."""

    def __init__(self, config):
        super().__init__()
        width, depth, d = config["width"], config["depth"], config["dataDim"]
        self.time_features = config.get("timeFeatures", 64)
        emb = config.get("embDim", width)
        self.input_fourier = config.get("inputFourier", 0)
        conditioning_modules(self, self.time_features, emb, config.get("numClasses", 0), config.get("guidanceEmbedding", False))
        self.fc_in = nn.Linear(d * (1 + 2 * self.input_fourier), width)
        self.blocks = nn.ModuleList([MlpBlock(width, emb) for _ in range(depth)])
        self.out_adn = AdaptiveDoubleNorm(emb, width)
        self.fc_out = nn.Linear(width, d)

    def fourier(self, u):
        if self.input_fourier == 0:
            return u
        b, d = u.shape
        omega = torch.tensor([2.0 ** k for k in range(self.input_fourier)], dtype=u.dtype).reshape(1, 1, -1)
        phase = (u.reshape(b, d, 1) * omega).reshape(b, d * self.input_fourier)
        return torch.cat([u, torch.sin(phase), torch.cos(phase)], dim=1)

    def forward(self, u, t, class_labels=None, guidance=None):
        emb = embed_time(self, t, self.time_features, class_labels, guidance)
        h = self.fc_in(self.fourier(u))
        for block in self.blocks:
            h = block(h, emb)
        out = self.out_adn(F.layer_norm(h, h.shape[-1:], eps=1e-6), emb)
        return self.fc_out(F.silu(out))
