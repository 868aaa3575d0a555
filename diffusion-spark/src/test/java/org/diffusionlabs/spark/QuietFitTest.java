package org.diffusionlabs.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A notebook shows the driver's stdout under the cell: {@link DiffusionTrainer#fit} and sampling (the library, not
 * only the command line) print nothing per graph op there, such as SameDiff's "Added differentiated op" line for
 * every op of a gradient graph.
 */
class QuietFitTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(2);

    @Test
    void fitAndTransformPrintNoPerOpLinesOnStdout() {
        Dataset<Row> data = SparkFixtures.frame(SPARK.session(), List.of(SparkFixtures.rows(4, 1, 0, false),
                SparkFixtures.rows(4, 2, 4, false)));
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        long rows;
        try {
            DiffusionModel model = new DiffusionTrainer(SparkFixtures.adamW(4, 1, 10)).setImageSize(SparkFixtures.SIZE)
                    .setMaxSteps(2).setAveragingFrequency(1).fit(data);
            rows = model.setSteps(2).setBatchSize(4).transform(data.select("label")).count();
        } finally {
            System.setOut(original);
        }
        assertEquals(8, rows);
        String out = captured.toString(StandardCharsets.UTF_8);
        long perOp = out.lines().filter(l -> l.contains("differentiated op")).count();
        assertTrue(perOp == 0, perOp + " per-op lines on stdout during fit, e.g. "
                + out.lines().filter(l -> l.contains("differentiated op")).findFirst().orElse(""));
    }
}
