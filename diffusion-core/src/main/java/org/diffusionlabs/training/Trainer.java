package org.diffusionlabs.training;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The single-machine training loop: batches from a {@link DataCursor}, one {@link TrainStep} each at the scheduled
 * learning rate, the EMA after every step, and hooks for progress and checkpoints. It stops at {@code maxSteps} or
 * when the time budget is spent; all of its state (step, cursor, generator, optimiser, EMA) is in {@link State}
 * so a checkpoint can capture it and a resumed run continues bit for bit.
 */
public final class Trainer {
    /** Everything that changes as training proceeds. */
    public static final class State {
        public long step;
        public DataCursor cursor;
        public Rng rng;

        public State(long step, DataCursor cursor, Rng rng) {
            this.step = step;
            this.cursor = cursor;
            this.rng = rng;
        }
    }

    /** Progress and checkpoint callbacks; called on the training thread. */
    public interface Listener {
        /** After each step: the losses, the learning rate used, and the seconds the step took. */
        void onStep(long step, Map<String, Double> losses, double lr, double seconds);

        /** When a checkpoint is due (every {@code checkpointEvery} steps and at the end). */
        void onCheckpoint(long step);
    }

    private final TrainStep step;
    private final Ema ema;
    private final LearningRateSchedule lr;
    private final LabeledImages data;
    private final int batch;

    /**
     * @param data training images in [−1, 1] [n, c, h, w] with integer labels (fed to the label encoder)
     */
    public Trainer(TrainStep step, Ema ema, LearningRateSchedule lr, LabeledImages data, int batch) {
        this.step = Checks.notNull(step, "Trainer", "step");
        this.ema = ema;
        this.lr = Checks.notNull(lr, "Trainer", "lr");
        this.data = Checks.notNull(data, "Trainer", "data");
        Checks.require(batch > 0 && batch <= data.size(), "Trainer", "batch", batch, "must be in [1, " + data.size() + "]");
        this.batch = batch;
    }

    /**
     * Trains from {@code state} until {@code maxSteps} or {@code deadlineNanos} ({@link System#nanoTime()}; use
     * {@link Long#MAX_VALUE} for none). Returns the state at the end (the same object, advanced).
     */
    public State run(State state, long maxSteps, long deadlineNanos, int checkpointEvery, Listener listener) {
        while (state.step < maxSteps && System.nanoTime() < deadlineNanos) {
            DataCursor.Batch b = state.cursor.next(batch);
            LabeledImages part = data.subset(b.indices());
            Conditioning c = Conditioning.of(TrainingFeed.LABELS, Nd4j.createFromArray(part.labels()));
            double rate = lr.rate(state.step);
            long t0 = System.nanoTime();
            Map<String, Double> losses = step.run(part.images(), c, state.rng, rate);
            if (ema != null) {
                ema.update(step.graph().trainables());
            }
            state.step++;
            state.cursor = b.after();
            listener.onStep(state.step, losses, rate, (System.nanoTime() - t0) / 1e9);
            if (checkpointEvery > 0 && state.step % checkpointEvery == 0) {
                listener.onCheckpoint(state.step);
            }
        }
        return state;
    }
}
