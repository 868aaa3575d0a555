package org.diffusionlabs.models.adm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The stages of the ADM U-Net body in forward order, with their reference parameter prefixes, as
 * {@link AdmUNet#buildFromEmbeddings} wires them: the input conv's output pushed as the first skip; per level its res
 * (+ attention) blocks, each output pushed, and a downsampling res block; the res-attention-res bottleneck; per
 * decoder level a popped skip concatenated before each res block, attention, and an upsampling res block; then the
 * head (a last concat if a skip is left). One description for the engine's {@link AdmBody} and the dropout sites.
 */
final class AdmLayout {
    /** A stage of the body. */
    sealed interface Stage permits Res, Attention, Push, Concat {}

    /** A res block; {@code factor} is the downscale of its output resolution (for dropout mask shapes). */
    record Res(String prefix, long out, Resample resample, int factor) implements Stage {}

    record Attention(String prefix) implements Stage {}

    /** The current activation becomes skip {@code index}. */
    record Push(int index) implements Stage {}

    /** Skip {@code index} is concatenated after the current activation's channels. */
    record Concat(int index) implements Stage {}

    private final List<Stage> stages = new ArrayList<>();
    private final String head;
    private final int skips;

    AdmLayout(AdmUNetConfig config) {
        int[] ch = config.channelsPerLayer();
        boolean[] att = config.useAttentionForLayer();
        int layers = ch.length;
        int perLayer = config.numResPerLayer();
        Deque<Integer> open = new ArrayDeque<>();
        int pushed = 0;
        open.push(pushed);
        stages.add(new Push(pushed++));
        int idx = 1;
        int factor = 1;
        for (int l = 0; l < layers; l++) {
            for (int r = 0; r < perLayer; r++, idx++) {
                String p = "down." + idx + "._module_list.";
                stages.add(new Res(p + 0, ch[l], Resample.NONE, factor));
                if (att[l]) {
                    stages.add(new Attention(p + 1));
                }
                open.push(pushed);
                stages.add(new Push(pushed++));
            }
            if (l < config.numResize()) {
                factor *= 2;
                stages.add(new Res("down." + idx + "._module_list.0", ch[l], Resample.DOWN, factor));
                open.push(pushed);
                stages.add(new Push(pushed++));
                idx++;
            }
        }
        long last = ch[layers - 1];
        stages.add(new Res("bottleneck._module_list.0", last, Resample.NONE, factor));
        stages.add(new Attention("bottleneck._module_list.1"));
        stages.add(new Res("bottleneck._module_list.2", last, Resample.NONE, factor));
        idx = 0;
        for (int j = 0; j < layers; j++) {
            int l = layers - 1 - j;
            for (int r = 0; r <= perLayer; r++, idx++) {
                String p = "up." + idx + "._module_list.";
                if (!open.isEmpty()) {
                    stages.add(new Concat(open.pop()));
                }
                stages.add(new Res(p + 0, ch[l], Resample.NONE, factor));
                int k = 1;
                if (att[l]) {
                    stages.add(new Attention(p + k++));
                }
                if (r == perLayer && j < config.numResize()) {
                    factor /= 2;
                    stages.add(new Res(p + k, ch[l], Resample.UP, factor));
                }
            }
        }
        if (!open.isEmpty()) {
            stages.add(new Concat(open.pop()));
        }
        this.head = "up." + idx + "._module_list.0.";
        this.skips = pushed;
    }

    List<Stage> stages() {
        return Collections.unmodifiableList(stages);
    }

    /** The head's prefix: GroupNorm at {@code head + "0"}, conv at {@code head + "2"}. */
    String head() {
        return head;
    }

    int skips() {
        return skips;
    }

    /** The res blocks' dropout sites, in forward order (the order the SameDiff graph declares them). */
    DropoutMasks dropoutMasks(double p) {
        DropoutMasks masks = new DropoutMasks(p);
        if (p > 0) {
            stages.stream().filter(s -> s instanceof Res).map(s -> (Res) s)
                    .forEach(r -> masks.addSite(r.prefix(), r.out(), r.factor()));
        }
        return masks;
    }
}
