#!/usr/bin/env python3
"""Parity fixtures for the animation network: the PyTorch mirror (zoetrope_model.py) on the tiny configuration.

Writes Tests/EngineTests/Fixtures/animator_tiny.safetensors (the weights, with the configuration in the metadata, as
Zoetrope writes checkpoints) and animator_tiny_io.safetensors (inputs, the UNet's v-prediction, and the gradient of
sum(v * gy) for every parameter). Computed in float64 from float32 weights and inputs. The zero-initialised
projections get random values first, so every branch contributes. Run: `python tools/torch/make_model_fixtures.py`.
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(__file__))
from zoetrope_model import TINY, AnimatorNetwork  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures")

torch.manual_seed(2026)
net = AnimatorNetwork(TINY)
with torch.no_grad():
    for name, p in net.named_parameters():
        if name.endswith("projOut.weight") or name.endswith("projOut.bias") or ".zero." in name:
            p.copy_(torch.randn_like(p) * 0.1)
weights = {k: v.detach().float().contiguous() for k, v in net.state_dict().items()}
save_file(weights, os.path.join(FIXTURES, "animator_tiny.safetensors"), metadata=net.metadata())

clips, frames, size = 2, TINY["frameWindow"], TINY["imageSize"]
x = torch.randn(clips * frames, 3, size, size)
ref_image = torch.randn(clips, 3, size, size)
conditions = torch.randn(clips * frames, TINY["conditionChannels"], size, size)
timesteps = torch.tensor([100.0] * frames + [700.0] * frames)
ids = torch.tensor([[2, 3, 0, 0], [2, 4, 5, 0]])  # "smiling", "warm light" with the tokenizer's ids
gy = torch.randn(clips * frames, 3, size, size)

net = net.double()
reference = {l: t.repeat_interleave(frames, dim=0) for l, t in net.reference(ref_image.double()).items()}
prompt = net.prompt(ids).repeat_interleave(frames, dim=0)
guidance = net.guidance(conditions.double())
v = net.unet(x.double(), timesteps.double(), frames, reference, prompt, guidance)
(v * gy.double()).sum().backward()

io = {"x": x, "ref_image": ref_image, "conditions": conditions, "timesteps": timesteps, "gy": gy,
      "ids": ids.float(), "v": v.detach().float()}
for name, p in net.named_parameters():
    if p.grad is not None:
        io["grad." + name] = p.grad.float().contiguous()
save_file({k: t.contiguous() for k, t in io.items()}, os.path.join(FIXTURES, "animator_tiny_io.safetensors"),
          metadata={"frames": str(frames), "torch": torch.__version__})
print(f"wrote {len(weights)} weights, {len(io)} io tensors; |v| max {v.abs().max().item():.4f}")
