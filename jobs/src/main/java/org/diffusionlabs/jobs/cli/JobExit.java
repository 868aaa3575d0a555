package org.diffusionlabs.jobs.cli;

import org.apache.spark.sql.SparkSession;

import java.util.function.IntConsumer;

/**
 * How {@link Main#main} ends once its command has returned. Every command that starts a SparkSession stops it
 * before returning, so under {@code spark-submit} (client or cluster mode) and {@code bin/diffusion} no context is
 * live here and the JVM ends with the command's code: the shell, spark-submit and the standalone Worker see it, and
 * no lingering library thread can keep the JVM up. When a context is still live it belongs to the platform that
 * called {@code main} (a Databricks JAR task, a notebook, {@code spark-shell}), which forbids {@link System#exit}:
 * then code 0 returns normally and any other code throws {@link JobFailedException}, so the run is marked failed.
 */
final class JobExit {
    private JobExit() {}

    /**
     * Ends the run with {@code code}: {@code systemExit.accept(code)} when no SparkContext is live, otherwise a
     * normal return (0) or {@link JobFailedException} naming {@code command}.
     */
    static void end(int code, String command, IntConsumer systemExit) {
        if (!sparkContextLive()) {
            systemExit.accept(code);
            return;
        }
        if (code != Command.OK) {
            throw new JobFailedException(code, command);
        }
    }

    /** Whether this JVM has a SparkSession whose context is running; false when Spark is not on the class path. */
    static boolean sparkContextLive() {
        try {
            return live(SparkSession.getActiveSession()) || live(SparkSession.getDefaultSession());
        } catch (LinkageError noSpark) {
            return false; // e.g. the -Passembly jar run with plain java: Spark is provided, so absent
        }
    }

    private static boolean live(scala.Option<SparkSession> s) {
        return s.isDefined() && !s.get().sparkContext().isStopped();
    }
}
