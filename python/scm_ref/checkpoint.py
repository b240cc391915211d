"""Loading an scm-ts checkpoint (scm-ts/checkpoint@2, PyTorch's layout) into the reference modules, and
writing one from them: the run config is JSON in the metadata `scm.config`, the parameters sit at the
root under module paths (so `load_state_dict(strict=True)` takes them unchanged), the training state
under `train.` (`train.ema.<name>` holds the EMA weights that `scm sample` samples with). A file of
parameters alone, as `save` writes it, loads on both sides with the EMA weights equal to them.
"""
import json
import os

import torch
from torch import nn

from . import safetensors_io
from .dit import Dit
from .logvar import LogvarHead
from .mlp import Mlp
from .unet import Unet

FORMAT = "scm-ts/checkpoint@2"
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


def read_checkpoint(location):
    """(config dict, parameters, EMA parameters or None, metadata) of an scm-ts checkpoint."""
    file = checkpoint_file(location)
    tensors, metadata = safetensors_io.read(file)
    fmt = metadata.get("scm.format")
    if fmt != FORMAT:
        raise ValueError(f"{file}: metadata scm.format is {fmt!r}, not {FORMAT!r}; load it once with scm-ts (scm sample or scm train --resume) to migrate it")
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
