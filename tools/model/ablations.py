#!/usr/bin/env python3
"""Trains and evaluates the ablations of docs/MODEL.md at equal training steps, and prints the table.

Usage: python tools/model/ablations.py ZOETROPE_BINARY [--out runs/ablations] [--clips 8] [--steps 2] [--only NAME ...]

Each recipe in tools/model/ablations/ is trained with `zoetrope train` (resumable: run it again after an interruption)
and evaluated with `zoetrope eval` on the same held-out clips, sampler and seed. The table compares each variant with
the reference run `direct64` (64×64 from scratch, regional loss, blur condition, SNR shift 2):

- regional loss on/off: face and hand L1;   - blur condition on/off: hand L1 on fast frames;
- SNR shift 2 vs 1 at 64×64: PSNR, SSIM;    - progressive (32 then 64) vs direct 64: PSNR, SSIM;
- and, beyond the issue's list, the 2×2 patch stem on/off (whether it limits low-noise denoising) and the four-level
  network that replaced it.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["direct64", "no-regional", "no-blur", "no-shift", "progressive", "no-stem", "four-level"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--out", default="runs/ablations")
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--steps", type=int, default=2, help="sampling steps of the evaluation (2: see docs/MODEL.md, more steps add noise these short runs do not remove)")
    ap.add_argument("--only", nargs="*", default=NAMES)
    a = ap.parse_args()
    results = {}
    for name in NAMES:
        run = os.path.join(a.out, name)
        evaluation = os.path.join(run, f"eval-{a.steps}steps")
        if name in a.only:
            if not os.path.exists(os.path.join(run, "model.safetensors")):
                start = time.time()
                subprocess.run([a.binary, "train", "--recipe", os.path.join(HERE, "ablations", name + ".json"), "--out", run,
                                "--threads", "2", "--json"], check=True, stdout=subprocess.DEVNULL)
                print(f"{name}: trained in {time.time() - start:.0f} s", file=sys.stderr)
            if not os.path.exists(os.path.join(evaluation, "eval.json")):
                extra = ["--no-blur-cue"] if name == "no-blur" else []
                subprocess.run([a.binary, "eval", "--checkpoint", os.path.join(run, "model.safetensors"), "--clips", str(a.clips),
                                "--steps", str(a.steps), "--no-baselines", "--out", evaluation, "--threads", "2"] + extra, check=True, stdout=subprocess.DEVNULL)
        path = os.path.join(evaluation, "eval.json")
        if os.path.exists(path):
            with open(path) as f:
                results[name] = json.load(f)["methods"]["Zoetrope"]
    cols = [("PSNR dB", "PSNR dB", 2), ("SSIM", "SSIM", 4), ("face L1", "face L1", 4), ("hand L1", "hand L1", 4),
            ("fast-hand L1", "fast-hand L1", 4)]
    what = {"direct64": "reference run: 64×64 from scratch, regional loss, blur condition, SNR shift 2",
            "no-regional": "regional loss off (λ_face = λ_hand = 0)", "no-blur": "blur condition off (sharp cue in training and eval)",
            "no-shift": "SNR shift off at 64×64 (k = 1)", "progressive": "progressive: 300 steps at 32×32 (k = 1), then 300 at 64×64 (k = 2)",
            "no-stem": "no 2×2 patch stem (UNet levels at 64/32/16 px, attention at 16 px only)",
            "four-level": "no stem, four levels 16/32/64/128 at 64/32/16/8 px (the shipped model's network)"}
    lines = ["| run | " + " | ".join(c[0] for c in cols) + " |", "|---|" + "---:|" * len(cols)]
    for name in NAMES:
        if name not in results:
            continue
        r = results[name]
        cells = [("–" if r.get(k) is None else f"{r[k]:.{d}f}") for _, k, d in cols]
        lines.append(f"| {what[name]} | " + " | ".join(cells) + " |")
    table = "\n".join(lines) + "\n"
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "ablations.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
