#!/usr/bin/env python3
"""Loads a VAE state dict written by the Java port into the real reference with load_state_dict(strict=True).

Write the file from Java with io.Safetensors.write(vae.stateDict(), metadata, path), then (from the repo root):

    PYTHONPATH=../shared/pytorch-anchor/shim:REF /usr/bin/python3 tools/golden/vae_load_check.py FILE \
        '{"embedding_channels": 3, "in_channels": 3, "out_channels": 2, "z_channels": 4, "channels": 8,
          "num_res_blocks": 1, "channel_multipliers": [1, 2], "norm_groups": 4, "norm_eps": 1e-6,
          "output_alpha_channel": true}' [SEED]

Prints the load result, whether the file lists the tensors in state_dict() order and, with SEED (the Java VAE built
with new Rng(SEED) and not trained), whether its weights are bit-identical to ldm_variational_autoencoder after
torch.manual_seed(SEED). Exits non-zero on any mismatch.
"""
import json
import struct
import sys

import numpy as np
import torch

from torchmultimodal.diffusion_labs.models.vae.vae import ldm_variational_autoencoder


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        data = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype="<f4").copy()
        tensors[name] = torch.from_numpy(data.reshape(entry["shape"]))
    return tensors, list(header.keys())


def main(path, config, seed=None):
    kwargs = json.loads(config)
    if "channel_multipliers" in kwargs:
        kwargs["channel_multipliers"] = tuple(kwargs["channel_multipliers"])
    tensors, order = read_safetensors(path)
    torch.manual_seed(0 if seed is None else int(seed))
    vae = ldm_variational_autoencoder(**kwargs)
    initial = {k: v.clone() for k, v in vae.state_dict().items()}
    result = vae.load_state_dict(tensors, strict=True)
    in_order = order == list(initial.keys())
    print(f"{path}: load_state_dict(strict=True): {result}; {len(order)} tensors; in state_dict() order: {in_order}")
    ok = in_order
    if seed is not None:
        identical = all(torch.equal(initial[k], tensors[k]) for k in initial)
        print(f"weights bit-identical to torch.manual_seed({seed}) initialisation: {identical}")
        ok = ok and identical
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(*sys.argv[1:])
