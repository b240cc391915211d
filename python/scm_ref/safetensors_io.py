"""safetensors files without the `safetensors` package: the format is an 8-byte little-endian header
length, a JSON header (name -> dtype, shape, byte offsets; "__metadata__" -> str -> str) and the raw
little-endian tensor bytes. Reads every dtype PyTorch 1.13 has a type for (and U16/U32, widened exactly
to int32/int64; U64 and the 8-bit floats are refused); writes the same, with the
header padded to 8 bytes and tensors laid out in name order, as the Rust writer does for equal dtypes.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {
    "F64": (np.float64, torch.float64), "F32": (np.float32, torch.float32), "F16": (np.float16, torch.float16),
    "I64": (np.int64, torch.int64), "I32": (np.int32, torch.int32), "I16": (np.int16, torch.int16),
    "I8": (np.int8, torch.int8), "U8": (np.uint8, torch.uint8), "BOOL": (np.bool_, torch.bool),
}
_NAMES = {torch_dtype: name for name, (_, torch_dtype) in _DTYPES.items()}
_NAMES[torch.bfloat16] = "BF16"


def read(path):
    """Returns (tensors: dict name -> torch.Tensor, metadata: dict str -> str) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    base = 8 + n
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        chunk = raw[base + begin:base + end]
        dtype = info["dtype"]
        if dtype == "BF16":
            # numpy has no bfloat16: widen the 16 bits to the high half of a float32.
            bits = np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16
            t = torch.from_numpy(bits.view(np.float32).copy()).to(torch.bfloat16)
        elif dtype in ("U16", "U32"):
            # PyTorch 1.13 has no unsigned 16/32-bit type: widen exactly to the next signed one.
            t = torch.from_numpy(np.frombuffer(chunk, dtype="<u2" if dtype == "U16" else "<u4").astype(np.int32 if dtype == "U16" else np.int64))
        elif dtype in _DTYPES:
            t = torch.from_numpy(np.frombuffer(chunk, dtype=np.dtype(_DTYPES[dtype][0]).newbyteorder("<")).copy())
        else:
            raise ValueError(f"{path}: tensor {name!r} has dtype {dtype}, which PyTorch 1.13 cannot hold; convert it first")
        tensors[name] = t.reshape(info["shape"])
    return tensors, metadata


def write(path, tensors, metadata=None):
    """Writes dict name -> torch.Tensor (and str -> str metadata) as a safetensors file."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in _NAMES:
            raise ValueError(f"tensor {name!r} has dtype {t.dtype}, which this writer does not store; cast it to float32")
        if t.dtype == torch.bfloat16:
            data = (t.to(torch.float32).numpy().view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            data = t.numpy().astype(np.dtype(t.numpy().dtype).newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
