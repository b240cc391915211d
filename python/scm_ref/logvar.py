"""The adaptive-weighting head w_φ(t) = linear(pos(t)) of scm-ts (packages/models/src/logvar-head.ts):
one number per sample, from a sinusoidal embedding of width `features` (128 by default)."""
from torch import nn

from .layers import positional_embedding


class LogvarHead(nn.Module):
    def __init__(self, features=128):
        super().__init__()
        self.linear = nn.Linear(features, 1)

    def forward(self, t):
        return self.linear(positional_embedding(t.to(self.linear.weight.dtype), self.linear.in_features)).reshape(-1)
