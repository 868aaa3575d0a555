package org.diffusionlabs.nd;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hot-loop memory idiom (DESIGN.md L10): each iteration of the sampler loop and of the training loop runs its
 * eager temporaries in a per-thread ND4J workspace whose memory is reused by the next iteration; whatever survives
 * the iteration is {@link #detach detached}. Weights, optimiser state, the EMA and schedule tensors are created
 * outside workspaces, and SameDiff graphs run {@link #outside outside} them (they manage their own array cache).
 *
 * <p>{@value #PROPERTY}{@code =false} (or {@link #setEnabled}) turns the scopes off: {@link #open} then returns
 * {@code null}, which try-with-resources accepts, and the loops allocate as plain eager code. The numerics are the
 * same either way (only where the memory comes from changes).
 */
public final class Workspaces {
    /** System property; {@code false} disables the loop workspaces. */
    public static final String PROPERTY = "diffusion.workspaces";
    /** One reverse step of a sampler (predictor math, posterior, noise, the next x before it is detached). */
    public static final String SAMPLER_STEP_WS = "DIFFUSION_SAMPLER_STEP_WS";
    /** One optimiser step: batch gathering, t/noise, q_sample, feed, masks, clipping, optimiser and EMA temporaries. */
    public static final String TRAIN_STEP_WS = "DIFFUSION_TRAIN_STEP_WS";

    /**
     * Learns its size in the first iteration (allocations spill outside meanwhile), then over-allocates 20 % and
     * reallocates when an iteration needs more (e.g. a larger last batch).
     */
    public static final WorkspaceConfiguration STEP_WS_CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .overallocationLimit(0.2)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private static volatile Boolean override;

    private Workspaces() {}

    /** Whether the loop workspaces are on ({@link #setEnabled} if called, else {@value #PROPERTY}, default true). */
    public static boolean enabled() {
        Boolean o = override;
        return o != null ? o : !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /** Forces the workspaces on or off ({@code null}: back to the system property); for comparisons in tests. */
    public static void setEnabled(Boolean on) {
        override = on;
    }

    /**
     * Opens and activates workspace {@code id} for one iteration, or returns {@code null} when workspaces are off
     * or {@code id} is already active on this thread (a nested loop body then just uses the outer scope).
     */
    public static MemoryWorkspace open(String id) {
        if (!enabled() || Nd4j.getWorkspaceManager().checkIfWorkspaceExistsAndActive(id)) {
            return null;
        }
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WS_CONFIG, id);
    }

    /** {@code a} if it is not in a workspace, else a copy outside all workspaces (the array survives the scope). */
    public static INDArray detach(INDArray a) {
        return a != null && a.isAttached() ? a.detach() : a;
    }

    /** {@link #detach} of every value, in order. */
    public static Map<String, INDArray> detach(Map<String, INDArray> arrays) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, detach(v)));
        return out;
    }

    /** Runs {@code body} with no workspace active (for long-lived arrays and for SameDiff execution). */
    public static <T> T outside(Supplier<T> body) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return body.get();
        }
    }

    /** As {@link #outside(Supplier)}, for a body without result. */
    public static void outside(Runnable body) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            body.run();
        }
    }
}
