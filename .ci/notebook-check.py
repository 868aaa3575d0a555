"""Checks a headless notebook run (.ci/notebook): python3 notebook-check.py STDOUT OUTDIR.

Fails (exit 1) unless: the runner reports completion; stdout has no per-graph-op chatter of SameDiff/ND4J and no cell
prints more than MAX_CELL_LINES lines; every displayHTML call that shows images holds only data: URIs that decode as
valid PNGs (signature, chunk CRCs, IHDR, inflated IDAT size), and at least one image was shown.
"""
import base64
import re
import struct
import sys
import zlib

CHATTER = re.compile(r"Added differentiated op|Removing variable|Executing op|SameDiff\(|Debug mode|Nd4j\."
                     r"|oneDNN verbose")
MAX_CELL_LINES = 300
IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_size(data):
    """(width, height) of a valid PNG; raises ValueError naming the first defect."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("no PNG signature")
    pos, idat, header, ended = 8, b"", None, False
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("truncated chunk header at byte %d" % pos)
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError("truncated %r chunk" % kind)
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise ValueError("bad CRC in %r chunk" % kind)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            ended = True
        pos += 12 + length
    if header is None or not ended:
        raise ValueError("no IHDR or no IEND")
    width, height, depth, colour, _, _, interlace = header
    if colour not in CHANNELS or interlace != 0:
        raise ValueError("unexpected colour type %d / interlace %d" % (colour, interlace))
    raw = zlib.decompress(idat)
    want = height * (1 + (width * CHANNELS[colour] * depth + 7) // 8)
    if len(raw) != want:
        raise ValueError("IDAT inflates to %d bytes, expected %d" % (len(raw), want))
    return width, height


def main(stdout_path, out_dir):
    problems = []
    with open(stdout_path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    if not any(l.startswith("[notebook] completed:") for l in lines):
        problems.append("the runner did not report completion")
    chatter = [l for l in lines if CHATTER.search(l)]
    print("stdout: %d lines, %d chatter lines" % (len(lines), len(chatter)))
    if chatter:
        problems.append("%d chatter lines on stdout, e.g. %r" % (len(chatter), chatter[0]))
    cell, count = None, 0
    for l in lines:
        if l.startswith("[notebook] cell ") and " start: " in l:
            cell, count = l, 0
        elif l.startswith("[notebook] cell ") and " end: " in l:
            print("  %4d lines  %s" % (count, l[len("[notebook] "):]))
            if count > MAX_CELL_LINES:
                problems.append("%d stdout lines in %s" % (count, cell))
        elif cell is not None:
            count += 1
    shown = 0
    try:
        with open(out_dir + "/display.html", encoding="utf-8") as f:
            calls = [l for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        calls = []
    for i, html in enumerate(calls):
        uris = IMG.findall(html)
        if "<img" in html and len(uris) != html.count("<img"):
            problems.append("displayHTML call %d has an <img> that is not a PNG data URI" % (i + 1))
        sizes = set()
        for j, uri in enumerate(uris):
            try:
                sizes.add(png_size(base64.b64decode(uri, validate=True)))
            except (ValueError, zlib.error, struct.error) as e:
                problems.append("displayHTML call %d image %d: %s" % (i + 1, j + 1, e))
        shown += len(uris)
        print("displayHTML call %d: %d PNG images, sizes %s" % (i + 1, len(uris), sorted(sizes)))
    if shown == 0:
        problems.append("no sample cell rendered an image (displayHTML captured no PNG data URI)")
    for p in problems:
        print("notebook check FAILED: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
