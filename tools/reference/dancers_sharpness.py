"""Reference values for the Dancers sharpness cue and the Spearman correlation used by its test.

Run: python tools/reference/dancers_sharpness.py   (writes Tests/DancersTests/Fixtures/sharpness_reference.json)

Independent implementations: scipy.ndimage.laplace for the 4-neighbour Laplacian, numpy variance,
scipy.stats.spearmanr (average ranks for ties).
"""
import json
import pathlib

import numpy as np
from scipy import ndimage, stats

rng = np.random.default_rng(1234)
out = {"patches": []}
for (h, w, blur) in [(9, 11, 0), (12, 12, 1), (7, 16, 2)]:
    rgb = rng.integers(0, 256, size=(h, w, 3)).astype(np.uint8)
    if blur:
        rgb = ndimage.uniform_filter(rgb.astype(np.float64), size=(1, 2 * blur + 1, 1)).round().astype(np.uint8)
    y = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0
    lap = ndimage.laplace(y)[1:-1, 1:-1]
    inner = y[1:-1, 1:-1]
    raw = lap.var() / (inner.var() + 1e-4)
    out["patches"].append({"width": w, "height": h, "rgb": rgb.reshape(-1).tolist(), "raw": float(raw)})

a = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]
b = [2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0, 2.0, 8.0]
out["spearman"] = {"a": a, "b": b, "rho": float(stats.spearmanr(a, b).statistic)}

path = pathlib.Path(__file__).resolve().parents[2] / "Tests/DancersTests/Fixtures/sharpness_reference.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
