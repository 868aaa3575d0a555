package org.diffusionlabs.jobs;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.util.HashMap;
import java.util.Map;

/**
 * A driver-side {@link SparkListener} (registered through {@code spark.extraListeners}) recording the most tasks that
 * ran at once in one executor, so a test can prove that an executor really ran tasks concurrently (what the per-task
 * native thread settings are for). Read and reset through static state (Spark builds the listener itself); the
 * listener bus is drained when a SparkContext stops, so the value is complete once the application has ended.
 */
public final class TaskOverlap extends SparkListener {
    private static final Map<String, Integer> RUNNING = new HashMap<>();
    private static int most;

    /** Forgets everything seen so far (call before an application starts). */
    static synchronized void reset() {
        RUNNING.clear();
        most = 0;
    }

    /** The most tasks running at once in one executor since {@link #reset}. */
    static synchronized int most() {
        return most;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart task) {
        synchronized (TaskOverlap.class) {
            most = Math.max(most, RUNNING.merge(task.taskInfo().executorId(), 1, Integer::sum));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        synchronized (TaskOverlap.class) {
            RUNNING.merge(end.taskInfo().executorId(), -1, Integer::sum);
        }
    }
}
