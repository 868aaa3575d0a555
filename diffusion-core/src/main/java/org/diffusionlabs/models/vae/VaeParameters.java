package org.diffusionlabs.models.vae;

import org.diffusionlabs.models.Parameters;
import org.diffusionlabs.models.Parameters.Init;

/**
 * Declares the VAE's parameters the way PyTorch creates them: a conv draws its weight then its bias
 * (Kaiming-uniform, fan_in = in·k·k), a GroupNorm is γ = 1, β = 0 without draws; and joins module names into
 * state-dict names.
 */
final class VaeParameters {
    private VaeParameters() {}

    /** {@code prefix.name}, or {@code name} at the top level (empty prefix). */
    static String at(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** A k×k conv in → out at {@code prefix} ({@code .weight} [out, in, k, k], {@code .bias} [out]). */
    static void conv(Parameters p, String prefix, long in, long out, int k) {
        long fanIn = in * k * k;
        p.get(prefix + ".weight", new long[] {out, in, k, k}, Init.WEIGHT, fanIn);
        p.get(prefix + ".bias", new long[] {out}, Init.BIAS, fanIn);
    }

    /** A GroupNorm over {@code channels} at {@code prefix}. */
    static void norm(Parameters p, String prefix, long channels) {
        p.get(prefix + ".weight", new long[] {channels}, Init.ONES, 0);
        p.get(prefix + ".bias", new long[] {channels}, Init.ZEROS, 0);
    }

    /** Fixes the state-dict position of {@code prefix.weight} and {@code prefix.bias} before they are drawn. */
    static void reserve(Parameters p, String prefix) {
        p.reserve(prefix + ".weight", prefix + ".bias");
    }
}
