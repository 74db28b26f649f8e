"""What SSIM ≥ 0.85 asks of a 64×64 Dancers frame: scores of degraded ground truths (scikit-image SSIM, the
metrics.md convention) on held-out clips, and of the two ways to pick a reference frame.

    python tools/model/ssim_bounds.py .build/release/zoetrope [--clips 8]

Renders held-out clips with `zoetrope synth --split test` (clip c and c + N share identity c: eval's pairing), then
scores each frame against: Gaussian blurs of itself, added noise, its person region blurred (a perfect backdrop with
a blurry person), and the two references (another clip of the person, as `zoetrope eval` takes it; the first frame
of the same clip, as the DisCo TikTok protocol takes it).
"""
import argparse, glob, os, subprocess, sys, tempfile

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def load(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float64) / 255


def ssim(a, b):
    return structural_similarity(a, b, channel_axis=2, data_range=1, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zoetrope")
    ap.add_argument("--clips", type=int, default=8)
    args = ap.parse_args()
    n = args.clips
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ds")
        subprocess.run([args.zoetrope, "synth", "--out", out, "--identities", str(n), "--clips", str(2 * n), "--frames", "16",
                        "--size", "64", "--seed", "7", "--split", "test"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        rng = np.random.default_rng(0)
        scores, psnr = {}, {}
        for c in range(n):
            frames = sorted(glob.glob(os.path.join(out, f"clip_{c:05d}", "frames", "*.png")))
            other = load(os.path.join(out, f"clip_{c + n:05d}", "frames", "0008.png"))
            first = load(frames[0])
            for i, f in enumerate(frames):
                t = load(f)
                depth = np.asarray(Image.open(f.replace("frames", "depth")))
                person = (depth if depth.ndim == 2 else depth[..., 0]) > 0
                cases = {
                    "truth blurred, Gaussian σ 0.7 px": gaussian_filter(t, (0.7, 0.7, 0)),
                    "truth blurred, Gaussian σ 1 px": gaussian_filter(t, (1, 1, 0)),
                    "truth blurred, Gaussian σ 1.5 px": gaussian_filter(t, (1.5, 1.5, 0)),
                    "truth + noise, σ 5/255": np.clip(t + rng.normal(0, 5 / 255, t.shape), 0, 1),
                    "truth + noise, σ 10/255": np.clip(t + rng.normal(0, 10 / 255, t.shape), 0, 1),
                    "exact backdrop, person blurred σ 3 px": np.where(person[..., None], gaussian_filter(t, (3, 3, 0)), t),
                    "copy another clip's frame (eval's reference)": other,
                }
                if i > 0:
                    cases["copy frame 0 of the same clip (DisCo protocol), frames 1-15"] = first
                for k, img in cases.items():
                    scores.setdefault(k, []).append(ssim(t, img))
                    psnr.setdefault(k, []).append(peak_signal_noise_ratio(t, img, data_range=1))
        print(f"{n} held-out clips × 16 frames, 64×64")
        print("| degraded truth or baseline | PSNR dB | SSIM |\n|---|---:|---:|")
        for k in scores:
            print(f"| {k} | {np.mean(psnr[k]):.2f} | {np.mean(scores[k]):.3f} |")


if __name__ == "__main__":
    sys.exit(main())
