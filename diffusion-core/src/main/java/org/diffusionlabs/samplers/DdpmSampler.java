package org.diffusionlabs.samplers;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.models.DenoisingModel;
import org.diffusionlabs.models.DiffusionOutput;
import org.diffusionlabs.nd.Broadcast;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.Predictor;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Iterator;

/**
 * Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2) with optional strided eval steps (Nichol and Dhariwal
 * 2021, eq. 19) and learned variance. Port of the eval branch of {@code diffusion_labs/samplers/ddpm.py}.
 *
 * <p>With eval steps the posterior comes from a respaced schedule indexed by the step's position, while the model
 * still sees the original timestep; noise is added to every sample whose original t is not 0.
 */
public final class DdpmSampler implements Sampler {
    private static final String OWNER = "DdpmSampler";
    private final DenoisingModel model;
    private final EvalSteps evalSteps;
    private final DiscreteGaussianSchedule evalSchedule;
    private final Predictor evalPredictor;
    private final long[] evalStepsMap;

    /** Samples over every step of the schedule. */
    public DdpmSampler(DenoisingModel model, DiscreteGaussianSchedule schedule, Predictor predictor) {
        this(model, schedule, predictor, EvalSteps.all(schedule.steps()));
    }

    public DdpmSampler(DenoisingModel model, DiscreteGaussianSchedule schedule, Predictor predictor, EvalSteps evalSteps) {
        this.model = Checks.notNull(model, OWNER, "model");
        Checks.notNull(schedule, OWNER, "schedule");
        Checks.notNull(predictor, OWNER, "predictor");
        this.evalSteps = Checks.notNull(evalSteps, OWNER, "evalSteps");
        Checks.require(evalSteps.trainSteps() == schedule.steps(), OWNER, "evalSteps.trainSteps", evalSteps.trainSteps(),
                "must equal the schedule's steps " + schedule.steps());
        Checks.require(evalSteps.size() != 1, OWNER, "evalSteps", evalSteps.steps(),
                "needs 0 or at least 2 steps (a 1-step respaced schedule has no posterior)");
        this.evalStepsMap = evalSteps.map();
        if (evalSteps.isFull() || evalSteps.size() == 0) {
            this.evalSchedule = schedule;
            this.evalPredictor = predictor;
        } else {
            this.evalSchedule = schedule.respace(evalSteps.steps());
            this.evalPredictor = predictor.withSchedule(evalSchedule);
        }
    }

    @Override
    public int numSteps() {
        return evalSteps.size();
    }

    public EvalSteps evalSteps() {
        return evalSteps;
    }

    /** The schedule the posterior is computed on (the respaced one when eval steps are strided). */
    public DiscreteGaussianSchedule evalSchedule() {
        return evalSchedule;
    }

    /** Posterior estimate at original steps t, using the eval schedule at the steps' positions. */
    public Posterior predictParameters(DiffusionOutput out, INDArray xt, INDArray t) {
        return DdpmPosterior.estimate(evalPredictor, evalSchedule, out, xt, positions(t));
    }

    /** One reverse step x_t → x_{t−1} at original steps t (one model call). */
    public INDArray removeNoise(INDArray xt, INDArray t, Conditioning c, StepNoise noise) {
        DiffusionOutput out = model.predict(xt, t, c);
        Posterior p = predictParameters(out, xt, t);
        INDArray z = noise.draw(xt);
        double[] steps = Broadcast.timesteps(t);
        double[] mask = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            mask[i] = steps[i] != 0 ? 1 : 0;
        }
        long[] maskShape = new long[xt.rank()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[0] = steps.length;
        INDArray m = Nd4j.create(mask, maskShape, DataType.DOUBLE).castTo(xt.dataType());
        INDArray std = Transforms.exp(p.logVariance().mul(0.5), false);
        return p.mean().add(std.muli(m).muli(z));
    }

    @Override
    public Iterator<INDArray> denoise(INDArray xT, Conditioning c, StepNoise noise) {
        Checks.notNull(xT, OWNER, "xT");
        long[] order = evalSteps.descending();
        long b = xT.size(0);
        return new StepIterator(xT, order.length,
                (x, i) -> removeNoise(x, Nd4j.valueArrayOf(new long[] {b}, order[i], DataType.LONG), c, noise));
    }

    private INDArray positions(INDArray t) {
        double[] steps = Broadcast.timesteps(t);
        long[] idx = new long[steps.length];
        for (int i = 0; i < steps.length; i++) {
            double s = steps[i];
            Checks.require(s == Math.rint(s) && s >= 0 && s < evalStepsMap.length, OWNER, "t", s,
                    "must be an integer step in [0, " + evalStepsMap.length + ")");
            idx[i] = evalStepsMap[(int) s];
        }
        return Nd4j.createFromArray(idx);
    }

    @Override
    public void releaseMemory() {
        model.releaseMemory();
    }
}
