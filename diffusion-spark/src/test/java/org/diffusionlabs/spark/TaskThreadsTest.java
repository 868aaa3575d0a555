package org.diffusionlabs.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TaskThreadsTest {
    private static int cores(String master, String executorCores) {
        SparkConf conf = new SparkConf(false).set("spark.master", master);
        if (executorCores != null) {
            conf.set("spark.executor.cores", executorCores);
        }
        return TaskThreads.executorCores(conf);
    }

    @Test
    void executorCoresFromTheMaster() {
        int machine = Runtime.getRuntime().availableProcessors();
        assertEquals(1, cores("local", null));
        assertEquals(1, cores("local[1]", null));
        assertEquals(4, cores("local[4]", null));
        assertEquals(3, cores("local[3, 2]", null));
        assertEquals(machine, cores("local[*]", null));
        assertEquals(3, cores("local-cluster[2,3,1024]", null));
        assertEquals(8, cores("spark://h:7077", "8"));
        assertEquals(machine, cores("yarn", null));
    }
}
