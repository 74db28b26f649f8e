#!/usr/bin/env python3
"""PyTorch mirror of Zoetrope's animation network (Sources/Engine/Model/).

The same architecture with the same parameter names, so `load_file(checkpoint)` fits `state_dict()` exactly. It is the
parity oracle for the Swift engine (tests compare full forwards and gradients), and the way to train at scale on GPUs
later (wrap `AnimatorNetwork` in DistributedDataParallel; the checkpoint format is the same safetensors file with the
configuration JSON in the metadata key "zoetrope.config").
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

ARCHITECTURE = "animator-unet-v1"


def timestep_embedding(t, dim, max_period=10000.0):
    """diffusers get_timestep_embedding(t, dim, flip_sin_to_cos=True, downscale_freq_shift=0)."""
    half = dim // 2
    dtype = t.dtype if t.is_floating_point() else torch.float32
    exponent = -math.log(max_period) * torch.arange(half, dtype=dtype, device=t.device) / half
    emb = t[:, None].to(dtype) * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, time_width, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(time_width, cout) if time_width > 0 else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time is not None and temb is not None:
            h = h + self.time(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.skip(x) if self.skip is not None else x) + h


class AttentionLayer(nn.Module):
    def __init__(self, width, context_width, heads):
        super().__init__()
        self.q = nn.Linear(width, width, bias=False)
        self.k = nn.Linear(context_width, width, bias=False)
        self.v = nn.Linear(context_width, width, bias=False)
        self.out = nn.Linear(width, width)
        self.heads = heads

    def forward(self, x, context):
        b, lq, c = x.shape
        lk = context.shape[1]
        h = self.heads
        q = self.q(x).view(b, lq, h, c // h).transpose(1, 2)
        k = self.k(context).view(b, lk, h, c // h).transpose(1, 2)
        v = self.v(context).view(b, lk, h, c // h).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v)
        return self.out(y.transpose(1, 2).reshape(b, lq, c))


class SpatialTransformer(nn.Module):
    def __init__(self, width, prompt_width, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, width, eps=1e-5)
        self.projIn = nn.Linear(width, width)
        self.ln1 = nn.LayerNorm(width)
        self.attn1 = AttentionLayer(width, width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.attn2 = AttentionLayer(width, prompt_width, heads)
        self.ln3 = nn.LayerNorm(width)
        self.ff1 = nn.Linear(width, 2 * width)
        self.ff2 = nn.Linear(2 * width, width)
        self.projOut = nn.Linear(width, width)

    def forward(self, x, reference, prompt):
        bf, c, h, w = x.shape
        t = self.projIn(self.norm(x).reshape(bf, c, h * w).permute(0, 2, 1))
        n1 = self.ln1(t)
        context = torch.cat([n1, reference], dim=1) if reference is not None else n1
        t = t + self.attn1(n1, context)
        t = t + self.attn2(self.ln2(t), prompt)
        t = t + self.ff2(F.gelu(self.ff1(self.ln3(t))))
        return x + self.projOut(t).permute(0, 2, 1).reshape(bf, c, h, w)


class TemporalTransformer(nn.Module):
    def __init__(self, width, heads, groups, max_frames):
        super().__init__()
        self.norm = nn.GroupNorm(groups, width, eps=1e-5)
        self.projIn = nn.Linear(width, width)
        self.ln = nn.LayerNorm(width)
        self.attn = AttentionLayer(width, width, heads)
        self.projOut = nn.Linear(width, width)
        nn.init.zeros_(self.projOut.weight)
        nn.init.zeros_(self.projOut.bias)
        self.register_buffer("positions", timestep_embedding(torch.arange(max_frames), width)[None], persistent=False)

    def forward(self, x, frames):
        bf, c, h, w = x.shape
        b = bf // frames
        t = self.norm(x).reshape(b, frames, c, h * w).permute(0, 3, 1, 2).reshape(b * h * w, frames, c)
        t = self.projIn(t) + self.positions[:, :frames]
        n = self.ln(t)
        t = t + self.attn(n, n)
        y = self.projOut(t).reshape(b, h * w, frames, c).permute(0, 2, 3, 1).reshape(bf, c, h, w)
        return x + y


class Level(nn.Module):
    """A container whose attributes become one dotted level (`down.0.res...`)."""


def spatial_attention_levels(cfg):
    return sorted(set(cfg["attentionLevels"] + [len(cfg["channels"]) - 1]))


class AnimatorUNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, g = cfg["channels"], cfg["normGroups"]
        last = len(ch) - 1
        tw = 4 * ch[0]
        self.cfg = cfg
        self.time = Level()
        self.time.lin1 = nn.Linear(ch[0], tw)
        self.time.lin2 = nn.Linear(tw, tw)
        self.patch = p = cfg.get("patchSize", 1)
        self.convIn = nn.Conv2d(3 * p * p, ch[0], 3, padding=1)
        heads, pw, window = cfg["heads"], cfg["promptWidth"], cfg["frameWindow"]
        temporal_on = cfg.get("hasTemporal", True)

        def spatial(l):
            return SpatialTransformer(ch[l], pw, heads, g) if l in cfg["attentionLevels"] else None

        def temporal(l):
            return TemporalTransformer(ch[l], heads, g, window) if temporal_on and l in cfg["temporalLevels"] else None

        self.down = nn.ModuleList()
        for l in range(last + 1):
            lv = Level()
            if l > 0:
                lv.down = nn.Conv2d(ch[l - 1], ch[l], 3, stride=2, padding=1)
            lv.res = ResBlock(ch[l], ch[l], tw, g)
            a, t = spatial(l), temporal(l)
            if a is not None:
                lv.attn = a
            if t is not None:
                lv.temporal = t
            self.down.append(lv)
        self.mid = Level()
        self.mid.res1 = ResBlock(ch[last], ch[last], tw, g)
        self.mid.attn = SpatialTransformer(ch[last], pw, heads, g)
        if temporal_on:
            self.mid.temporal = TemporalTransformer(ch[last], heads, g, window)
        self.mid.res2 = ResBlock(ch[last], ch[last], tw, g)
        self.up = nn.ModuleList()
        for l in range(last + 1):
            lv = Level()
            lv.res = ResBlock(2 * ch[l], ch[l], tw, g)
            a, t = spatial(l), temporal(l)
            if a is not None:
                lv.attn = a
            if t is not None:
                lv.temporal = t
            if l > 0:
                lv.upConv = nn.Conv2d(ch[l], ch[l - 1], 3, padding=1)
            self.up.append(lv)
        self.normOut = nn.GroupNorm(g, ch[0], eps=1e-5)
        self.convOut = nn.Conv2d(ch[0], 3 * p * p, 3, padding=1)

    def forward(self, x, timesteps, frames, reference, prompt, guidance):
        last = len(self.cfg["channels"]) - 1
        temb = self.time.lin2(F.silu(self.time.lin1(timestep_embedding(timesteps, self.cfg["channels"][0]))))
        h = self.convIn(F.pixel_unshuffle(x, self.patch))
        skips = []
        for l, lv in enumerate(self.down):
            if hasattr(lv, "down"):
                h = lv.down(h)
            h = lv.res(h, temb)
            if hasattr(lv, "attn"):
                h = lv.attn(h, reference.get(l) if reference else None, prompt)
            if hasattr(lv, "temporal"):
                h = lv.temporal(h, frames)
            if guidance is not None:
                h = h + guidance[l]
            skips.append(h)
        h = self.mid.res1(h, temb)
        h = self.mid.attn(h, reference.get(last) if reference else None, prompt)
        if hasattr(self.mid, "temporal"):
            h = self.mid.temporal(h, frames)
        h = self.mid.res2(h, temb)
        for l in range(last, -1, -1):
            lv = self.up[l]
            h = lv.res(torch.cat([h, skips[l]], dim=1), temb)
            if hasattr(lv, "attn"):
                h = lv.attn(h, reference.get(l) if reference else None, prompt)
            if hasattr(lv, "temporal"):
                h = lv.temporal(h, frames)
            if hasattr(lv, "upConv"):
                h = lv.upConv(F.interpolate(h, scale_factor=2, mode="nearest"))
        return F.pixel_shuffle(self.convOut(F.silu(self.normOut(h))), self.patch)


class ReferenceEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, g = cfg["channels"], cfg["normGroups"]
        self.patch = p = cfg.get("patchSize", 1)
        self.convIn = nn.Conv2d(3 * p * p, ch[0], 3, padding=1)
        self.levels = nn.ModuleList()
        for l in range(len(ch)):
            lv = Level()
            if l > 0:
                lv.down = nn.Conv2d(ch[l - 1], ch[l], 3, stride=2, padding=1)
            lv.res = ResBlock(ch[l], ch[l], 0, g)
            self.levels.append(lv)
        self.norms = nn.ModuleDict({str(l): nn.LayerNorm(ch[l]) for l in spatial_attention_levels(cfg)})

    def forward(self, image):
        h = self.convIn(F.pixel_unshuffle(image, self.patch))
        out = {}
        for l, lv in enumerate(self.levels):
            if hasattr(lv, "down"):
                h = lv.down(h)
            h = lv.res(h, None)
            if str(l) in self.norms:
                b, c, hh, ww = h.shape
                out[l] = self.norms[str(l)](h.reshape(b, c, hh * ww).permute(0, 2, 1))
        return out


class GuidanceEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        widths = [max(16, c // 2) for c in cfg["channels"]]
        self.patch = p = cfg.get("patchSize", 1)
        self.convIn = nn.Conv2d(cfg["conditionChannels"] * p * p, widths[0], 3, padding=1)
        self.levels = nn.ModuleList()
        for l, w in enumerate(widths):
            lv = Level()
            lv.conv = nn.Conv2d(widths[0] if l == 0 else widths[l - 1], w, 3, stride=1 if l == 0 else 2, padding=1)
            lv.zero = nn.Conv2d(w, cfg["channels"][l], 1)
            nn.init.zeros_(lv.zero.weight)
            nn.init.zeros_(lv.zero.bias)
            self.levels.append(lv)

    def forward(self, conditions):
        h = F.silu(self.convIn(F.pixel_unshuffle(conditions, self.patch)))
        out = []
        for lv in self.levels:
            h = F.silu(lv.conv(h))
            out.append(lv.zero(h))
        return out


class EncoderLayer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = AttentionLayer(width, width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.ff1 = nn.Linear(width, 2 * width)
        self.ff2 = nn.Linear(2 * width, width)

    def forward(self, x):
        n = self.ln1(x)
        h = x + self.attn(n, n)
        return h + self.ff2(F.gelu(self.ff1(self.ln2(h))))


class PromptEncoder(nn.Module):
    PAD, UNKNOWN, START, FIRST_WORD = 0, 1, 2, 3

    def __init__(self, cfg):
        super().__init__()
        words = []
        for w in cfg["vocabulary"]:
            w = w.lower()
            if w and w not in words:
                words.append(w)
        self.words = words
        d = cfg["promptWidth"]
        self.tokens = nn.Parameter(torch.randn(len(words) + self.FIRST_WORD, d) * 0.02)
        self.positions = nn.Parameter(torch.randn(cfg["promptLength"], d) * 0.02)
        self.layers = nn.ModuleList([EncoderLayer(d, cfg["heads"]) for _ in range(cfg["promptLayers"])])
        self.norm = nn.LayerNorm(d)

    def forward(self, ids):
        h = F.embedding(ids, self.tokens) + self.positions[None]
        for layer in self.layers:
            h = layer(h)
        return self.norm(h)


class AnimatorNetwork(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.unet = AnimatorUNet(cfg)
        self.reference = ReferenceEncoder(cfg)
        self.guidance = GuidanceEncoder(cfg)
        self.prompt = PromptEncoder(cfg)

    def metadata(self):
        return {"zoetrope.architecture": ARCHITECTURE, "zoetrope.config": json.dumps(self.config, sort_keys=True)}


TINY = {
    "imageSize": 16, "patchSize": 2, "channels": [8, 16], "attentionLevels": [1], "temporalLevels": [1], "heads": 2, "normGroups": 4,
    "frameWindow": 4, "conditionChannels": 6, "promptWidth": 8, "promptLayers": 1, "promptLength": 4,
    "vocabulary": ["smiling", "warm", "light"], "hasTemporal": True,
}
