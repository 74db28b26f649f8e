#!/usr/bin/env python3
"""PyTorch reference for the engine's training utilities: AdamW steps with gradient clipping, and the diffusers
learning-rate schedules.

Writes Tests/EngineTests/Fixtures/optim.safetensors: `p{i}.init`, `p{i}.grad{s}` (gradient given at step s),
`p{i}.after{s}` (parameter after step s), `norm{s}` (norm returned by clip_grad_norm_); metadata holds the
hyper-parameters and the schedules' multipliers. Run: `python tools/torch/make_optim_fixtures.py`.
"""
import json
import os

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures", "optim.safetensors")
torch.manual_seed(5)
shapes = [(5, 3), (4,), (1,)]
params = [torch.nn.Parameter(torch.randn(*s)) for s in shapes]
hp = {"lr": 3e-2, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.1, "max_norm": 1.5, "steps": 6}
opt = torch.optim.AdamW(params, lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                        weight_decay=hp["weight_decay"], foreach=False)
out = {}
for i, p in enumerate(params):
    out[f"p{i}.init"] = p.detach().clone()
for s in range(hp["steps"]):
    opt.zero_grad()
    for i, p in enumerate(params):
        g = torch.randn_like(p) * (3.0 if s % 2 == 0 else 0.2)
        out[f"p{i}.grad{s}"] = g.clone()
        p.grad = g
    norm = torch.nn.utils.clip_grad_norm_(params, hp["max_norm"])
    out[f"norm{s}"] = norm.reshape(1).detach().clone()
    opt.step()
    for i, p in enumerate(params):
        out[f"p{i}.after{s}"] = p.detach().clone()

schedules = {}
try:
    from diffusers.optimization import get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup

    def multipliers(make):
        o = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sch = make(o)
        values = []
        for _ in range(30):
            values.append(o.param_groups[0]["lr"])
            o.step()
            sch.step()
        return values

    schedules["constant_warmup_5"] = multipliers(lambda o: get_constant_schedule_with_warmup(o, 5))
    schedules["cosine_warmup_4_total_25"] = multipliers(lambda o: get_cosine_schedule_with_warmup(o, 4, 25))
except ImportError:
    raise SystemExit("diffusers is needed for the schedule references (pip install diffusers)")
save_file(out, OUT, metadata={"hyper": json.dumps(hp), "schedules": json.dumps(schedules),
                              "shapes": json.dumps(shapes)})
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
