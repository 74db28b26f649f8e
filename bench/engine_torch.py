#!/usr/bin/env python3
"""PyTorch CPU counterpart of `zoetrope bench engine`: the same operations on the same shapes and thread count.

Prints `name pass ms` lines (best of --repeats; bwd times the backward call alone, as the Swift side does).
Run by `zoetrope bench engine`, or alone: `python bench/engine_torch.py --threads 2`.
"""
import argparse
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--only", default="")
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads")


def sdpa(q, k, v, heads):
    b, lq, c = q.shape
    lk = k.shape[1]
    qh = q.reshape(b, lq, heads, c // heads).transpose(1, 2)
    kh = k.reshape(b, lk, heads, c // heads).transpose(1, 2)
    vh = v.reshape(b, lk, heads, c // heads).transpose(1, 2)
    return F.scaled_dot_product_attention(qh, kh, vh).transpose(1, 2).reshape(b, lq, c)


def conv(b, c, co, hw, k):
    return ([torch.randn(b, c, hw, hw), torch.randn(co, c, k, k) * 0.05, torch.randn(co)],
            lambda x, w, bias: F.conv2d(x, w, bias, padding=k // 2))


def attn(b, lq, lk, c, heads):
    return ([torch.randn(b, lq, c), torch.randn(b, lk, c), torch.randn(b, lk, c)],
            lambda q, k, v: sdpa(q, k, v, heads))


CASES = {
    "conv3x3_64px_c64": lambda: conv(16, 64, 64, 64, 3),
    "conv3x3_32px_c128": lambda: conv(16, 128, 128, 32, 3),
    "conv3x3_16px_c256": lambda: conv(16, 256, 256, 16, 3),
    "conv3x3_model_8px_c128": lambda: conv(32, 128, 128, 8, 3),
    "conv1x1_32px_c128": lambda: conv(16, 128, 128, 32, 1),
    "linear_16px_c256": lambda: ([torch.randn(16, 256, 256), torch.randn(256, 256) * 0.05, torch.randn(256)], F.linear),
    "attn_spatial_32px_c128": lambda: attn(16, 1024, 1024, 128, 4),
    "attn_spatial_16px_c256": lambda: attn(16, 256, 256, 256, 8),
    "attn_reference_16px_c256": lambda: attn(16, 256, 512, 256, 8),
    "attn_cross_16px_c256": lambda: attn(16, 256, 16, 256, 8),
    "attn_temporal_32px_c128": lambda: attn(1024, 16, 16, 128, 4),
    "attn_model_ref16_c64": lambda: attn(32, 256, 512, 64, 4),
    "attn_model_ref8_c128": lambda: attn(32, 64, 128, 128, 4),
    "groupnorm_64px_c64": lambda: ([torch.randn(16, 64, 64, 64), torch.randn(64), torch.randn(64)],
                                   lambda x, w, b: F.group_norm(x, 32, w, b)),
    "groupnorm_32px_c128": lambda: ([torch.randn(16, 128, 32, 32), torch.randn(128), torch.randn(128)],
                                    lambda x, w, b: F.group_norm(x, 32, w, b)),
    "layernorm_16px_c256": lambda: ([torch.randn(16, 256, 256), torch.randn(256), torch.randn(256)],
                                    lambda x, w, b: F.layer_norm(x, (256,), w, b)),
    "silu_64px_c64": lambda: ([torch.randn(16, 64, 64, 64)], F.silu),
    "gelu_16px_c1024": lambda: ([torch.randn(16, 256, 1024)], F.gelu),
    "softmax_rows1024": lambda: ([torch.randn(8, 1024, 1024)], lambda x: torch.softmax(x, -1)),
    "upsample2x_32px_c128": lambda: ([torch.randn(16, 128, 32, 32)], lambda x: F.interpolate(x, scale_factor=2, mode="nearest")),
    "avgpool2x_64px_c64": lambda: ([torch.randn(16, 64, 64, 64)], lambda x: F.avg_pool2d(x, 2)),
}


def best(fn, repeats):
    fn()
    t = float("inf")
    for _ in range(max(1, repeats)):
        s = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - s)
    return t * 1e3


only = [n for n in args.only.split(",") if n]
for name, make in CASES.items():
    if only and name not in only:
        continue
    inputs, fn = make()
    with torch.no_grad():
        fwd = best(lambda: fn(*inputs), args.repeats)
    # Backward alone: the forward pass that builds the graph is not timed.
    seed = None
    bwd = float("inf")
    for _ in range(max(1, args.repeats) + 1):
        leaves = [x.clone().requires_grad_(True) for x in inputs]
        y = fn(*leaves)
        if seed is None:
            seed = torch.randn_like(y)
        s = time.perf_counter()
        y.backward(seed)
        bwd = min(bwd, (time.perf_counter() - s) * 1e3)
    print(f"{name} fwd {fwd:.3f}")
    print(f"{name} bwd {bwd:.3f}")
