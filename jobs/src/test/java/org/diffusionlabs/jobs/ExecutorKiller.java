package org.diffusionlabs.jobs;

import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A driver-side {@link SparkListener} (registered through {@code spark.extraListeners}) that SIGKILLs the executor
 * JVM running the first task of the job described "diffusion round R/…", as soon as that task starts: a lost
 * executor in the middle of a parameter-averaging round. It records what it killed and every task that ended in
 * failure, so a test can prove the fault really happened. Armed and read through static state (Spark builds the
 * listener itself).
 */
public final class ExecutorKiller extends SparkListener {
    private static volatile String roundPrefix;
    private static final Set<Integer> STAGES = ConcurrentHashMap.newKeySet();
    static final List<String> KILLED = new CopyOnWriteArrayList<>();
    static final List<String> FAILED_TASKS = new CopyOnWriteArrayList<>();

    /** Kill during round {@code round} (1-based) of the next training run; 0 disarms. */
    static void arm(int round) {
        roundPrefix = round > 0 ? "diffusion round " + round + "/" : null;
        STAGES.clear();
        KILLED.clear();
        FAILED_TASKS.clear();
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String description = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
        String prefix = roundPrefix;
        if (prefix != null && description != null && description.startsWith(prefix)) {
            scala.collection.Iterator<Object> ids = job.stageIds().iterator();
            while (ids.hasNext()) {
                STAGES.add((Integer) ids.next());
            }
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart task) {
        if (!STAGES.contains(task.stageId()) || !KILLED.isEmpty()) {
            return;
        }
        String executor = task.taskInfo().executorId();
        String flag = "--executor-id " + executor + " ";
        // only this JVM's descendants (the test's Workers and their executors), never another app's executor
        ProcessHandle.current().descendants()
                .filter(p -> {
                    String cmd = commandLine(p.pid());
                    return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(flag);
                })
                .findFirst()
                .ifPresent(p -> {
                    p.destroyForcibly();
                    KILLED.add("executor " + executor + " (pid " + p.pid() + ") during task " + task.taskInfo().taskId()
                            + " of stage " + task.stageId());
                });
    }

    /** The full command line (ProcessHandle.Info truncates long ones, and executors carry the whole classpath). */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ') + " ";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!(end.reason() instanceof Success$)) {
            FAILED_TASKS.add("task " + end.taskInfo().taskId() + " of stage " + end.stageId() + ": " + end.reason());
        }
    }
}
