package org.diffusionlabs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.diffusionlabs.nd.NativeThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Native thread settings for a task that trains or samples, applied on the task's thread before its first op. When
 * an executor runs several tasks at once (executor cores / {@code spark.task.cpus} > 1, e.g. {@code local[2]}), each
 * task's OpenMP regions get {@code spark.task.cpus} threads and the process-wide OpenBLAS pool one thread: with
 * ND4J's defaults the concurrent tasks oversubscribe the cores and contend for OpenBLAS's spinning workers (two
 * tasks on 2 cores trained 1.5x slower than with these settings; measured in docs/spark.md). An executor that runs
 * one task at a time keeps the JVM's settings, so {@code local[1]} computes exactly what the single machine does.
 * {@value #PROPERTY}{@code =false} leaves every task alone.
 */
final class TaskThreads {
    /** Spark property: {@code false} disables the per-task native thread settings. */
    static final String PROPERTY = "spark.diffusion.taskThreads";
    private static final Logger LOG = LoggerFactory.getLogger(TaskThreads.class);
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\s*\\d+)?]");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");
    private static volatile boolean logged;

    private TaskThreads() {}

    /** Applies the settings for the running task (no-op outside a Spark task). */
    static void apply() {
        TaskContext task = TaskContext.get();
        SparkEnv env = SparkEnv.get();
        if (task == null || env == null || !env.conf().getBoolean(PROPERTY, true)) {
            return;
        }
        int cpus = Math.max(1, task.cpus());
        int slots = executorCores(env.conf()) / cpus;
        if (slots <= 1) {
            return;
        }
        NativeThreads.setOmpThreadsOfCurrentThread(cpus);
        if (NativeThreads.blasThreads() != 1) {
            NativeThreads.setBlasThreads(1);
        }
        if (!logged) {
            logged = true;
            LOG.info("up to {} concurrent tasks per executor: {} OpenMP thread(s) per task, 1 OpenBLAS thread ({}=false "
                    + "keeps ND4J's defaults)", slots, cpus, PROPERTY);
        }
    }

    /** Cores one executor runs tasks on: N of local[N] (local[*]: the machine's), C of local-cluster[W,C,M], else spark.executor.cores. */
    static int executorCores(SparkConf conf) {
        String master = conf.get("spark.master", "");
        int machine = Runtime.getRuntime().availableProcessors();
        if (master.equals("local")) {
            return 1;
        }
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? machine : Integer.parseInt(m.group(1));
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(master);
        if (cluster.matches()) {
            return Integer.parseInt(cluster.group(1));
        }
        return conf.getInt("spark.executor.cores", machine);
    }
}
