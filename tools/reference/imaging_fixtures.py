#!/usr/bin/env python3
"""Reference fixtures for the Imaging module (Tests/ImagingTests/Fixtures/).

Run from the repository root:

    /work/venv/bin/python tools/reference/imaging_fixtures.py      (or: make fixtures)

It writes

* metrics: three real photographs shipped with scikit-image (astronaut, coffee, chelsea), centre-cropped to a square
  and resized to 256x256 with Pillow's LANCZOS, plus three distortions of each (Gaussian noise sigma 10/255 with a fixed
  seed, Gaussian blur sigma 1.5, JPEG re-encode at quality 30 with Pillow), as binary PPM (P6); and `metrics.json` with
  L1 (numpy), PSNR (`skimage.metrics.peak_signal_noise_ratio(data_range=1)`) and SSIM
  (`skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1,
  channel_axis=2)`) on the [0, 1]-scaled images, for whole frames, for small regions (where the border crop weighs
  most), with masks, plus one full SSIM map and scipy's Gaussian kernel;
* resampling: a 120x90 photo crop and Pillow's `Image.resize` of it with NEAREST, BILINEAR and LANCZOS to several
  sizes (down, strongly down, up, one axis only), and `resize.json` listing them.

Everything is deterministic: rerunning it reproduces the same bytes (given the same library versions, recorded in the
JSON files). Use Pillow >= 13: it runs the vertical pass first when the height shrinks by more than twice as many pixels
as the width (python-pillow/Pillow#9549), as the Swift resampler does; older Pillow gives +-1-2 level differences on the
110x30 case and the portrait centre-crop.
"""

import io
import json
import os
import sys

import numpy as np
import PIL
import scipy
import skimage
from PIL import Image, ImageOps
from scipy import ndimage
from skimage import data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures")

PHOTOS = ["astronaut", "coffee", "chelsea"]
SIDE = 256
SEED = 20261122


def write_ppm(path, rgb):
    """Binary PPM (P6), maxval 255."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(rgb.tobytes())


def centre_square(rgb, side):
    """Centre crop to the largest square and resize to side x side (Pillow ImageOps.fit, LANCZOS)."""
    return np.asarray(ImageOps.fit(Image.fromarray(rgb), (side, side), Image.Resampling.LANCZOS))


def distortions(rgb, index):
    """noise (sigma 10/255, seeded), blur (Gaussian sigma 1.5 per channel), jpeg (quality 30)."""
    rng = np.random.default_rng(SEED + index)
    noisy = np.clip(np.rint(rgb.astype(np.float64) + rng.normal(0.0, 10.0, rgb.shape)), 0, 255).astype(np.uint8)
    blurred = ndimage.gaussian_filter(rgb.astype(np.float64), sigma=(1.5, 1.5, 0), truncate=4.0, mode="reflect")
    blurred = np.clip(np.rint(blurred), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=30)
    jpeg = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return {"noise": noisy, "blur": blurred, "jpeg": jpeg}


def unit(rgb):
    """uint8 -> float64 in [0, 1] (the convention of reference/metrics.md)."""
    return rgb.astype(np.float64) / 255.0


def ssim(a, b):
    return float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=1.0, channel_axis=2))


def metrics(a8, b8):
    a, b = unit(a8), unit(b8)
    return {
        "l1": float(np.mean(np.abs(a - b))),
        "psnr": float(peak_signal_noise_ratio(a, b, data_range=1.0)),
        "ssim": ssim(a, b),
    }


def masked(a8, b8, weights):
    """Weighted L1 and PSNR: sum_p w_p sum_c |a-b| / (3 sum_p w_p); PSNR = 10 log10(1 / weighted MSE)."""
    a, b = unit(a8), unit(b8)
    w = weights[:, :, None]
    denom = 3.0 * weights.sum()
    l1 = float((w * np.abs(a - b)).sum() / denom)
    mse = float((w * (a - b) ** 2).sum() / denom)
    return {"l1": l1, "psnr": float(10.0 * np.log10(1.0 / mse))}


def disk_mask(h, w, cx, cy, r):
    """Pixel (x, y) is in when (x + 0.5 - cx)^2 + (y + 0.5 - cy)^2 <= r^2 (pixel centres)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return ((xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= r * r).astype(np.float64)


def ramp_mask(h, w):
    """Float weights w(x, y) = (x + y) / (w + h - 2), a soft mask in [0, 1]."""
    yy, xx = np.mgrid[0:h, 0:w]
    return ((xx + yy) / float(w + h - 2)).astype(np.float32).astype(np.float64)


def make_metrics():
    pairs, regions, masks = [], [], []
    images = {}
    for i, name in enumerate(PHOTOS):
        ref = centre_square(getattr(data, name)(), SIDE)
        images[name] = ref
        write_ppm(os.path.join(OUT, f"{name}.ppm"), ref)
        for kind, img in distortions(ref, i).items():
            fname = f"{name}_{kind}.ppm"
            write_ppm(os.path.join(OUT, fname), img)
            images[f"{name}_{kind}"] = img
            pairs.append({"reference": f"{name}.ppm", "distorted": fname, **metrics(ref, img)})
            # Regions: SSIM/PSNR/L1 of the same crop of both images. Small regions make the border crop
            # ((11 - 1) // 2 = 5 px each side) and the reflect padding weigh heavily; 11x11 leaves one SSIM pixel.
            for (x, y, w, h) in [(100, 80, 40, 30), (7, 200, 23, 17), (130, 20, 11, 11), (0, 0, 64, 48)]:
                a, b = ref[y:y + h, x:x + w], img[y:y + h, x:x + w]
                regions.append({"reference": f"{name}.ppm", "distorted": fname, "x": x, "y": y, "width": w,
                                "height": h, **metrics(a, b)})
            hh, ww, _ = ref.shape
            masks.append({"reference": f"{name}.ppm", "distorted": fname, "mask": "disk", "cx": 128.0, "cy": 96.0,
                          "r": 40.0, **masked(ref, img, disk_mask(hh, ww, 128.0, 96.0, 40.0))})
            masks.append({"reference": f"{name}.ppm", "distorted": fname, "mask": "ramp",
                          **masked(ref, img, ramp_mask(hh, ww))})

    # One full SSIM map (H x W x 3, before the border crop) on a small non-square crop, to pin down the Gaussian
    # filter's reflect padding and the per-pixel formula, not just the mean.
    a = images["coffee"][60:73, 90:106]
    b = images["coffee_jpeg"][60:73, 90:106]
    mean, full = structural_similarity(unit(a), unit(b), gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False, data_range=1.0, channel_axis=2, full=True)
    ssim_map = {"reference": "coffee.ppm", "distorted": "coffee_jpeg.ppm", "x": 90, "y": 60, "width": 16,
                "height": 13, "ssim": float(mean), "map_hwc": [float(v) for v in full.reshape(-1)]}

    # scipy.ndimage's Gaussian kernel for sigma 1.5, truncate 3.5 (radius int(3.5 * 1.5 + 0.5) = 5).
    impulse = np.zeros(11)
    impulse[5] = 1.0
    kernel = ndimage.gaussian_filter1d(impulse, sigma=1.5, truncate=3.5, mode="constant")

    return {"pairs": pairs, "regions": regions, "masked": masks, "ssim_map": ssim_map,
            "gaussian_kernel": [float(v) for v in kernel]}


# (110, 30) shrinks the height by more than twice as many pixels as the width: Pillow 13 runs the vertical pass first.
RESIZE_CASES = [(48, 36), (13, 10), (150, 113), (120, 45), (77, 90), (110, 30)]
FILTERS = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
           "lanczos3": Image.Resampling.LANCZOS}


def make_resize():
    source = data.rocket()[180:270, 250:370]  # 120x90, sharp edges and flat sky
    assert source.shape == (90, 120, 3)
    write_ppm(os.path.join(OUT, "resize_source.ppm"), source)
    img = Image.fromarray(source)
    cases = []
    for fname, f in FILTERS.items():
        for (w, h) in RESIZE_CASES:
            out = np.asarray(img.resize((w, h), f))
            name = f"resize_{fname}_{w}x{h}.ppm"
            write_ppm(os.path.join(OUT, name), out)
            cases.append({"filter": fname, "width": w, "height": h, "file": name})
    # fittedToSquare: centreCrop matches ImageOps.fit (a fractional crop box when the excess is odd), letterbox matches
    # ImageOps.pad (sizes and offsets rounded half to even, as Python's round()). Sources: the full crop (120x90), its
    # left 119 columns (odd excess), and a portrait 60x90 part starting at column 30.
    sources = {"full": (0, 0, 120, 90), "odd": (0, 0, 119, 90), "portrait": (30, 0, 90, 90)}
    fits = [("centerCrop", "full", 64, "lanczos3", None), ("centerCrop", "odd", 37, "bilinear", None),
            ("centerCrop", "odd", 50, "nearest", None), ("centerCrop", "portrait", 41, "lanczos3", None),
            ("letterbox", "full", 61, "lanczos3", (255, 0, 128)), ("letterbox", "odd", 50, "bilinear", (10, 20, 30)),
            ("letterbox", "portrait", 45, "nearest", (0, 255, 0))]
    fit_cases = []
    for mode, src, side, fname, fill in fits:
        part = img.crop(sources[src])
        if mode == "centerCrop":
            out = ImageOps.fit(part, (side, side), FILTERS[fname], centering=(0.5, 0.5))
        else:
            out = ImageOps.pad(part, (side, side), FILTERS[fname], color=fill, centering=(0.5, 0.5))
        name = f"fit_{mode}_{src}_{side}_{fname}.ppm"
        write_ppm(os.path.join(OUT, name), np.asarray(out))
        x0, y0, x1, y1 = sources[src]
        fit_cases.append({"mode": mode, "source_crop": [x0, y0, x1 - x0, y1 - y0], "side": side, "filter": fname,
                          "fill": list(fill) if fill else [0, 0, 0], "file": name})
    return {"source": "resize_source.ppm", "cases": cases, "fits": fit_cases}


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                "scikit-image": skimage.__version__, "pillow": PIL.__version__}
    generator = "tools/reference/imaging_fixtures.py"
    m = make_metrics()
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump({"generator": generator, "versions": versions, **m}, f, indent=1)
        f.write("\n")
    r = make_resize()
    with open(os.path.join(OUT, "resize.json"), "w") as f:
        json.dump({"generator": generator, "versions": versions, **r}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(m['pairs'])} metric pairs, {len(r['cases'])} resize cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
