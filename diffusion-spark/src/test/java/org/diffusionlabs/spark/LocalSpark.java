package org.diffusionlabs.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class one local Spark session (no UI, Kryo serializer, two shuffle partitions),
 * started before the class's {@code @BeforeAll} methods and stopped after its {@code @AfterAll} ones, so the
 * Spark tests share one lifecycle instead of repeating it. Register it as
 * {@code @RegisterExtension static final LocalSpark SPARK = new LocalSpark(2);} and use {@link #session()}.
 */
final class LocalSpark implements BeforeAllCallback, AfterAllCallback {
    private final int threads;
    private SparkSession session;

    LocalSpark(int threads) {
        this.threads = threads;
    }

    /** The running session; only between the class's start and stop. */
    SparkSession session() {
        if (session == null) {
            throw new IllegalStateException("LocalSpark: no session outside the test class lifecycle");
        }
        return session;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        session = SparkSession.builder().master("local[" + threads + "]").appName("diffusion-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        session.stop();
        session = null;
    }
}
