package org.diffusionlabs.models.adm;

import org.diffusionlabs.nd.Checks;

/**
 * Counts the multiply-accumulates of one ADM U-Net forward pass per image, by walking the same architecture as
 * {@link AdmUNet}: convolutions at their output resolution (3×3 and 1×1 skips), the q/k/v/output projections
 * (4·N·C²), the context key/value projection, the attention matmuls (2·N·(N + n)·C) and the embedding MLPs.
 * GroupNorm, activations and softmax are ignored (under 1 %). FLOPs ≈ 2·MACs; a training step ≈ 3 forwards.
 */
public final class AdmFlops {
    private AdmFlops() {}

    /** Forward MACs per image at resolution h × w (h, w divisible by 2^numResize). */
    public static long forwardMacs(AdmUNetConfig c, long h, long w) {
        long scale = 1L << c.numResize();
        Checks.require(h > 0 && w > 0 && h % scale == 0 && w % scale == 0, "AdmFlops", "h×w", h + "×" + w,
                "must be divisible by 2^numResize = " + scale);
        int[] ch = c.channelsPerLayer();
        boolean[] att = c.useAttentionForLayer();
        long d = c.dimResCond();
        long tokens = c.embedDim() > 0 && c.dimAttnCond() > 0 ? 4 : 0;
        long macs = c.timeEmbedDim() > 0 ? (long) c.timeEmbedDim() * d + d * d : 0;
        macs += c.embedDim() * (d + 4L * c.dimAttnCond());
        java.util.ArrayDeque<Long> skips = new java.util.ArrayDeque<>();
        long res = h * w;
        macs += 9L * c.inChannels() * ch[0] * res;
        skips.push((long) ch[0]);
        long prev = ch[0];
        for (int l = 0; l < ch.length; l++) {
            for (int r = 0; r < c.numResPerLayer(); r++) {
                macs += res(prev, ch[l], d, res, res) + (att[l] ? attention(ch[l], c.dimAttnCond(), tokens, res) : 0);
                skips.push((long) ch[l]);
                prev = ch[l];
            }
            if (l < c.numResize()) {
                macs += res(ch[l], ch[l], d, res, res / 4);
                res /= 4;
                skips.push((long) ch[l]);
            }
        }
        long last = ch[ch.length - 1];
        macs += 2 * res(last, last, d, res, res) + attention(last, c.dimAttnCond(), tokens, res);
        prev = last;
        for (int j = 0; j < ch.length; j++) {
            int l = ch.length - 1 - j;
            for (int r = 0; r <= c.numResPerLayer(); r++) {
                long skip = skips.isEmpty() ? 0 : skips.pop();
                macs += res(prev + skip, ch[l], d, res, res) + (att[l] ? attention(ch[l], c.dimAttnCond(), tokens, res) : 0);
                if (r == c.numResPerLayer() && j < c.numResize()) {
                    macs += res(ch[l], ch[l], d, res, res * 4);
                    res *= 4;
                }
                prev = ch[l];
            }
        }
        return macs + 9L * ch[0] * c.outChannels() * res;
    }

    /** A res block: cond projection, two 3×3 convs at the output resolution, a 1×1 skip when widths differ. */
    private static long res(long in, long out, long dimCond, long inRes, long outRes) {
        long skip = in != out ? in * out * outRes : 0;
        return dimCond * 2 * out + 9 * in * out * outRes + 9 * out * out * outRes + skip;
    }

    /** An attention block over n = H·W positions with {@code tokens} context tokens. */
    private static long attention(long c, long dimCond, long tokens, long n) {
        return 4 * n * c * c + tokens * dimCond * 2 * c + 2 * n * (n + tokens) * c;
    }
}
