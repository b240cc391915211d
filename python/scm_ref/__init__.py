"""scm_ref: a plain-PyTorch reference of scm-ts's networks (MLP, U-Net, DiT, the logvar head) and its
TrigFlow samplers, which loads scm-ts checkpoints (PyTorch's layout) and writes ones scm-ts loads.
Depends on torch and numpy only."""
from . import safetensors_io, samplers
from .checkpoint import ScmModel, build, load, load_state_dict_checked, read_checkpoint, save
from .dit import Dit
from .logvar import LogvarHead
from .mlp import Mlp
from .unet import Unet
