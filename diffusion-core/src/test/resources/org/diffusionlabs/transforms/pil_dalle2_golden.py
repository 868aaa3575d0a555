#!/usr/bin/env python3
"""Writes the Pillow golden file of Dalle2ImageTransformTest (needs Pillow and NumPy, e.g. Debian's python3-pil and
python3-numpy; run from the repo root):

    /usr/bin/python3 diffusion-core/src/test/resources/org/diffusionlabs/transforms/pil_dalle2_golden.py \
        diffusion-core/src/test/resources/org/diffusionlabs/transforms/pil-dalle2.bin

For each case of CASES (mode, width, height, image_size) the input has pixels
(x*x*31 + y*17 + c*101 + x*y*7 + 5) % 256 at column x, row y, channel c. The file holds, case after case, the
u8 pixels (channel-major, c x size x size) of the reference's Dalle2ImageTransform before ToTensor: halve with
BOX while the shorter side is >= 2*size, one BICUBIC resize to round(side * size / shorter) (PIL's own resize, which
returns a copy when the size is unchanged), then the centre crop of torchvision's CenterCrop
(left = int(round((w - size) / 2)), top = int(round((h - size) / 2)), Python rounding).
"""
import sys

import numpy as np
from PIL import Image

CASES = [("RGB", 37, 23, 4), ("RGB", 6, 9, 8), ("L", 40, 40, 5), ("RGB", 50, 31, 7)]


def pattern(mode, w, h):
    ch = len(mode)
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * x * 31 + y * 17 + c * 101 + x * y * 7 + 5) % 256 for c in range(ch)]
    hwc = np.stack(planes, axis=-1).astype(np.uint8)
    return Image.fromarray(hwc[:, :, 0] if ch == 1 else hwc, mode)


def prepared(img, size):
    while min(img.size) >= 2 * size:
        img = img.resize((img.size[0] // 2, img.size[1] // 2), resample=Image.BOX)
    scale = size / min(img.size)
    img = img.resize((round(img.size[0] * scale), round(img.size[1] * scale)), resample=Image.BICUBIC)
    left = int(round((img.size[0] - size) / 2.0))
    top = int(round((img.size[1] - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def main(out):
    blob = bytearray()
    for mode, w, h, size in CASES:
        a = np.asarray(prepared(pattern(mode, w, h), size))
        chw = a[None, :, :] if a.ndim == 2 else a.transpose(2, 0, 1)
        blob += chw.astype(np.uint8).tobytes()
    with open(out, "wb") as f:
        f.write(bytes(blob))


if __name__ == "__main__":
    main(sys.argv[1])
