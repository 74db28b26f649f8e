#!/usr/bin/env python3
"""Reference Fréchet distances for Engine's FrechetDistance (the FID formula of pytorch-fid, with scipy.linalg.sqrtm).

Writes Tests/EngineTests/Fixtures/frechet.json: feature sets (rows = samples) and their distance, for a full-rank case,
a rank-deficient one (fewer samples than dimensions, as `zoetrope eval` has with few clips) and identical sets (0).
Run: `python tools/reference/frechet_fixture.py`.
"""
import json
import os

import numpy as np
from scipy import linalg


def fid(a, b):
    """pytorch-fid's calculate_frechet_distance on the sets' means and unbiased covariances."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1.dot(s2))
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


rng = np.random.default_rng(2026)
cases = []
a = rng.normal(size=(60, 8))
b = rng.normal(size=(50, 8)) @ rng.normal(size=(8, 8)) * 0.7 + 0.3
cases.append({"name": "full rank", "a": a.tolist(), "b": b.tolist(), "fd": fid(a, b)})
a = rng.normal(size=(6, 12))
b = rng.normal(size=(7, 12)) + 0.5
cases.append({"name": "rank deficient", "a": a.tolist(), "b": b.tolist(), "fd": fid(a, b)})
cases.append({"name": "identical", "a": a.tolist(), "b": a.tolist(), "fd": 0.0})
out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EngineTests", "Fixtures", "frechet.json")
with open(out, "w") as f:
    json.dump({"script": "tools/reference/frechet_fixture.py", "cases": cases}, f)
print("\n".join(f"{c['name']}: {c['fd']:.6f}" for c in cases))
