"""Loading an scm-ts checkpoint (scm-ts/checkpoint@2, PyTorch's layout) into the reference modules, and
writing one from them: the run config is JSON in the metadata `scm.config`, the parameters sit at the
root under module paths (so `load_state_dict(strict=True)` takes them unchanged), the training state
under `train.` (`train.ema.<name>` holds the EMA weights that `scm sample` samples with). A file of
parameters alone, as `save` writes it, loads on both sides with the EMA weights equal to them. A file
of the first layout (scm-ts/checkpoint@1: engine names, linear weights [in, out]) is mapped on reading.
"""
import json
import os
import re
import sys

import torch
from torch import nn

from . import safetensors_io
from .dit import Dit
from .logvar import LogvarHead
from .mlp import Mlp
from .unet import Unet

FORMAT = "scm-ts/checkpoint@2"
LEGACY_FORMAT = "scm-ts/checkpoint@1"
ARCHITECTURES = {"mlp": Mlp, "unet": Unet, "dit": Dit}


class ScmModel(nn.Module):
    """The network F_θ (`net`) and the adaptive-weighting head w_φ (`logvar`), as scm-ts pairs them."""

    def __init__(self, model, model_config, logvar_features=128):
        super().__init__()
        if model not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {model!r}; use one of {', '.join(ARCHITECTURES)}")
        self.net = ARCHITECTURES[model](model_config)
        self.logvar = LogvarHead(logvar_features)

    def forward(self, u, t, class_labels=None, guidance=None):
        return self.net(u, t, class_labels, guidance)


def checkpoint_file(location):
    """The safetensors file of a checkpoint location (a .safetensors file, or a run folder)."""
    return location if location.endswith(".safetensors") else os.path.join(location, "checkpoint.safetensors")


def _snake(segment):
    # mapNoise0 -> map_noise0; "8x8_block0" and indices stay as they are
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), segment) if segment[:1].islower() else segment


def torch_name(engine_path, tensor):
    """The current layout's (name, tensor) of a tensor of the first layout at `engine_path` (e.g.
    net.fcIn.weight, [in, out]): snake_case paths, linear weights transposed to [out, in], a norm's
    `scale` as `weight`, the one-hot class `table` as nn.Linear's `weight`. The mapping of packages/io's
    torch-layout.ts, for the trees a model holds."""
    segments = engine_path.split(".")
    leaf, parent = segments[-1], (segments[-2] if len(segments) > 1 else None)
    head = [_snake(s) for s in segments[:-1]]
    if leaf == "scale" and tensor.dim() == 1:
        return ".".join(head + ["weight"]), tensor
    if (leaf == "table" and parent == "mapLabel" or leaf == "weight") and tensor.dim() == 2:
        return ".".join(head + ["weight"]), tensor.t().contiguous()
    return ".".join(head + [_snake(leaf)]), tensor


def read_checkpoint(location):
    """(config dict, parameters, EMA parameters or None, metadata) of an scm-ts checkpoint; a file of
    the first layout (scm-ts/checkpoint@1) is mapped to the current one, with a one-line notice."""
    file = checkpoint_file(location)
    tensors, metadata = safetensors_io.read(file)
    fmt = metadata.get("scm.format")
    if fmt == LEGACY_FORMAT:
        print(f"{file}: a checkpoint in the first scm-ts layout ({LEGACY_FORMAT}), mapped to PyTorch's layout as it was read", file=sys.stderr)
        mapped = {}
        for name, t in tensors.items():
            for field, prefix in (("params.", ""), ("ema.", "train.ema.")):
                if name.startswith(field):
                    new_name, new_t = torch_name(name[len(field):], t)
                    mapped[prefix + new_name] = new_t
        tensors = mapped
    elif fmt != FORMAT:
        raise ValueError(f"{file}: metadata scm.format is {fmt!r}, not {FORMAT!r}; this is not an scm-ts checkpoint")
    config = json.loads(metadata["scm.config"])
    params = {k: v for k, v in tensors.items() if not k.startswith("train.")}
    ema = {k[len("train.ema."):]: v for k, v in tensors.items() if k.startswith("train.ema.")}
    return config, params, (ema or None), metadata


def load_state_dict_checked(module, state, where):
    """load_state_dict(strict=True), but a missing, extra or mis-shaped key is one line naming it and both shapes."""
    own = module.state_dict()
    for k, v in state.items():
        if k not in own:
            raise ValueError(f"{where}: key {k!r} {list(v.shape)} is in the file but not in the model")
        if tuple(own[k].shape) != tuple(v.shape):
            raise ValueError(f"{where}: key {k!r} is {list(v.shape)} in the file but {list(own[k].shape)} in the model")
    for k, v in own.items():
        if k not in state:
            raise ValueError(f"{where}: key {k!r} {list(v.shape)} is in the model but not in the file")
    module.load_state_dict(state, strict=True)


def load(location, weights="ema", dtype=torch.float64):
    """(ScmModel with the checkpoint's `weights` ("ema" or "params") in `dtype`, run config)."""
    config, params, ema, _ = read_checkpoint(location)
    model = build(config, params)
    # A checkpoint of parameters alone (as `save` writes) samples with them, as scm-ts does.
    state = params if weights == "params" or ema is None else ema
    load_state_dict_checked(model, state, checkpoint_file(location))
    return model.to(dtype), config


def build(config, params=None):
    """An ScmModel for a run config (`model`, `modelConfig`); the logvar width is read from `params` when given."""
    features = params["logvar.linear.weight"].shape[1] if params is not None and "logvar.linear.weight" in params else 128
    return ScmModel(config["model"], config["modelConfig"], features)


def save(location, model, config, step=0):
    """Writes `model`'s parameters (float32) with the run config as an scm-ts checkpoint: a plain state dict
    plus metadata, which `scm sample --ckpt` loads (EMA weights = these, fresh optimizer state)."""
    tensors = {k: v.detach().to(torch.float32) for k, v in model.state_dict().items()}
    file = checkpoint_file(location)
    if file != location:
        os.makedirs(location, exist_ok=True)
    metadata = {"scm.format": FORMAT, "scm.step": str(step), "scm.config": json.dumps(config)}
    safetensors_io.write(file, tensors, metadata)
