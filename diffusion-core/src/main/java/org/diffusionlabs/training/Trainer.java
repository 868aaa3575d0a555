package org.diffusionlabs.training;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.nd.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The single-machine training loop: per optimiser step, {@code accum} consecutive micro-batches from a
 * {@link DataCursor} go into one {@link TrainStep} (gradient accumulation) at the scheduled learning rate, then the
 * EMA, and hooks for progress and checkpoints; steps, the learning-rate schedule and checkpoints all count optimiser
 * steps. It stops at {@code maxSteps} or
 * when the time budget is spent; its loop state (step, cursor, seed) is in {@link State} and, with the optimiser and
 * EMA, in a checkpoint, so a resumed run continues bit for bit. Step randomness is derived per step ({@link Seeds}).
 */
public final class Trainer {
    /**
     * Everything that changes as training proceeds: the optimiser steps done, where the data cursor is, and the
     * run seed and data partition the step randomness derives from ({@link Seeds#step}: optimiser step s draws from
     * {@code Rng(Seeds.step(seed, s, partition))}, so no generator state needs saving).
     */
    public static final class State {
        public long step;
        public DataCursor cursor;
        public final long seed;
        public final int partition;

        public State(long step, DataCursor cursor, long seed, int partition) {
            Checks.require(step >= 0, "Trainer.State", "step", step, "must be >= 0");
            Checks.require(partition >= 0, "Trainer.State", "partition", partition, "must be >= 0");
            this.step = step;
            this.cursor = Checks.notNull(cursor, "Trainer.State", "cursor");
            this.seed = seed;
            this.partition = partition;
        }

        /** The start of a single-machine run (partition 0) over {@code dataSize} examples. */
        public static State start(long seed, int dataSize) {
            return new State(0, DataCursor.start(Seeds.data(seed, 0), dataSize), seed, 0);
        }

        /** The generator of the next optimiser step. */
        Rng stepRng() {
            return new Rng(Seeds.step(seed, step, partition));
        }
    }

    /** Progress and checkpoint callbacks; called on the training thread. */
    public interface Listener {
        /** Reports nothing. */
        Listener NONE = (step, losses, lr, seconds) -> { };

        /** After each optimiser step: the losses (mean over its micro-batches), the learning rate, and its seconds. */
        void onStep(long step, Map<String, Double> losses, double lr, double seconds);

        /** When a checkpoint is due (every {@code checkpointEvery} steps and at the end); nothing by default. */
        default void onCheckpoint(long step) {
        }
    }

    private final TrainStep step;
    private final Ema ema;
    private final LearningRateSchedule lr;
    private final LabeledImages data;
    private final int batch;
    private final int accum;

    /**
     * @param data training images in [−1, 1] [n, c, h, w] with integer labels (fed to the label encoder) or, for a
     *             model without one, condition vectors [n, embedDim] ({@link LabeledImages#embeddings()})
     */
    public Trainer(TrainStep step, Ema ema, LearningRateSchedule lr, LabeledImages data, int batch) {
        this(step, ema, lr, data, batch, 1);
    }

    /**
     * @param batch micro-batch size (one forward + backward)
     * @param accum micro-batches per optimiser step (gradient accumulation; the effective batch is accum·batch)
     */
    public Trainer(TrainStep step, Ema ema, LearningRateSchedule lr, LabeledImages data, int batch, int accum) {
        this.step = Checks.notNull(step, "Trainer", "step");
        this.ema = ema;
        this.lr = Checks.notNull(lr, "Trainer", "lr");
        this.data = Checks.notNull(data, "Trainer", "data");
        Checks.require(batch > 0 && batch <= data.size(), "Trainer", "batch", batch, "must be in [1, " + data.size() + "]");
        Checks.require(accum > 0, "Trainer", "accum", accum, "must be >= 1");
        TrainingGraph g = step.graph();
        long dim = g.unet().config().embedDim();
        if (g.encoder() == null && dim > 0) {
            INDArray e = data.embeddings();
            Checks.require(e != null && e.size(1) == dim, "Trainer", "data.embeddings",
                    e == null ? null : Arrays.toString(e.shape()), "the model is conditioned on vectors of "
                            + g.unet().config().embedName() + ": needs [n, " + dim + "] condition vectors");
        }
        this.batch = batch;
        this.accum = accum;
    }

    /**
     * The conditional input of a micro-batch: its labels for a graph with a label encoder, else its condition
     * vectors under the U-Net's embedding name (none for an unconditional U-Net).
     */
    private Conditioning conditioning(LabeledImages part) {
        TrainingGraph g = step.graph();
        if (g.encoder() != null) {
            return Conditioning.of(TrainingFeed.LABELS, Nd4j.createFromArray(part.labels()));
        }
        if (g.unet().config().embedDim() <= 0) {
            return Conditioning.none();
        }
        return Conditioning.of(g.unet().config().embedName(), part.embeddings());
    }

    /**
     * Trains from {@code state} until {@code maxSteps} or {@code deadlineNanos} ({@link System#nanoTime()}; use
     * {@link Long#MAX_VALUE} for none). Returns the state at the end (the same object, advanced).
     */
    public State run(State state, long maxSteps, long deadlineNanos, int checkpointEvery, Listener listener) {
        while (state.step < maxSteps && System.nanoTime() < deadlineNanos) {
            DataCursor cursor = state.cursor;
            double rate = lr.rate(state.step);
            long t0 = System.nanoTime();
            Map<String, Double> losses;
            // Batch gathering, the step's temporaries and the EMA's in one per-step workspace (DESIGN.md L10);
            // weights, optimiser moments and the EMA shadow live outside it and are updated in place.
            try (MemoryWorkspace ws = Workspaces.open(Workspaces.TRAIN_STEP_WS)) {
                List<TrainStep.MicroBatch> micro = new ArrayList<>(accum);
                for (int i = 0; i < accum; i++) {
                    DataCursor.Batch b = cursor.next(batch);
                    LabeledImages part = data.subset(b.indices());
                    micro.add(new TrainStep.MicroBatch(part.images(), conditioning(part)));
                    cursor = b.after();
                }
                losses = step.run(micro, state.stepRng(), rate);
                if (ema != null) {
                    ema.update(step.graph().trainables());
                }
            }
            state.step++;
            state.cursor = cursor;
            listener.onStep(state.step, losses, rate, (System.nanoTime() - t0) / 1e9);
            if (checkpointEvery > 0 && state.step % checkpointEvery == 0) {
                listener.onCheckpoint(state.step);
            }
        }
        return state;
    }
}
