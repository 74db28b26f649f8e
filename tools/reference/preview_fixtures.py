"""Photographs for the Preview tests and `zoetrope bench sixel`: 256x256 centre crops of scikit-image's sample data.

Run:  /work/venv/bin/python tools/reference/preview_fixtures.py
Writes Tests/PreviewTests/Fixtures/{astronaut,coffee,chelsea}.ppm (binary P6, 8-bit RGB) and photos.json, which
records, for each photo, the PSNR of img2sixel's default output (256 colours) decoded by sixel2png when libsixel-bin
is installed. The tests recompute that peer figure live; the JSON is the record of what it was when generated.
"""
import json
import pathlib
import shutil
import subprocess
import tempfile

import numpy as np
from skimage import data, transform

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "PreviewTests" / "Fixtures"
SIZE = 256


def centre_crop(image: np.ndarray) -> np.ndarray:
    """Scales the short side to 256 (area-averaging when shrinking), then takes the centre 256x256."""
    h, w = image.shape[:2]
    scale = SIZE / min(h, w)
    if scale != 1:
        image = transform.rescale(image, scale, channel_axis=2, anti_aliasing=True, preserve_range=True)
        image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    h, w = image.shape[:2]
    top, left = (h - SIZE) // 2, (w - SIZE) // 2
    return np.ascontiguousarray(image[top:top + SIZE, left:left + SIZE, :3])


def write_ppm(path: pathlib.Path, image: np.ndarray) -> None:
    h, w = image.shape[:2]
    path.write_bytes(b"P6\n%d %d\n255\n" % (w, h) + image.tobytes())


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def img2sixel_psnr(path: pathlib.Path, image: np.ndarray):
    if not (shutil.which("img2sixel") and shutil.which("sixel2png") and shutil.which("convert")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        six, png = pathlib.Path(tmp, "x.six"), pathlib.Path(tmp, "x.png")
        six.write_bytes(subprocess.run(["img2sixel", str(path)], check=True, capture_output=True).stdout)
        subprocess.run(["sixel2png", "-i", str(six), "-o", str(png)], check=True)
        raw = subprocess.run(["convert", str(png), "-depth", "8", "rgb:-"], check=True, capture_output=True).stdout
        decoded = np.frombuffer(raw, dtype=np.uint8).reshape(image.shape)
        return psnr(image, decoded)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    record = {}
    for name in ["astronaut", "coffee", "chelsea"]:
        image = centre_crop(getattr(data, name)())
        path = OUT / f"{name}.ppm"
        write_ppm(path, image)
        record[name] = {"width": SIZE, "height": SIZE, "img2sixel_psnr_db": img2sixel_psnr(path, image)}
        print(name, record[name])
    (OUT / "photos.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
