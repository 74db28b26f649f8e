#!/usr/bin/env python3
"""Fixtures for Tests/MediaTests: PNG files of every colour type / bit depth / interlacing, JPEG and WebP files,
bad inputs, and the pixels each should decode to.

PNGs are written by a small PNG encoder in this file (zlib + struct, independent of libpng) from numpy arrays; the
expected RGB is computed from those arrays with the documented conversions:
  16-bit -> 8-bit:  v8 = floor(v16 * 255 / 65535 + 0.5)
  alpha composite:  out = (c * a + bg * (255 - a) + 127) // 255   (8-bit values, integer division)
Every 8-bit PNG is also decoded with Pillow here and checked against the source array, which validates the encoder.
JPEG and WebP files are written by Pillow and their expected RGB is Pillow's own decode (libjpeg / libwebp).

Run:  /work/venv/bin/python tools/reference/media_fixtures.py      (or `make fixtures`)
Writes Tests/MediaTests/Fixtures/*.{png,jpg,webp,rgb,txt} and Fixtures/manifest.json.
"""
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / "Tests" / "MediaTests" / "Fixtures"
WHITE = (255, 255, 255)
TEAL = (0, 128, 160)


def chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def pack_row(samples: np.ndarray, depth: int) -> bytes:
    """One row of samples (already flattened channel-interleaved) at `depth` bits, MSB first."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        byte = 0
        group = samples[i:i + per_byte]
        for j in range(per_byte):
            v = int(group[j]) if j < len(group) else 0
            byte |= v << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def encode_png(samples: np.ndarray, color_type: int, depth: int, interlace: bool = False,
               palette=None, trns: bytes = None) -> bytes:
    """samples: HxWxC array of sample values (C = 1, 2, 3 or 4; palette indices for colour type 3)."""
    h, w = samples.shape[:2]
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for (x0, y0, dx, dy) in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for row in sub:
            raw.append(0)  # filter type None
            raw += pack_row(row.reshape(-1), depth)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    return png


def to8(v: np.ndarray, depth: int) -> np.ndarray:
    v = v.astype(np.int64)
    if depth == 16:
        return np.floor(v * 255 / 65535 + 0.5).astype(np.int64)
    if depth < 8:
        return v * 255 // ((1 << depth) - 1)
    return v


def composite(rgb: np.ndarray, alpha: np.ndarray, bg) -> np.ndarray:
    bg = np.asarray(bg, dtype=np.int64).reshape(1, 1, 3)
    a = alpha.astype(np.int64)[..., None]
    return ((rgb.astype(np.int64) * a + bg * (255 - a) + 127) // 255).astype(np.uint8)


def smooth(h, w, depth, channels, seed):
    """A smooth pattern plus a little noise, full range of `depth` bits."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    top = (1 << depth) - 1
    planes = []
    for c in range(channels):
        p = 0.5 + 0.45 * np.sin(2 * np.pi * (x / w * (c + 1) + y / h * (2 - c * 0.5)) + c)
        p = p + rng.uniform(-0.05, 0.05, size=p.shape)
        planes.append(np.clip(np.round(p * top), 0, top))
    return np.stack(planes, axis=-1).astype(np.int64)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = []

    def save_png(name, samples, color_type, depth, expected, interlace=False, palette=None, trns=None,
                 background=WHITE, pillow_check=None):
        data = encode_png(samples, color_type, depth, interlace, palette, trns)
        (OUT / name).write_bytes(data)
        stem = name.rsplit(".", 1)[0] + ("" if background == WHITE else "-bg")
        (OUT / f"{stem}.rgb").write_bytes(expected.astype(np.uint8).tobytes())
        if pillow_check is not None:   # validate our encoder with an independent decoder
            decoded = np.asarray(Image.open(io.BytesIO(data)).convert(pillow_check[0]))
            assert np.array_equal(decoded, pillow_check[1]), f"Pillow disagrees on {name}"
        manifest.append({"file": name, "expected": f"{stem}.rgb", "width": int(samples.shape[1]),
                         "height": int(samples.shape[0]), "bitDepth": depth,
                         "colorType": {0: "grey", 2: "rgb", 3: "palette", 4: "grey+alpha", 6: "rgba"}[color_type],
                         "interlaced": interlace, "background": list(background),
                         "hasAlpha": color_type in (4, 6) or trns is not None})

    h, w = 13, 17   # odd sizes on purpose
    # RGB 8 and 16 bit, plain and interlaced.
    rgb8 = smooth(h, w, 8, 3, 1)
    save_png("rgb8.png", rgb8, 2, 8, rgb8, pillow_check=("RGB", rgb8))
    save_png("rgb8-interlaced.png", rgb8, 2, 8, rgb8, interlace=True, pillow_check=("RGB", rgb8))
    rgb16 = smooth(h, w, 16, 3, 2)
    save_png("rgb16.png", rgb16, 2, 16, to8(rgb16, 16))
    # RGBA 8 and 16 bit, over white and over teal; 16-bit interlaced too.
    rgba8 = smooth(h, w, 8, 4, 3)
    rgba8[0, :, 3] = 0
    rgba8[1, :, 3] = 255
    save_png("rgba8.png", rgba8, 6, 8, composite(rgba8[..., :3], rgba8[..., 3], WHITE), pillow_check=("RGBA", rgba8))
    save_png("rgba8.png", rgba8, 6, 8, composite(rgba8[..., :3], rgba8[..., 3], TEAL), background=TEAL)
    rgba16 = smooth(h, w, 16, 4, 4)
    save_png("rgba16-interlaced.png", rgba16, 6, 16,
             composite(to8(rgba16[..., :3], 16), to8(rgba16[..., 3], 16), WHITE), interlace=True)
    # Grey 8 / 16 / 4 / 1 bit, grey + alpha.
    grey8 = smooth(h, w, 8, 1, 5)
    save_png("grey8.png", grey8, 0, 8, np.repeat(grey8, 3, axis=2), pillow_check=("L", grey8[..., 0]))
    grey16 = smooth(h, w, 16, 1, 6)
    save_png("grey16.png", grey16, 0, 16, np.repeat(to8(grey16, 16), 3, axis=2))
    grey4 = smooth(h, w, 4, 1, 7)
    save_png("grey4.png", grey4, 0, 4, np.repeat(to8(grey4, 4), 3, axis=2))
    grey1 = (smooth(h, w, 8, 1, 8) > 127).astype(np.int64)
    save_png("grey1-interlaced.png", grey1, 0, 1, np.repeat(grey1 * 255, 3, axis=2), interlace=True)
    greya8 = smooth(h, w, 8, 2, 9)
    save_png("greyalpha8.png", greya8, 4, 8,
             composite(np.repeat(greya8[..., :1], 3, axis=2), greya8[..., 1], WHITE),
             pillow_check=("LA", greya8))
    # Grey with a tRNS colour key: grey value 0 is transparent.
    greyk = smooth(h, w, 8, 1, 10)
    greyk[2:5, 3:9, 0] = 0
    greyk_alpha = np.where(greyk[..., 0] == 0, 0, 255)
    save_png("grey8-trns.png", greyk, 0, 8, composite(np.repeat(greyk, 3, axis=2), greyk_alpha, TEAL),
             trns=struct.pack(">H", 0), background=TEAL)
    # Palette 8-bit with partial tRNS, palette 4-bit interlaced.
    rng = np.random.default_rng(11)
    palette = rng.integers(0, 256, size=(40, 3))
    palette_alpha = np.concatenate([rng.integers(0, 256, size=10), np.full(30, 255)])
    index8 = rng.integers(0, 40, size=(h, w, 1))
    rgbp = palette[index8[..., 0]]
    save_png("palette8-trns.png", index8, 3, 8, composite(rgbp, palette_alpha[index8[..., 0]], WHITE),
             palette=palette, trns=bytes(palette_alpha[:10].astype(np.uint8)),
             pillow_check=("RGBA", np.concatenate([rgbp, palette_alpha[index8[..., 0]][..., None]], axis=2)))
    index4 = rng.integers(0, 16, size=(h, w, 1))
    save_png("palette4-interlaced.png", index4, 3, 4, palette[index4[..., 0]], interlace=True, palette=palette[:16],
             pillow_check=("RGB", palette[index4[..., 0]]))

    # JPEG (baseline 4:2:0, progressive, grey) and WebP (lossy, lossless with alpha), expected = Pillow's decode.
    jh, jw = 48, 64
    photo = smooth(jh, jw, 8, 3, 12).astype(np.uint8)
    pim = Image.fromarray(photo, "RGB")

    def save_pillow(name, image, fmt, mode, **kw):
        buf = io.BytesIO()
        image.save(buf, fmt, **kw)
        data = buf.getvalue()
        (OUT / name).write_bytes(data)
        decoded = Image.open(io.BytesIO(data))
        decoded.load()
        if decoded.mode in ("RGBA", "LA"):
            arr = np.asarray(decoded.convert("RGBA")).astype(np.int64)
            expected = composite(arr[..., :3], arr[..., 3], WHITE)
        else:
            expected = np.asarray(decoded.convert("RGB"))
        stem = name.rsplit(".", 1)[0]
        (OUT / f"{stem}.rgb").write_bytes(expected.astype(np.uint8).tobytes())
        manifest.append({"file": name, "expected": f"{stem}.rgb", "width": image.width, "height": image.height,
                         "bitDepth": 8, "colorType": mode, "interlaced": kw.get("progressive", False),
                         "background": list(WHITE), "hasAlpha": image.mode == "RGBA"})

    save_pillow("photo.jpg", pim, "JPEG", "ycbcr", quality=90)
    save_pillow("photo-progressive.jpg", pim, "JPEG", "ycbcr", quality=90, progressive=True)
    save_pillow("photo-grey.jpg", pim.convert("L"), "JPEG", "grey", quality=90)
    save_pillow("photo-lossy.webp", pim, "WEBP", "ycbcr", quality=90)
    alpha = np.clip(np.linspace(0, 255, jw)[None, :].repeat(jh, 0), 0, 255).astype(np.uint8)
    rgba = Image.fromarray(np.dstack([photo, alpha]), "RGBA")
    save_pillow("photo-lossless-alpha.webp", rgba, "WEBP", "rgba", lossless=True)

    # Bad inputs.
    big = smooth(64, 64, 8, 3, 13)
    whole = encode_png(big, 2, 8)
    (OUT / "bad-truncated.png").write_bytes(whole[: len(whole) // 2])
    (OUT / "bad-text.png").write_bytes(b"This is not a picture, just some text that happens to be named .png\n")
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
    (OUT / "bad-huge-header.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    jpeg = (OUT / "photo.jpg").read_bytes()
    (OUT / "bad-truncated.jpg").write_bytes(jpeg[: len(jpeg) * 2 // 3])

    # Valid files Zoetrope refuses with a message: animated WebP, CMYK JPEG.
    buf = io.BytesIO()
    frames = [Image.fromarray(photo[:16, :16]), Image.fromarray(photo[16:32, :16])]
    frames[0].save(buf, "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)
    (OUT / "bad-animated.webp").write_bytes(buf.getvalue())
    buf = io.BytesIO()
    Image.fromarray(photo[:16, :16]).convert("CMYK").save(buf, "JPEG", quality=90)
    (OUT / "bad-cmyk.jpg").write_bytes(buf.getvalue())

    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(manifest)} decode fixtures and 6 bad inputs to {OUT}")


if __name__ == "__main__":
    main()
