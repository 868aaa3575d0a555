package org.diffusionlabs.models.adm;

import org.diffusionlabs.models.Parameters;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Central-difference gradient check of a SameDiff graph in float64 on a random subset of entries. The graph is
 * built once in float32 to draw the (float32) {@code Parameters}, then rebuilt in a fresh graph whose parameter
 * variables are float64 copies created up front (the layer builders reuse a graph's existing variable of the same
 * name), so scalar ops are created in float64 too; leftover float32 constants are converted. The loss is Σ out ⊙ W
 * with a fixed random W (so no gradient is trivially zero), and every VARIABLE (parameters and the inputs, which
 * tests hold as variables) must receive a gradient. An entry passes when
 * |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
 */
final class GradientCheck {
    static final double EPS = 1e-6;
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-8;

    private GradientCheck() {}

    /** Outcome: entries and variables checked, failures, worst error, largest analytic entry checked (non-vacuity). */
    record Result(int checked, int variablesChecked, int variables, List<String> failures, double worstError,
                  double maxAbsGradient) {
        boolean passed() {
            return failures.isEmpty() && checked > 0;
        }

        @Override
        public String toString() {
            return checked + " entries of " + variablesChecked + "/" + variables + " variables, " + failures.size() + " failures, worst |a−n| " + worstError
                    + ", max |grad| " + maxAbsGradient + (failures.isEmpty() ? "" : ": " + failures.subList(0, Math.min(5, failures.size())));
        }
    }

    /** Builds the graph under test with inputs (held as variables) of the given type; returns its outputs. */
    interface Graph {
        SDVariable[] build(SameDiff sd, DataType type);
    }

    /**
     * Checks up to {@code perVariable} random entries of every input variable and of up to {@code maxVariables}
     * random parameters (all when ≤ 0). {@code corrupt} may alter the analytic gradients before the comparison (negative controls).
     */
    static Result run(Parameters params, Graph graph, int perVariable, int maxVariables, long seed,
                      Consumer<Map<String, INDArray>> corrupt) {
        graph.build(SameDiff.create(), DataType.FLOAT);
        DataType[] before = {Nd4j.dataType(), Nd4j.defaultFloatingPointType()};
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            SameDiff sd = SameDiff.create();
            params.asMap().forEach((n, v) -> sd.var(n, v.castTo(DataType.DOUBLE)));
            SDVariable[] outs = graph.build(sd, DataType.DOUBLE);
            Map<String, DataType> toDouble = new HashMap<>();
            List<String> names = new ArrayList<>();
            for (SDVariable v : sd.variables()) {
                boolean stored = v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT;
                if (stored && v.dataType() == DataType.FLOAT) {
                    toDouble.put(v.name(), DataType.DOUBLE);
                }
                if (v.getVariableType() == VariableType.VARIABLE) {
                    names.add(v.name());
                }
            }
            sd.convertDataTypes(toDouble);
            String loss = weightedSumLoss(sd, seed, outs);
            sd.setLossVariables(loss);
            Map<String, INDArray> grads = new HashMap<>(sd.calculateGradients(Map.of(), names));
            if (corrupt != null) {
                corrupt.accept(grads);
            }
            Random random = new Random(seed);
            List<String> failures = new ArrayList<>();
            for (String n : names) {
                if (grads.get(n) == null) {
                    failures.add(n + ": no gradient");
                }
            }
            List<String> chosen = new ArrayList<>(names);
            chosen.removeIf(params.asMap()::containsKey);
            List<String> paramNames = new ArrayList<>(names);
            paramNames.retainAll(params.asMap().keySet());
            Collections.shuffle(paramNames, random);
            chosen.addAll(maxVariables > 0 && paramNames.size() > maxVariables ? paramNames.subList(0, maxVariables) : paramNames);
            int checked = 0;
            double worst = 0;
            double maxGrad = 0;
            for (String n : chosen) {
                INDArray param = sd.getArrForVarName(n);
                INDArray grad = grads.get(n);
                if (grad == null) {
                    continue;
                }
                INDArray flatParam = param; // linear (c-order) indexing below
                INDArray flatGrad = grad;
                for (int e = 0; e < Math.min(perVariable, param.length()); e++) {
                    long i = param.length() <= perVariable ? e : (long) random.nextInt((int) param.length());
                    double orig = flatParam.getDouble(i);
                    flatParam.putScalar(i, orig + EPS);
                    double plus = lossValue(sd, loss);
                    flatParam.putScalar(i, orig - EPS);
                    double minus = lossValue(sd, loss);
                    flatParam.putScalar(i, orig);
                    double numeric = (plus - minus) / (2 * EPS);
                    double analytic = flatGrad.getDouble(i);
                    double err = Math.abs(analytic - numeric);
                    worst = Math.max(worst, err);
                    maxGrad = Math.max(maxGrad, Math.abs(analytic));
                    if (!(err <= ATOL + RTOL * Math.max(Math.abs(analytic), Math.abs(numeric)))) {
                        failures.add(n + "[" + i + "] analytic " + analytic + " numeric " + numeric);
                    }
                    checked++;
                }
            }
            return new Result(checked, chosen.size(), names.size(), failures, worst, maxGrad);
        } finally {
            Nd4j.setDefaultDataTypes(before[0], before[1]);
        }
    }

    /** Σ out_i ⊙ W_i with W_i ~ N(0, 1) from {@code seed}, as the scalar loss. */
    private static String weightedSumLoss(SameDiff sd, long seed, SDVariable... outs) {
        Map<String, INDArray> values = sd.output(Map.of(), java.util.Arrays.stream(outs).map(SDVariable::name).toArray(String[]::new));
        Nd4j.getRandom().setSeed(seed);
        SDVariable loss = null;
        for (int i = 0; i < outs.length; i++) {
            SDVariable w = sd.constant("loss_weight_" + i, Nd4j.randn(DataType.DOUBLE, values.get(outs[i].name()).shape()));
            SDVariable term = outs[i].mul(w).sum();
            loss = loss == null ? term : loss.add(term);
        }
        return sd.identity("grad_check_loss", loss).name();
    }

    private static double lossValue(SameDiff sd, String loss) {
        return sd.output(Map.of(), loss).get(loss).getDouble(0);
    }
}
