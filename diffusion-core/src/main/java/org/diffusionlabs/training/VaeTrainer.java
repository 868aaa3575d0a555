package org.diffusionlabs.training;

import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.engine.Arena;
import org.diffusionlabs.losses.VaeLoss;
import org.diffusionlabs.models.vae.DropoutNoise;
import org.diffusionlabs.models.vae.VaeNetwork;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The single-machine VAE training loop, the counterpart of {@link Trainer} for a {@link VariationalAutoencoder}:
 * per optimiser step one batch from the seeded {@link DataCursor}, a forward with a reparameterised posterior sample
 * (ε, and dropout masks, from the step's own generator {@link Seeds#step}), {@link VaeLoss} (MSE + klWeight·KL),
 * backward, the global-norm clip, the optimiser at the scheduled rate, then the EMA. Its loop state is the same
 * {@link Trainer.State}, saved by {@link VaeCheckpoint} with the optimiser and EMA, so a resumed run continues bit
 * for bit.
 */
public final class VaeTrainer {
    /** Metric names of a step's losses: the total, the per-pixel MSE and the (unweighted, per-image) KL. */
    public static final String LOSS = "loss";
    public static final String RECONSTRUCTION = "reconstruction";
    public static final String KL = "kl";

    private final VariationalAutoencoder vae;
    private final VaeNetwork net;
    private final Optimizer optimizer;
    private final Ema ema;
    private final LearningRateSchedule lr;
    private final LabeledImages data;
    private final int batch;
    private final double klWeight;
    private final double clipNorm;

    /**
     * @param net      a network over {@code vae}'s parameters ({@link VariationalAutoencoder#network})
     * @param ema      the average of the weights, or null for none
     * @param data     training images in [−1, 1] with the VAE's channels (labels unused)
     * @param clipNorm global gradient-norm clip, 0 for none
     */
    public VaeTrainer(VariationalAutoencoder vae, VaeNetwork net, Optimizer optimizer, Ema ema, LearningRateSchedule lr,
                      LabeledImages data, int batch, double klWeight, double clipNorm) {
        this.vae = Checks.notNull(vae, "VaeTrainer", "vae");
        this.net = Checks.notNull(net, "VaeTrainer", "net");
        this.optimizer = Checks.notNull(optimizer, "VaeTrainer", "optimizer");
        this.ema = ema;
        this.lr = Checks.notNull(lr, "VaeTrainer", "lr");
        this.data = Checks.notNull(data, "VaeTrainer", "data");
        Checks.require(batch > 0 && batch <= data.size(), "VaeTrainer", "batch", batch, "must be in [1, " + data.size() + "]");
        Checks.require(klWeight >= 0 && Double.isFinite(klWeight), "VaeTrainer", "klWeight", klWeight, "must be >= 0");
        Checks.require(clipNorm >= 0, "VaeTrainer", "clipNorm", clipNorm, "must be >= 0 (0 = no clip)");
        long channels = data.images().size(1);
        Checks.require(channels == vae.config().inChannels(), "VaeTrainer", "data.channels", channels,
                "must be the VAE's in_channels " + vae.config().inChannels());
        this.batch = batch;
        this.klWeight = klWeight;
        this.clipNorm = clipNorm;
    }

    /**
     * Trains from {@code state} until {@code maxSteps} or {@code deadlineNanos} ({@link System#nanoTime()};
     * {@link Long#MAX_VALUE} for none); returns the same state, advanced.
     */
    public Trainer.State run(Trainer.State state, long maxSteps, long deadlineNanos, int checkpointEvery,
                             Trainer.Listener listener) {
        while (state.step < maxSteps && System.nanoTime() < deadlineNanos) {
            double rate = lr.rate(state.step);
            long t0 = System.nanoTime();
            DataCursor.Batch b = state.cursor.next(batch);
            INDArray x = data.subset(b.indices()).images();
            if (x.dataType() != DataType.FLOAT) {
                x = x.castTo(DataType.FLOAT);
            }
            Map<String, Double> losses = step(x, state.stepRng(), rate);
            state.step++;
            state.cursor = b.after();
            listener.onStep(state.step, losses, rate, (System.nanoTime() - t0) / 1e9);
            if (!Double.isFinite(losses.get(LOSS))) {
                throw new NonFiniteLossException("VAE loss is " + losses.get(LOSS) + " at step " + state.step);
            }
            if (checkpointEvery > 0 && state.step % checkpointEvery == 0) {
                listener.onCheckpoint(state.step);
            }
        }
        return state;
    }

    /** One optimiser step on images {@code x}; the noise ε is drawn before the dropout masks. */
    private Map<String, Double> step(INDArray x, Rng rng, double rate) {
        int d = vae.config().downscale();
        INDArray noise = rng.randn(x.size(0), vae.config().embeddingChannels(), x.size(2) / d, x.size(3) / d);
        DropoutNoise dropout = vae.config().dropout() > 0 ? DropoutNoise.torch(rng) : DropoutNoise.NONE;
        VaeLoss.Terms t;
        try {
            VaeNetwork.Output out = net.forward(x, noise, dropout, true);
            Arena a = net.arena();
            INDArray dDecoded = a.take(out.decoded().shape());
            INDArray dMean = a.take(out.posterior().mean().shape());
            INDArray dLogVariance = a.take(out.posterior().mean().shape());
            t = VaeLoss.compute(out.decoded(), x, out.posterior(), klWeight, dDecoded, dMean, dLogVariance);
            net.backward(dDecoded, dMean, dLogVariance, false);
            Map<String, INDArray> grads = net.gradients().gradients();
            if (clipNorm > 0) {
                GradientClipping.clip(grads, clipNorm);
            }
            optimizer.step(vae.stateDict(), grads, rate);
            net.gradients().zero();
            if (ema != null) {
                ema.update(vae.stateDict());
            }
        } finally {
            net.reclaim();
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put(LOSS, t.loss());
        losses.put(RECONSTRUCTION, t.reconstruction());
        losses.put(KL, t.kl());
        return losses;
    }
}
