#!/usr/bin/env python3
"""Looks at the shipped model the way docs/MODEL.md reports it: renders the demo project and variants of it with
`zoetrope render`, measures what prompt traveling and the shutter setting change, and writes the contact sheet.

Usage: python tools/model/demo_checks.py ZOETROPE_BINARY [--out DIR] [--sheet docs/model-contact-sheet.png]

- Prompt traveling: the demo (keyframes at 0 and 9, the second "in dim light") against the same project with the
  frame-0 prompt only; mean luminance of each frame, and the difference after the keyframe against before it.
- Shutter: shutter 0 against shutter 1 on the demo poses; the variance of the Laplacian inside hand boxes (from the
  OpenPose hand keypoints) on fast frames (hand centroid moving ≥ 4 px/frame), lower = blurrier.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(ROOT, "demo")


def render(binary, project, out_dir, name):
    path = os.path.join(out_dir, name + ".zoetrope.json")
    with open(path, "w") as f:
        json.dump(project, f, indent=1)
    frames = os.path.join(out_dir, name)
    subprocess.run([binary, "render", path, "-o", frames, "--force"], check=True)
    files = sorted(glob.glob(os.path.join(frames, "*.png")))
    return [np.asarray(Image.open(p).convert("RGB"), dtype=np.float64) / 255 for p in files]


def luminance(img):
    return float((img @ np.array([0.299, 0.587, 0.114])).mean())


def hands(pose_file):
    with open(pose_file) as f:
        person = json.load(f)["people"][0]
    out = []
    for key in ("hand_right_keypoints_2d", "hand_left_keypoints_2d"):
        k = np.array(person.get(key, []), dtype=np.float64).reshape(-1, 3)
        k = k[k[:, 2] > 0]
        out.append(k[:, :2] if len(k) >= 5 else None)
    return out


def laplacian_variance(img, box):
    y = img @ np.array([0.299, 0.587, 0.114])
    x0, y0, x1, y1 = box
    lap = y[y0 - 1:y1 - 1, x0:x1] + y[y0 + 1:y1 + 1, x0:x1] + y[y0:y1, x0 - 1:x1 - 1] + y[y0:y1, x0 + 1:x1 + 1] - 4 * y[y0:y1, x0:x1]
    return float(lap.var())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--out", default="/tmp/zoetrope-demo-checks")
    ap.add_argument("--sheet", default=os.path.join(ROOT, "docs", "model-contact-sheet.png"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(DEMO, "demo.zoetrope.json")) as f:
        base = json.load(f)
    for key in ("reference", "poses", "model"):
        base[key] = os.path.join(DEMO, base[key])
    base["output"] = {"path": "unused", "format": "png-seq", "upscale": 1, "filter": "nearest", "layout": "result"}
    report = {}

    demo = render(args.binary, base, args.out, "demo")
    constant = dict(base, prompts=dict(base["prompts"], map={"0": base["prompts"]["map"]["0"]}))
    flat = render(args.binary, constant, args.out, "constant-prompt")
    key = int(max(base["prompts"]["map"], key=int))
    diff = [luminance(a) - luminance(b) for a, b in zip(demo, flat)]
    report["prompt_travel"] = {
        "keyframe": key, "second_prompt": base["prompts"]["map"][str(key)],
        "luminance_demo": [round(luminance(a), 4) for a in demo],
        "luminance_constant_prompt": [round(luminance(b), 4) for b in flat],
        "mean_difference_before_keyframe": round(float(np.mean(diff[:max(1, key - 2)])), 4),
        "mean_difference_from_keyframe": round(float(np.mean(diff[key:])), 4),
    }

    poses = sorted(glob.glob(os.path.join(DEMO, "poses", "*.json")))
    hand_points = [hands(p) for p in poses]
    sharp = {}
    for shutter in (0.0, 1.0):
        frames = render(args.binary, dict(base, shutter=shutter), args.out, f"shutter-{int(shutter)}")
        values = []
        for f in range(1, len(frames)):
            for side in range(2):
                a, b = hand_points[f][side], hand_points[f - 1][side]
                if a is None or b is None:
                    continue
                if np.linalg.norm(a.mean(0) - b.mean(0)) < 4:
                    continue
                lo, hi = np.floor(a.min(0)).astype(int) - 2, np.ceil(a.max(0)).astype(int) + 3
                h, w = frames[f].shape[:2]
                box = (max(1, lo[0]), max(1, lo[1]), min(w - 1, hi[0]), min(h - 1, hi[1]))
                if box[2] - box[0] >= 3 and box[3] - box[1] >= 3:
                    values.append(laplacian_variance(frames[f], box))
        sharp[shutter] = values
    report["shutter"] = {"fast_hand_crops": len(sharp[0.0]),
                         "laplacian_variance_shutter_0": round(float(np.mean(sharp[0.0])), 6),
                         "laplacian_variance_shutter_1": round(float(np.mean(sharp[1.0])), 6)}

    # Contact sheet: reference and pose maps are not in the PNG output of layout "result"; render them once more.
    base_panels = dict(base, output=dict(base["output"], layout="reference|pose|result"))
    panels = render(args.binary, base_panels, args.out, "panels")
    rows = [np.concatenate(panels[i:i + 4], axis=1) for i in range(0, len(panels), 4)]
    sheet = np.concatenate(rows, axis=0)
    img = Image.fromarray((sheet * 255).round().astype(np.uint8))
    img = img.resize((img.width * 2, img.height * 2), Image.NEAREST)
    img.save(args.sheet)
    report["contact_sheet"] = os.path.relpath(args.sheet, ROOT)
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
