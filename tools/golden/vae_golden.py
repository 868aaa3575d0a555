#!/usr/bin/env python3
"""Writes the golden files of the VAE parity tests (diffusion-core, models.vae) from the real reference.

Needs PyTorch (Debian's torch 1.13 for /usr/bin/python3) and the reference source tree (the torchmultimodal folder
of facebookresearch/multimodal) on PYTHONPATH, plus the torch-2 compatibility shim (F.scaled_dot_product_attention).
Run from the repo root:

    PYTHONPATH=../shared/pytorch-anchor/shim:REF /usr/bin/python3 tools/golden/vae_golden.py \
        diffusion-core/src/test/resources/golden/vae

Deterministic (fixed seeds, one thread): re-running on the same build rewrites byte-identical files.

Model: ldm_variational_autoencoder(embedding_channels=3, in_channels=3, out_channels=2, z_channels=4, channels=8,
num_res_blocks=1, channel_multipliers=(1, 2), norm_groups=4, norm_eps=1e-6, output_alpha_channel=True), built after
torch.manual_seed(0); then every parameter gets + N(0, 0.02) noise from a torch.Generator seeded 20240601, in
named_parameters() order (so GroupNorm affines and biases are not at their trivial initial values).

Files (safetensors: F32, hand-written, header padded with spaces to a multiple of 8; JSON: golden README style):
  vae_state.safetensors    the perturbed state_dict (reference names)
  vae_inputs.safetensors   x [2,3,16,16] (rand*2-1), noise [2,3,8,8] (the posterior's epsilon), z [2,3,8,8] (randn),
                           h [2,4,3,3] (a hand-made encoder output with log-variances beyond both clamp bounds),
                           h_noise [2,2,3,3], h_weight [2,2,3,3]  (all from torch.Generator seed 777, in that order,
                           except h which is a fixed ramp)
  vae_outputs.safetensors  encode.mean / encode.stddev / encode.kl (elementwise KL to N(0, I)); decode (of z);
                           forward_mode.decoder_output (z = posterior mode); forward_sample.z and
                           forward_sample.decoder_output (z = mean + noise*std); grad.<param> for every parameter
                           and grad.x of loss = mse(forward_sample.decoder_output, x) + 0.1 * KL.sum() / batch;
                           posterior.{mean,stddev,kl,z} and posterior.grad_h for VariationalAutoencoder(Identity,
                           Identity).encode(h) with epsilon h_noise and loss sum(z * h_weight) + KL.sum();
                           dropout.decoder_output and dropout.grad.<param>: the same model built with dropout=0.1
                           (same weights), in training mode after torch.manual_seed(4242) (the res blocks' dropout
                           masks come from that generator, in forward order), forward with epsilon noise, the same
                           loss and its gradients
  vae_scalars.json         loss, mse, kl, config, ordered state_dict keys with shapes, meta
  MANIFEST.json            sizes and sha256 of the files above
"""
import hashlib
import json
import os
import struct
import sys

import torch
import torch.distributions.normal as normal_module
from torch import nn
from torch.distributions import Normal, kl_divergence
from torch.nn import functional as F

from torchmultimodal.diffusion_labs.models.vae.vae import VariationalAutoencoder, ldm_variational_autoencoder

CONFIG = dict(embedding_channels=3, in_channels=3, out_channels=2, z_channels=4, channels=8, num_res_blocks=1,
              channel_multipliers=(1, 2), dropout=0.0, norm_groups=4, norm_eps=1e-6, output_alpha_channel=True)
KL_WEIGHT = 0.1
FILES = ("vae_state.safetensors", "vae_inputs.safetensors", "vae_outputs.safetensors", "vae_scalars.json")


def write_safetensors(path, tensors, metadata):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class FixedNoise:
    """Stands in for torch.distributions.normal._standard_normal so rsample uses a given epsilon."""

    def __init__(self):
        self.noise = None

    def __call__(self, shape, dtype, device):
        assert tuple(shape) == tuple(self.noise.shape), (shape, self.noise.shape)
        return self.noise.clone()


def main(out_dir):
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    fixed = FixedNoise()
    normal_module._standard_normal = fixed

    torch.manual_seed(0)
    vae = ldm_variational_autoencoder(**CONFIG)
    g = torch.Generator().manual_seed(20240601)
    with torch.no_grad():
        for _, p in vae.named_parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.02)
    state = vae.state_dict()

    gi = torch.Generator().manual_seed(777)
    x = torch.rand(2, 3, 16, 16, generator=gi) * 2 - 1
    noise = torch.randn(2, 3, 8, 8, generator=gi)
    z = torch.randn(2, 3, 8, 8, generator=gi)
    h_noise = torch.randn(2, 2, 3, 3, generator=gi)
    h_weight = torch.randn(2, 2, 3, 3, generator=gi)
    h = torch.linspace(-45.0, 35.0, 72).reshape(2, 4, 3, 3)

    outputs = {}
    with torch.no_grad():
        posterior = vae.encode(x)
        outputs["encode.mean"] = posterior.mean
        outputs["encode.stddev"] = posterior.stddev
        outputs["encode.kl"] = kl_divergence(posterior, Normal(0.0, 1.0))
        outputs["decode"] = vae.decode(z)
        outputs["forward_mode.decoder_output"] = vae(x, sample_posterior=False).decoder_output

    # forward with the given epsilon, then the gradients of reconstruction + weighted KL
    xg = x.clone().requires_grad_(True)
    fixed.noise = noise
    out = vae(xg, sample_posterior=True)
    mse = F.mse_loss(out.decoder_output, xg)
    kl = kl_divergence(out.posterior, Normal(0.0, 1.0)).sum() / x.shape[0]
    loss = mse + KL_WEIGHT * kl
    vae.zero_grad()
    loss.backward()
    outputs["forward_sample.z"] = (out.posterior.mean + noise * out.posterior.stddev).detach()
    outputs["forward_sample.decoder_output"] = out.decoder_output.detach()
    for name, p in vae.named_parameters():
        outputs["grad." + name] = p.grad
    outputs["grad.x"] = xg.grad

    # the posterior alone (clamp of the log-variance on both sides, and its gradient)
    hg = h.clone().requires_grad_(True)
    fixed.noise = h_noise
    bare = VariationalAutoencoder(nn.Identity(), nn.Identity())
    post = bare.encode(hg)
    zp = post.rsample()
    kl_h = kl_divergence(post, Normal(0.0, 1.0))
    ((zp * h_weight).sum() + kl_h.sum()).backward()
    outputs["posterior.mean"] = post.mean.detach()
    outputs["posterior.stddev"] = post.stddev.detach()
    outputs["posterior.kl"] = kl_h.detach()
    outputs["posterior.z"] = zp.detach()
    outputs["posterior.grad_h"] = hg.grad

    # the same weights with dropout 0.1 in every res block, masks from the global generator seeded 4242
    drop_config = dict(CONFIG, dropout=0.1)
    torch.manual_seed(0)
    vae_drop = ldm_variational_autoencoder(**drop_config)
    vae_drop.load_state_dict(state, strict=True)
    vae_drop.train()
    torch.manual_seed(4242)
    fixed.noise = noise
    out_d = vae_drop(x, sample_posterior=True)
    loss_d = F.mse_loss(out_d.decoder_output, x) + KL_WEIGHT * kl_divergence(out_d.posterior, Normal(0.0, 1.0)).sum() / x.shape[0]
    loss_d.backward()
    outputs["dropout.decoder_output"] = out_d.decoder_output.detach()
    for name, p in vae_drop.named_parameters():
        outputs["dropout.grad." + name] = p.grad

    meta = {"torch": torch.__version__, "threads": "1", "generator": "tools/golden/vae_golden.py"}
    write_safetensors(os.path.join(out_dir, "vae_state.safetensors"), state, meta)
    write_safetensors(os.path.join(out_dir, "vae_inputs.safetensors"),
                      {"x": x, "noise": noise, "z": z, "h": h, "h_noise": h_noise, "h_weight": h_weight}, meta)
    write_safetensors(os.path.join(out_dir, "vae_outputs.safetensors"), outputs, meta)
    scalars = {
        "meta": meta,
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in CONFIG.items()},
        "kl_weight": KL_WEIGHT,
        "loss": loss.item(),
        "mse": mse.item(),
        "kl": kl.item(),
        "dropout": {"p": 0.1, "seed": 4242, "loss": loss_d.item()},
        "state_dict": [[k, list(v.shape)] for k, v in state.items()],
        "parameter_count": sum(p.numel() for p in vae.parameters()),
    }
    with open(os.path.join(out_dir, "vae_scalars.json"), "w") as f:
        json.dump(scalars, f, indent=1)
        f.write("\n")
    manifest = {}
    for name in sorted(FILES):
        data = open(os.path.join(out_dir, name), "rb").read()
        manifest[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(os.path.join(out_dir, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
