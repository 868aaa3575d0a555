package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws a random diffusion step and noise for the data and adds the noised data: from {@code x} it adds
 * {@code t}, {@code noise} and {@code xt} = q_sample(x, noise, t). Port of
 * {@code diffusion_labs/transforms/diffusion_transform.py}. Batched data {@code [b, ...]} gets an int32 t of
 * shape {@code [b]}; unbatched data (one sample, e.g. {@code [c, h, w]}) gets a scalar t. Steps are drawn before
 * the noise, as in the reference.
 */
public final class RandomDiffusionSteps implements Transform {
    private final Schedule schedule;
    private final boolean batched;
    private final String dataField;
    private final String timeField;
    private final String noiseField;
    private final String noisedDataField;

    /** Batched, with the reference's field names x, t, noise, xt. */
    public RandomDiffusionSteps(Schedule schedule) {
        this(schedule, true, "x", "t", "noise", "xt");
    }

    public RandomDiffusionSteps(Schedule schedule, boolean batched, String dataField, String timeField,
                                String noiseField, String noisedDataField) {
        this.schedule = Checks.notNull(schedule, "RandomDiffusionSteps", "schedule");
        this.batched = batched;
        this.dataField = Checks.notNull(dataField, "RandomDiffusionSteps", "dataField");
        this.timeField = Checks.notNull(timeField, "RandomDiffusionSteps", "timeField");
        this.noiseField = Checks.notNull(noiseField, "RandomDiffusionSteps", "noiseField");
        this.noisedDataField = Checks.notNull(noisedDataField, "RandomDiffusionSteps", "noisedDataField");
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        INDArray x0 = batch.require(dataField, "RandomDiffusionSteps");
        INDArray t;
        if (batched) {
            Checks.require(x0.rank() >= 1, "RandomDiffusionSteps", dataField, java.util.Arrays.toString(x0.shape()),
                    "batched data needs a batch dimension");
            t = schedule.sampleSteps(x0, rng);
        } else {
            INDArray one = schedule.sampleSteps(Nd4j.expandDims(x0, 0), rng);
            t = Nd4j.scalar(one.dataType(), one.getDouble(0));
        }
        INDArray noise = schedule.sampleNoise(x0, rng);
        INDArray xt = schedule.qSample(x0, noise, t);
        return batch.with(timeField, t).with(noiseField, noise).with(noisedDataField, xt);
    }
}
