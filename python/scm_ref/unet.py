"""The ADM/DDPM++-style U-Net of scm-ts (packages/models/src/unet.ts) in EDM2's block layout: encoder
blocks named by resolution ("8x8_block0", "4x4_down"), decoder blocks fed the encoder's skips, residual
blocks y = (skip(x) + conv1(silu(ADN(GN(conv0(resample(silu(GN(x))))), emb))))/√2 with optional
self-attention y = (y + attn(GN(y)))/√2, average-pool down and nearest up-sampling, GroupNorm ε = 1e-5.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from .layers import AdaptiveDoubleNorm, SelfAttention, conditioning_modules, embed_time

SKIP_SCALE = math.sqrt(0.5)


def plan(config):
    """The encoder and decoder block lists of unet.ts's plan(): (name, cin, cout, resample, attention, takes_skip)."""
    size, c0 = config["imageSize"], config["modelChannels"]
    attn_res = config.get("attnResolutions", [])
    widths = [m * c0 for m in config["channelMult"]]
    enc, dec = [], []
    cout = widths[0]
    for level, ch in enumerate(widths):
        res = size >> level
        if level > 0:
            enc.append((f"{res}x{res}_down", cout, cout, "down", False, False))
        for i in range(config["numBlocks"]):
            enc.append((f"{res}x{res}_block{i}", cout, ch, "none", res in attn_res, False))
            cout = ch
    skips = [widths[0]] + [b[2] for b in enc]
    for level in range(len(widths) - 1, -1, -1):
        res, ch = size >> level, widths[level]
        if level == len(widths) - 1:
            dec.append((f"{res}x{res}_in0", cout, cout, "none", config.get("midAttention", True), False))
            dec.append((f"{res}x{res}_in1", cout, cout, "none", False, False))
        else:
            dec.append((f"{res}x{res}_up", cout, cout, "up", False, False))
        for i in range(config["numBlocks"] + 1):
            dec.append((f"{res}x{res}_block{i}", cout + skips.pop(), ch, "none", res in attn_res, True))
            cout = ch
    return enc, dec


class UnetBlock(nn.Module):
    def __init__(self, spec, groups, emb_dim, channels_per_head):
        super().__init__()
        _, cin, cout, self.resample, attention, _ = spec
        self.groups = groups
        self.norm0 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv0 = nn.Conv2d(cin, cout, 3, padding=1)
        self.adn = AdaptiveDoubleNorm(emb_dim, cout)
        self.conv1 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.attn_norm = nn.GroupNorm(groups, cout, eps=1e-5) if attention else None
        self.attn = SelfAttention(cout, cout // (channels_per_head or cout)) if attention else None

    def _resample(self, v):
        if self.resample == "down":
            return F.avg_pool2d(v, 2)
        if self.resample == "up":
            return F.interpolate(v, scale_factor=2, mode="nearest")
        return v

    def forward(self, x, emb):
        h = self.conv0(self._resample(F.silu(self.norm0(x))))
        h = self.adn(F.group_norm(h, self.groups, eps=1e-5), emb)
        h = self.conv1(F.silu(h))
        skip = self.skip(self._resample(x)) if self.skip is not None else self._resample(x)
        y = (skip + h) * SKIP_SCALE
        if self.attn is not None:
            b, c, hh, ww = y.shape
            tokens = self.attn_norm(y).reshape(b, c, -1).transpose(1, 2)  # [B, HW, C]
            a = self.attn(tokens).transpose(1, 2).reshape(b, c, hh, ww)
            y = (y + a) * SKIP_SCALE
        return y


class Unet(nn.Module):
    """F_θ(u, t) for u [B, C, H, W], t [B]; `config` is scm-ts's UnetConfig (camelCase keys)."""

    def __init__(self, config):
        super().__init__()
        c0 = config["modelChannels"]
        groups = config.get("groups", 32)
        emb = config.get("embDim", 4 * c0)
        self.time_features = config.get("timeFeatures", c0)
        self.enc_specs, self.dec_specs = plan(config)
        cph = config.get("channelsPerHead")
        conditioning_modules(self, self.time_features, emb, config.get("numClasses", 0), config.get("guidanceEmbedding", False))
        self.conv_in = nn.Conv2d(config["inChannels"], config["channelMult"][0] * c0, 3, padding=1)
        self.enc = nn.ModuleDict({s[0]: UnetBlock(s, groups, emb, cph) for s in self.enc_specs})
        self.dec = nn.ModuleDict({s[0]: UnetBlock(s, groups, emb, cph) for s in self.dec_specs})
        last = self.dec_specs[-1][2]
        self.out_norm = nn.GroupNorm(groups, last, eps=1e-5)
        self.out_conv = nn.Conv2d(last, config.get("outChannels", config["inChannels"]), 3, padding=1)

    def forward(self, u, t, class_labels=None, guidance=None):
        emb = embed_time(self, t, self.time_features, class_labels, guidance)
        x = self.conv_in(u)
        skips = [x]
        for s in self.enc_specs:
            x = self.enc[s[0]](x, emb)
            skips.append(x)
        for s in self.dec_specs:
            if s[5]:
                x = torch.cat([x, skips.pop()], dim=1)
            x = self.dec[s[0]](x, emb)
        return self.out_conv(F.silu(self.out_norm(x)))
