package org.diffusionlabs.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffusionlabs.jobs.cli.Args;
import org.diffusionlabs.jobs.cli.Command;
import org.diffusionlabs.jobs.cli.UsageException;
import org.diffusionlabs.spark.DiffusionModel;

import java.io.PrintStream;

/**
 * The Spark side of {@code diffusion sample --master}: a {@link DiffusionModel} — built from a training run's
 * checkpoint, or loaded from a saved model directory ({@code --model}, e.g. written by a notebook's
 * {@code model.write().save(...)}) — maps a Parquet file of conditions (labels, or condition vectors for a model
 * conditioned on vectors) to a Parquet file with one PNG per row. The schema is checked before any job runs.
 */
final class SparkSampling {
    private SparkSampling() {}

    /**
     * Applies the command's sampling options that are given (the rest keep the model's values), for a saved model.
     */
    static DiffusionModel override(DiffusionModel m, Args args) throws UsageException {
        args.string("sampler").ifPresent(m::setSampler);
        args.optionalInt("steps").ifPresent(m::setSteps);
        if (args.string("eta").isPresent()) {
            m.setEta(args.real("eta", 0));
        }
        if (args.string("guidance").isPresent()) {
            m.setGuidance(args.real("guidance", 0));
        }
        args.optionalInt("seed").ifPresent(s -> m.setSeed(s));
        args.string("weights").ifPresent(m::setSampleWeights);
        return columns(m, args);
    }

    /** The column options: label, embedding and key columns, rows per batch and the raw output. */
    static DiffusionModel columns(DiffusionModel m, Args args) throws UsageException {
        args.string("label-col").ifPresent(m::setLabelCol);
        args.string("embedding-col").ifPresent(m::setEmbeddingCol);
        args.string("key-col").ifPresent(m::setKeyCol);
        int batch = args.optionalInt("batch").orElse(m.getBatchSize());
        if (batch < 1) {
            throw new UsageException("option --batch must be >= 1, got " + batch);
        }
        return m.setBatchSize(batch).setRawCol(args.flag("raw") ? "image" : null);
    }

    /** Samples {@code conditions} to {@code target} on {@code master}; {@code source} names the model in the log. */
    static int run(DiffusionModel model, String master, String conditions, String target, String source,
                   PrintStream err) {
        boolean existed = SparkSession.getDefaultSession().isDefined();
        SparkSession spark = SparkSession.builder().master(master).appName("diffusion sample").getOrCreate();
        try {
            Dataset<Row> conds = spark.read().parquet(conditions);
            model.transformSchema(conds.schema());
            err.printf("sampling one image per row of %s on %s from %s (%s weights), %s %d steps, guidance %.2f, "
                    + "batch %d%n", conditions, spark.sparkContext().master(), source, model.getSampleWeights(),
                    model.getSampler(), model.getSteps(), model.getGuidance(), model.getBatchSize());
            model.transform(conds).write().parquet(target);
            err.printf("wrote %s%n", target);
            return Command.OK;
        } finally {
            if (!existed) {
                spark.stop();
            }
        }
    }
}
