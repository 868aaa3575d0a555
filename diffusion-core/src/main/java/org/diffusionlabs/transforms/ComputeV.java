package org.diffusionlabs.transforms;

import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.nd.Rng;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds the v-prediction target v = sqrt(ᾱ_t)·noise − sqrt(1 − ᾱ_t)·x0 (Salimans and Ho 2022) computed from the
 * fields x, t and noise; pair it with {@link org.diffusionlabs.predictors.VPredictor}. Port of
 * {@code diffusion_labs/transforms/v_transform.py}.
 */
public final class ComputeV implements Transform {
    private final Schedule schedule;
    private final String dataField;
    private final String timeField;
    private final String noiseField;
    private final String vField;

    public ComputeV(Schedule schedule) {
        this(schedule, "x", "t", "noise", "v");
    }

    public ComputeV(Schedule schedule, String dataField, String timeField, String noiseField, String vField) {
        this.schedule = Checks.notNull(schedule, "ComputeV", "schedule");
        this.dataField = Checks.notNull(dataField, "ComputeV", "dataField");
        this.timeField = Checks.notNull(timeField, "ComputeV", "timeField");
        this.noiseField = Checks.notNull(noiseField, "ComputeV", "noiseField");
        this.vField = Checks.notNull(vField, "ComputeV", "vField");
    }

    @Override
    public Batch apply(Batch batch, Rng rng) {
        INDArray x0 = batch.require(dataField, "ComputeV");
        INDArray t = batch.require(timeField, "ComputeV");
        INDArray noise = batch.require(noiseField, "ComputeV");
        int r = x0.rank();
        INDArray v = noise.castTo(DataType.DOUBLE).muli(schedule.coefficient(Coefficient.SQRT_ALPHAS_CUMPROD, t, r))
                .subi(x0.castTo(DataType.DOUBLE).muli(schedule.coefficient(Coefficient.SQRT_COMPLIMENT_ALPHAS_CUMPROD, t, r)));
        return batch.with(vField, v.castTo(x0.dataType()));
    }
}
