package org.diffusionlabs.training;

import org.diffusionlabs.models.Conditioning;
import org.diffusionlabs.nd.Checks;
import org.diffusionlabs.predictors.X0Form;
import org.diffusionlabs.schedules.Coefficient;
import org.diffusionlabs.schedules.DiscreteGaussianSchedule;
import org.diffusionlabs.schedules.Posterior;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the placeholder values of a {@link TrainingGraph} for one batch: the network inputs, the target, and
 * everything the loss needs that depends only on data and schedule — per-sample coefficients gathered in float64,
 * the true posterior q(x_{t−1} | x_t, x_0), the ±0.999 edge masks of x0 and the t == 0 mask.
 */
public final class TrainingFeed {
    public static final String XT = "x_t";
    public static final String T = "t";
    public static final String COND_PREFIX = "cond.";
    /** Integer class labels [b] for a graph with a {@link LabelEmbedding}. */
    public static final String LABELS = "labels";
    /** Keep masks of classifier-free guidance training, {@code keep.<condition>} [b, 1]: 1 keeps, 0 drops. */
    public static final String KEEP_PREFIX = "keep.";
    public static final String TARGET = "target";
    public static final String X0 = "x0";
    /** a(t) of the predictor's x0 form x0 = a(t)·x_t − b(t)·prediction ({@link X0Form}). */
    public static final String X0_XT = "coef.x0_xt";
    /** b(t) of that form. */
    public static final String X0_PREDICTION = "coef.x0_prediction";
    public static final String MEAN_X0 = "coef.posterior_mean_x0_coef";
    public static final String MEAN_XT = "coef.posterior_mean_xt_coef";
    public static final String LOG_LOWER = "coef.lower_posterior_log_variance";
    public static final String LOG_UPPER = "coef.upper_posterior_log_variance";
    public static final String Q_MEAN = "q_mean";
    public static final String Q_LOGVAR = "q_log_variance";
    public static final String EDGE_LOW = "x0_low_edge";
    public static final String EDGE_HIGH = "x0_high_edge";
    public static final String T_ZERO = "t_is_zero";

    private TrainingFeed() {}

    /**
     * @param x0     clean data [b, c, h, w] in [−1, 1]
     * @param xt     noised data q_sample(x0, noise, t)
     * @param t      integer steps [b]
     * @param target what the prediction is regressed on (the predictor's
     *               {@link org.diffusionlabs.predictors.Predictor#trainingTarget}: ε, x0 or v)
     * @param c      conditional inputs
     */
    public static Map<String, INDArray> of(TrainingGraph graph, DiscreteGaussianSchedule schedule, INDArray x0,
                                           INDArray xt, INDArray t, INDArray target, Conditioning c) {
        Checks.require(graph.guidance() == null, "TrainingFeed", "keepMasks", null,
                "a graph with classifier-free guidance needs keep masks (use the overload taking them)");
        return of(graph, schedule, x0, xt, t, target, c, Map.of());
    }

    /**
     * As above, with the guidance keep masks ({@code ClassifierFreeGuidance.keepMask(batch, rng)}) for a graph
     * built with guidance.
     */
    public static Map<String, INDArray> of(TrainingGraph graph, DiscreteGaussianSchedule schedule, INDArray x0,
                                           INDArray xt, INDArray t, INDArray target, Conditioning c,
                                           Map<String, INDArray> keepMasks) {
        Checks.require(x0.rank() == 4, "TrainingFeed", "x0", java.util.Arrays.toString(x0.shape()), "must be [b, c, h, w]");
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(XT, xt.castTo(DataType.FLOAT));
        feed.put(T, t.castTo(DataType.FLOAT).reshape(x0.size(0)));
        if (graph.encoder() != null) {
            INDArray labels = c.get(LABELS);
            Checks.require(labels != null, "TrainingFeed", LABELS, null, "a graph with a label encoder needs the labels");
            feed.put(LABELS, labels.castTo(DataType.INT).reshape(x0.size(0)));
        } else if (graph.unet().config().embedDim() > 0) {
            String name = graph.unet().config().embedName();
            INDArray v = c.get(name);
            Checks.require(v != null, "TrainingFeed", name, null, "the conditional input is missing");
            feed.put(COND_PREFIX + name, v.castTo(DataType.FLOAT));
        }
        if (graph.guidance() != null) {
            for (String key : graph.guidance().dimCond().keySet()) {
                INDArray keep = keepMasks.get(key);
                Checks.require(keep != null, "TrainingFeed", "keepMasks", keepMasks.keySet(), "needs a mask for '" + key + "'");
                feed.put(KEEP_PREFIX + key, keep.castTo(DataType.FLOAT).reshape(x0.size(0), 1));
            }
        }
        feed.put(TARGET, target.castTo(DataType.FLOAT));
        if (graph.loss() == TrainingGraph.Loss.HYBRID) {
            putX0Coefs(feed, graph, schedule, t);
            putCoef(feed, MEAN_X0, schedule, Coefficient.POSTERIOR_MEAN_X0_COEF, t);
            putCoef(feed, MEAN_XT, schedule, Coefficient.POSTERIOR_MEAN_XT_COEF, t);
            putCoef(feed, LOG_LOWER, schedule, Coefficient.LOWER_POSTERIOR_LOG_VARIANCE, t);
            putCoef(feed, LOG_UPPER, schedule, Coefficient.UPPER_POSTERIOR_LOG_VARIANCE, t);
            Posterior q = schedule.qPosterior(x0, xt, t);
            feed.put(Q_MEAN, q.mean().castTo(DataType.FLOAT));
            feed.put(Q_LOGVAR, q.logVariance().castTo(DataType.FLOAT));
            feed.put(X0, x0.castTo(DataType.FLOAT));
            feed.put(EDGE_LOW, x0.castTo(DataType.FLOAT).lt(-0.999).castTo(DataType.FLOAT));
            feed.put(EDGE_HIGH, x0.castTo(DataType.FLOAT).gt(0.999).castTo(DataType.FLOAT));
            feed.put(T_ZERO, t.castTo(DataType.DOUBLE).match(0.0, Conditions.equals()).castTo(DataType.FLOAT).reshape(x0.size(0)));
        }
        return feed;
    }

    /** The predictor's x0 form at t, so the graph turns its prediction into x0 without knowing the prediction type. */
    private static void putX0Coefs(Map<String, INDArray> feed, TrainingGraph graph, DiscreteGaussianSchedule s, INDArray t) {
        X0Form form = graph.predictor(s).x0Form(t, 4);
        feed.put(X0_XT, form.xtCoef().castTo(DataType.FLOAT));
        feed.put(X0_PREDICTION, form.predictionCoef().castTo(DataType.FLOAT));
    }

    private static void putCoef(Map<String, INDArray> feed, String key, DiscreteGaussianSchedule s, Coefficient c, INDArray t) {
        feed.put(key, s.coefficient(c, t, 4).castTo(DataType.FLOAT));
    }

}
