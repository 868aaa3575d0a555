package org.diffusionlabs.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.data.MnistEmbedded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDigitsTest {
    @RegisterExtension
    static final LocalSpark SPARK = new LocalSpark(1);

    @Test
    void rowsArePngsOfTheEmbeddedDigitsWithTheirLabels() throws IOException {
        Dataset<Row> df = EmbeddedDigits.frame(SPARK.session(), 20);
        assertEquals(EmbeddedDigits.SCHEMA, df.schema());
        List<Row> rows = df.orderBy("id").collectAsList();
        assertEquals(20, rows.size());
        LabeledImages all = MnistEmbedded.load();
        Set<Integer> labels = new TreeSet<>();
        for (Row r : rows) {
            int index = (int) (r.getLong(0) * MnistEmbedded.SIZE / 20);
            assertEquals(all.label(index), r.getInt(2), "label of id " + r.getLong(0));
            labels.add(r.getInt(2));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(1)));
            assertEquals(28, img.getWidth());
            assertEquals(28, img.getHeight());
            float[] want = all.images().slice(index).dup('c').data().asFloat();
            for (int p = 0; p < want.length; p++) {
                assertEquals(Math.round(want[p] * 255), img.getRaster().getSample(p % 28, p / 28, 0),
                        "pixel " + p + " of id " + r.getLong(0));
            }
        }
        assertEquals(10, labels.size(), "every digit class is represented: " + labels);
    }

    @Test
    void aCountOutsideTheEmbeddedFileIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedDigits.frame(SPARK.session(), 10_001));
        assertTrue(e.getMessage().contains("count given invalid value 10001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddedDigits.frame(SPARK.session(), 0));
    }
}
