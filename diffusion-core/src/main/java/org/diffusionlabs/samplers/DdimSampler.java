package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.Schedule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Iterator;

/**
 * DDIM sampling (Song et al. 2021, eq. 12 with σ from eq. 16): eta = 0 is deterministic, eta = 1 (the reference's
 * default) is DDPM-like. Port of the eval branch of {@code diffusion_labs/samplers/ddim.py}: K eval steps make K−1
 * updates, ending at the smallest eval step with no extra step to x0; ε is the raw predictor noise estimate.
 */
public final class DdimSampler implements Sampler {
    private static final String OWNER = "DdimSampler";
    private final DenoisingModel model;
    private final Schedule schedule;
    private final Predictor predictor;
    private final EvalSteps evalSteps;
    private final double eta;

    public DdimSampler(DenoisingModel model, Schedule schedule, Predictor predictor, EvalSteps evalSteps, double eta) {
        this.model = Checks.notNull(model, OWNER, "model");
        this.schedule = Checks.notNull(schedule, OWNER, "schedule");
        this.predictor = Checks.notNull(predictor, OWNER, "predictor");
        this.evalSteps = Checks.notNull(evalSteps, OWNER, "evalSteps");
        Checks.require(evalSteps.trainSteps() == schedule.steps(), OWNER, "evalSteps.trainSteps", evalSteps.trainSteps(),
                "must equal the schedule's steps " + schedule.steps());
        Checks.require(Double.isFinite(eta) && eta >= 0, OWNER, "eta", eta, "must be finite and >= 0");
        this.eta = eta;
    }

    @Override
    public int numSteps() {
        return Math.max(evalSteps.size() - 1, 0);
    }

    public double eta() {
        return eta;
    }

    /** One update from {@code curStep} to {@code nextStep} (per-sample steps, next below current). */
    public INDArray removeNoise(INDArray xt, Conditioning c, INDArray curStep, INDArray nextStep, StepNoise noise) {
        INDArray pred = model.predict(xt, curStep, c).prediction();
        // 1. x0 and ε from the prediction (x0 clamped if the predictor clamps)
        INDArray x0 = predictor.predictX0(pred, xt, curStep);
        INDArray z = noise.draw(xt);
        INDArray eps = predictor.predictNoise(pred, xt, curStep);
        int r = xt.rank();
        INDArray abar = schedule.coefficient(Coefficient.ALPHAS_CUMPROD, curStep, r);
        INDArray abarNext = schedule.coefficient(Coefficient.ALPHAS_CUMPROD, nextStep, r);
        // 2. σ = eta·sqrt((1 − ā/ā_next)·(1 − ā_next)/(1 − ā)), eq. 16
        INDArray oneMinusNext = abarNext.rsub(1.0);
        INDArray sigma = Transforms.sqrt(abar.div(abarNext).rsubi(1.0).muli(oneMinusNext).divi(abar.rsub(1.0)), false)
                .muli(eta);
        // 3. x_next = sqrt(ā_next)·x0 + σ·z + sqrt(1 − ā_next − σ²)·ε, in float64, cast back
        INDArray dir = Transforms.sqrt(oneMinusNext.sub(sigma.mul(sigma)), false);
        INDArray next = x0.castTo(DataType.DOUBLE).muli(Transforms.sqrt(abarNext, true))
                .addi(z.castTo(DataType.DOUBLE).muli(sigma))
                .addi(eps.castTo(DataType.DOUBLE).muli(dir));
        return next.castTo(xt.dataType());
    }

    @Override
    public Iterator<INDArray> denoise(INDArray xT, Conditioning c, StepNoise noise) {
        Checks.notNull(xT, OWNER, "xT");
        long[] order = evalSteps.descending();
        long b = xT.size(0);
        return new StepIterator(xT, numSteps(), (x, i) -> removeNoise(x, c,
                Nd4j.valueArrayOf(new long[] {b}, order[i], DataType.LONG),
                Nd4j.valueArrayOf(new long[] {b}, order[i + 1], DataType.LONG), noise));
    }

    @Override
    public void releaseMemory() {
        model.releaseMemory();
    }
}
