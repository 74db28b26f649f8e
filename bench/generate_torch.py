#!/usr/bin/env python3
"""PyTorch counterpart of `zoetrope bench generate`: the UNet forward of the PyTorch mirror (tools/torch/zoetrope_model.py)
on the same weights and the same batch as Zoetrope's, with the same thread count.

The network is built from the checkpoint's own configuration (metadata "zoetrope.config") and loaded strictly, so
whatever architecture the checkpoint describes is what is timed. The batch file holds the UNet inputs exactly as
Zoetrope laid them out (x, timesteps, prompt tokens, reference tokens per level, guidance residuals per level) and
Zoetrope's output `v`, which this script compares with its own.

Prints `key value` lines: torch, threads, forward_ms (best of --repeats after one warm-up), max_rel_diff, peak_rss_mb.
Run by `zoetrope bench generate`; alone: `python bench/generate_torch.py --checkpoint M --batch B --threads 2`.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
from safetensors import safe_open
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "torch"))
from zoetrope_model import AnimatorNetwork  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--checkpoint", required=True)
ap.add_argument("--batch", required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--repeats", type=int, default=3)
args = ap.parse_args()
torch.set_num_threads(args.threads)

with safe_open(args.checkpoint, "pt") as f:
    config = json.loads(f.metadata()["zoetrope.config"])
net = AnimatorNetwork(config)
net.load_state_dict(load_file(args.checkpoint), strict=True)
net.eval()

with safe_open(args.batch, "pt") as f:
    frames = int(f.metadata()["frames"])
batch = load_file(args.batch)
x, timesteps, prompt, v_zoetrope = batch["x"], batch["timesteps"], batch["prompt"], batch["v"]
reference = {int(k.split(".", 1)[1]): t for k, t in batch.items() if k.startswith("reference.")}
guidance = [batch[f"guidance.{i}"] for i in range(sum(k.startswith("guidance.") for k in batch))]


def forward():
    return net.unet(x, timesteps, frames, reference, prompt, guidance)


best = float("inf")
with torch.inference_mode():
    v = forward()  # warm-up
    for _ in range(max(1, args.repeats)):
        start = time.perf_counter()
        v = forward()
        best = min(best, time.perf_counter() - start)

scale = v.abs().max().clamp_min(1e-30)
print(f"torch {torch.__version__}")
print(f"threads {torch.get_num_threads()}")
print(f"forward_ms {best * 1e3:.3f}")
print(f"max_rel_diff {((v - v_zoetrope).abs().max() / scale).item():.3e}")
print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
