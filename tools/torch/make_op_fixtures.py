#!/usr/bin/env python3
"""PyTorch reference values for every engine operation, forward and backward.

Writes Tests/EngineTests/Fixtures/ops.safetensors: for case `<op>.<n>` the tensors `<op>.<n>.in.<name>` (inputs,
float32), `<op>.<n>.gy` (upstream gradient), `<op>.<n>.y` (output) and `<op>.<n>.grad.<name>` (gradient of
sum(y * gy) with respect to each input). Metadata "cases" is a JSON list of {"key", "op", "params", "inputs"}.
References are computed in float64 from the float32 inputs. Run: `python tools/torch/make_op_fixtures.py`
(`make parity` does it, then runs the Swift tests against the fresh file).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures", "ops.safetensors")
tensors = {}
cases = []
counter = {}


def rnd(*shape, scale=1.0, positive=False):
    t = torch.randn(*shape, dtype=torch.float32) * scale
    return t.abs() + 0.1 if positive else t


def case(op, params, inputs, fn):
    """inputs: dict name -> float32 tensor (all differentiable). fn(params, **inputs as float64) -> output."""
    n = counter.get(op, 0)
    counter[op] = n + 1
    key = f"{op}.{n}"
    xs = {k: v.to(torch.float64).requires_grad_(True) for k, v in inputs.items()}
    y = fn(**xs)
    gy = torch.randn(y.shape, dtype=torch.float32)
    grads = torch.autograd.grad(y, list(xs.values()), grad_outputs=gy.to(torch.float64), allow_unused=True)
    for k, v in inputs.items():
        tensors[f"{key}.in.{k}"] = v.contiguous()
    tensors[f"{key}.gy"] = gy.contiguous() if gy.dim() > 0 else gy.reshape(1)
    tensors[f"{key}.y"] = y.detach().to(torch.float32).contiguous().reshape(y.shape if y.dim() > 0 else (1,))
    for k, g in zip(xs.keys(), grads):
        if g is None:
            g = torch.zeros_like(xs[k])
        tensors[f"{key}.grad.{k}"] = g.to(torch.float32).contiguous()
    cases.append({"key": key, "op": op, "params": params, "inputs": list(inputs.keys())})


# linear: x [..., in], w [out, in], b [out]
for xs, out, bias in [((2, 3, 5), 4, True), ((1, 1, 7), 1, True), ((4, 16), 8, False), ((3, 1), 6, True)]:
    ins = {"x": rnd(*xs), "w": rnd(out, xs[-1], scale=0.3)}
    if bias:
        ins["b"] = rnd(out)
    case("linear", {}, ins, lambda x, w, b=None: F.linear(x, w, b))

# conv2d: x [B, C, H, W], w [Co, C, kh, kw]
for xs, ws, stride, pad, bias in [((2, 3, 7, 5), (4, 3, 3, 3), 1, 1, True), ((1, 1, 6, 6), (2, 1, 1, 1), 1, 0, True),
                                   ((2, 4, 9, 8), (3, 4, 3, 3), 2, 1, True), ((3, 2, 5, 7), (5, 2, 2, 3), 1, 0, False),
                                   ((2, 5, 4, 4), (6, 5, 1, 1), 1, 0, False), ((1, 2, 8, 6), (2, 2, 4, 4), 2, 1, True)]:
    ins = {"x": rnd(*xs), "w": rnd(*ws, scale=0.3)}
    if bias:
        ins["b"] = rnd(ws[0])
    case("conv2d", {"stride": stride, "padding": pad}, ins,
         lambda x, w, b=None, s=stride, p=pad: F.conv2d(x, w, b, stride=s, padding=p))

# group norm: x [B, C, ...]
for xs, groups in [((2, 6, 7, 5), 3), ((1, 4, 3, 3), 4), ((2, 8, 4, 4), 1), ((3, 1, 5, 7), 1), ((2, 4, 5), 2)]:
    c = xs[1]
    ins = {"x": rnd(*xs, scale=2.0) + 0.5, "w": rnd(c), "b": rnd(c)}
    case("group_norm", {"groups": groups}, ins, lambda x, w, b, g=groups: F.group_norm(x, g, w, b, eps=1e-5))

# layer norm over the last dim
for xs in [(2, 3, 8), (1, 1, 5), (4, 16), (3, 1)]:
    ins = {"x": rnd(*xs, scale=2.0) + 0.3, "w": rnd(xs[-1]), "b": rnd(xs[-1])}
    case("layer_norm", {}, ins, lambda x, w, b: F.layer_norm(x, (x.shape[-1],), w, b, eps=1e-5))

for xs in [(2, 3, 7, 5), (1,), (5, 9)]:
    case("silu", {}, {"x": rnd(*xs, scale=3.0)}, lambda x: F.silu(x))
    case("gelu", {}, {"x": rnd(*xs, scale=3.0)}, lambda x: F.gelu(x))
    case("sigmoid", {}, {"x": rnd(*xs, scale=3.0)}, lambda x: torch.sigmoid(x))

for xs in [(2, 3, 7), (1, 1), (4, 33)]:
    case("softmax", {}, {"x": rnd(*xs, scale=3.0)}, lambda x: torch.softmax(x, -1))


def sdpa(q, k, v, heads):
    """q [B, Lq, H*d] -> heads split the channel dim, as the engine does."""
    b, lq, cq = q.shape
    lk, cv = k.shape[1], v.shape[2]
    qh = q.reshape(b, lq, heads, cq // heads).transpose(1, 2)
    kh = k.reshape(b, lk, heads, cq // heads).transpose(1, 2)
    vh = v.reshape(b, lk, heads, cv // heads).transpose(1, 2)
    o = F.scaled_dot_product_attention(qh, kh, vh)
    return o.transpose(1, 2).reshape(b, lq, cv)


# attention core: (B, Lq, Lk, heads, d, dv)
for b, lq, lk, h, d, dv in [(2, 12, 12, 2, 4, 4), (2, 9, 5, 2, 8, 8), (6, 4, 4, 1, 8, 8), (3, 1, 1, 2, 3, 3),
                            (1, 7, 14, 3, 5, 2), (1, 40, 40, 1, 16, 16), (2, 16, 16, 2, 32, 32), (1, 5, 17, 1, 8, 8),
                            (2, 3, 16, 1, 130, 129)]:
    ins = {"q": rnd(b, lq, h * d), "k": rnd(b, lk, h * d), "v": rnd(b, lk, h * dv)}
    case("attention", {"heads": h}, ins, lambda q, k, v, h=h: sdpa(q, k, v, h))

# attention forms as the model uses them (projections left out: they are `linear`).
# Spatial self-attention: tokens [N*F, L, C] attend to themselves.
for bf, l, c, h in [(4, 6, 8, 2), (2, 35, 4, 1), (1, 1, 6, 3)]:
    case("attn_spatial", {"heads": h}, {"x": rnd(bf, l, c)}, lambda x, h=h: sdpa(x, x, x, h))
# Reference form: keys/values = concat(frame tokens, reference tokens repeated over the F frames).
for n, f, l, lr, c, h in [(1, 3, 5, 4, 8, 2), (2, 2, 6, 6, 4, 1), (1, 1, 1, 3, 6, 3)]:
    def ref_form(x, ref, f=f, h=h):
        kv = torch.cat([x, ref.repeat_interleave(f, dim=0)], dim=1)
        return sdpa(x, kv, kv, h)
    case("attn_reference", {"heads": h, "frames": f}, {"x": rnd(n * f, l, c), "ref": rnd(n, lr, c)}, ref_form)
# Cross-attention: frame tokens attend to prompt tokens [N, T, C] shared by the F frames.
for n, f, l, t, c, h in [(1, 3, 5, 4, 8, 2), (2, 2, 6, 1, 4, 1), (1, 4, 9, 7, 6, 3)]:
    def cross_form(x, tokens, f=f, h=h):
        kv = tokens.repeat_interleave(f, dim=0)
        return sdpa(x, kv, kv, h)
    case("attn_cross", {"heads": h, "frames": f}, {"x": rnd(n * f, l, c), "tokens": rnd(n, t, c)}, cross_form)
# Temporal attention: clip [N, F, C, H, W]; at each position the F frames attend to each other.
for n, f, c, hh, ww, h in [(1, 4, 4, 3, 2, 2), (2, 3, 6, 2, 2, 3), (1, 1, 2, 5, 7, 1), (1, 8, 8, 4, 4, 2)]:
    def temporal_form(x, h=h):
        n_, f_, c_, hh_, ww_ = x.shape
        tok = x.permute(0, 3, 4, 1, 2).reshape(n_ * hh_ * ww_, f_, c_)
        o = sdpa(tok, tok, tok, h)
        return o.reshape(n_, hh_, ww_, f_, c_).permute(0, 3, 4, 1, 2)
    case("attn_temporal", {"heads": h}, {"x": rnd(n, f, c, hh, ww)}, temporal_form)

for xs, fct in [((2, 3, 7, 5), 2), ((1, 1, 1, 1), 3), ((1, 2, 4, 3), 2)]:
    case("upsample", {"factor": fct}, {"x": rnd(*xs)}, lambda x, s=fct: F.interpolate(x, scale_factor=s, mode="nearest"))
for xs, fct in [((2, 3, 8, 6), 2), ((1, 1, 7, 5), 2), ((1, 2, 9, 9), 3)]:
    case("avg_pool", {"factor": fct}, {"x": rnd(*xs)}, lambda x, s=fct: F.avg_pool2d(x, s))


def timestep_embedding(t, dim, flip, shift, max_period=10000.0):
    """diffusers.models.embeddings.get_timestep_embedding, written out (float64)."""
    half = dim // 2
    exponent = -torch.log(torch.tensor(max_period, dtype=torch.float64)) * torch.arange(half, dtype=torch.float64)
    exponent = exponent / (half - shift)
    emb = t[:, None] * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    return emb


for n, dim, flip, shift in [(3, 8, True, 0.0), (1, 32, False, 1.0), (5, 6, True, 0.0)]:
    t = torch.rand(n) * 1000
    case("timestep_embedding", {"dim": dim, "flip": flip, "shift": shift}, {"t": t},
         lambda t, dim=dim, flip=flip, shift=shift: timestep_embedding(t, dim, flip, shift))

for a, b in [((2, 3, 4, 5), (3, 1, 1)), ((2, 5), (5,)), ((1,), (1,)), ((3, 4), (3, 4))]:
    case("add", {}, {"a": rnd(*a), "b": rnd(*b)}, lambda a, b: a + b)
    case("sub", {}, {"a": rnd(*a), "b": rnd(*b)}, lambda a, b: a - b)
    case("mul", {}, {"a": rnd(*a), "b": rnd(*b)}, lambda a, b: a * b)
for shapes, axis in [([(2, 3, 4), (2, 1, 4)], 1), ([(1, 5), (3, 5), (2, 5)], 0), ([(2, 2, 3), (2, 2, 1)], 2)]:
    ins = {f"x{i}": rnd(*s) for i, s in enumerate(shapes)}
    case("concat", {"axis": axis}, ins, lambda axis=axis, **xs: torch.cat(list(xs.values()), dim=axis))
for xs, sizes, axis in [((2, 5, 3), [2, 3], 1), ((4, 2), [1, 1, 2], 0), ((3, 1, 6), [6], 2)]:
    # the split pieces are concatenated back after scaling each by (i+1), so every piece's gradient is distinct
    case("split", {"sizes": sizes, "axis": axis}, {"x": rnd(*xs)},
         lambda x, sizes=sizes, axis=axis: torch.cat([p * (i + 1) for i, p in enumerate(torch.split(x, sizes, dim=axis))], dim=axis))
for xs, dims in [((2, 3, 4, 5), [0, 2, 3, 1]), ((3, 1, 2), [2, 1, 0]), ((1, 4, 3, 2, 2), [0, 3, 4, 1, 2])]:
    case("permute", {"dims": dims}, {"x": rnd(*xs)}, lambda x, dims=dims: x.permute(*dims))
for xs, shape in [((2, 3, 4), [6, 4]), ((5,), [1, 5, 1]), ((2, 6), [3, -1])]:
    case("reshape", {"shape": shape}, {"x": rnd(*xs)}, lambda x, shape=shape: x.reshape(*shape) * 2)
for xs, axis in [((2, 3, 4), 1), ((5,), 0), ((2, 3, 1), 2)]:
    case("sum_axis", {"axis": axis}, {"x": rnd(*xs)}, lambda x, axis=axis: x.sum(dim=axis))
    case("mean_axis", {"axis": axis}, {"x": rnd(*xs)}, lambda x, axis=axis: x.mean(dim=axis))
for xs in [(2, 3, 4), (1,), (7, 5)]:
    case("sum", {}, {"x": rnd(*xs)}, lambda x: x.sum())
    case("mean", {}, {"x": rnd(*xs)}, lambda x: x.mean())
    case("mse", {}, {"a": rnd(*xs), "b": rnd(*xs)}, lambda a, b: F.mse_loss(a, b))
for xs, ms in [((2, 3, 7, 5), (2, 1, 7, 5)), ((1, 1, 3, 3), (1, 1, 3, 3)), ((4, 6), (4, 6))]:
    mask = (torch.rand(*ms) > 0.5).to(torch.float32)
    case("masked_mean", {}, {"x": rnd(*xs), "mask": mask},
         lambda x, mask: (x * mask).sum() / (mask.expand_as(x).sum()).clamp_min(1e-6))
for xs in [(2, 6, 8), (1, 1, 3), (5, 16)]:
    case("neg_cosine", {}, {"a": rnd(*xs), "b": rnd(*xs)},
         lambda a, b: -F.cosine_similarity(a, b, dim=-1, eps=1e-8).mean())

os.makedirs(os.path.dirname(OUT), exist_ok=True)
save_file(tensors, OUT, metadata={"cases": json.dumps(cases), "torch": torch.__version__})
print(f"wrote {OUT}: {len(cases)} cases, {len(tensors)} tensors, {os.path.getsize(OUT)} bytes", file=sys.stderr)
