#!/usr/bin/env python3
"""A safetensors file written by Python's `safetensors` package, for the engine's interoperability test.

Writes Tests/EngineTests/Fixtures/interop.safetensors. The tensors follow closed formulas the Swift test recomputes:
`v[i] = (i - n/2) * 0.37 + 0.001 * i*i` in float32, stored as F32, F16 and BF16 (rounded by PyTorch), plus one
metadata entry. The Swift writer must reproduce this file byte for byte from the same values.
Run: `python tools/torch/make_safetensors_fixture.py`.
"""
import json
import os

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures", "interop.safetensors")


def values(shape):
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.float32)
    return ((i - n / 2) * 0.37 + 0.001 * i * i).reshape(shape)


tensors = {
    "down.0.res.1.norm1.weight": values((5,)),
    "down.0.conv.weight": values((4, 3, 3, 3)),
    "mid.attn.to_q.weight": values((6, 7)).to(torch.float16),
    "up.1.proj.bias": values((3,)).to(torch.bfloat16),
    "scalar": values(()),
    "empty": values((0, 4)),
    "big.bf16": values((2, 33)).to(torch.bfloat16),
}
config = {"channels": [32, 64], "attention": True, "name": "tiny \"quoted\" ü"}
save_file(tensors, OUT, metadata={"zoetrope.config": json.dumps(config)})
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
