package org.diffusionlabs.nd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NativeThreads} as the very first ND4J call of a JVM, as in a fresh Spark executor whose first task sets its
 * thread counts (issue 14): it must load the backend itself rather than fail with "ND4J is probably missing
 * dependencies". Needs a JVM of its own, since the test JVM has long loaded ND4J: {@link FirstCall} runs in a child.
 */
class NativeThreadsFreshJvmTest {
    /** Sets and reads OpenMP threads, then BLAS threads, before anything else touches ND4J; prints what it read. */
    public static final class FirstCall {
        public static void main(String[] args) {
            NativeThreads.setOmpThreadsOfCurrentThread(1);
            int omp = NativeThreads.ompThreadsOfCurrentThread();
            NativeThreads.setBlasThreads(1);
            System.out.println("omp=" + omp + " blas=" + NativeThreads.blasThreads());
        }
    }

    @TempDir
    Path dir;

    @Test
    void theFirstNativeCallOfAJvmLoadsTheBackend() throws IOException, InterruptedException {
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), FirstCall.class.getName()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertEquals(0, p.isAlive() ? -1 : p.exitValue(), out);
        assertTrue(out.contains("omp=1 blas=1"), out);
    }
}
