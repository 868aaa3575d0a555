package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@value Kernels#PROPERTY}: the default (vector on CPU with the module, composed otherwise), the explicit
 * values, the errors for an unknown value (from {@link Kernels#get()} too, which still resolves once the value is
 * fixed) and for vector where it cannot run, and a JVM without {@code --add-modules=jdk.incubator.vector}
 * running the composed kernels without loading a Vector class.
 */
class KernelsChoiceTest {
    @Test
    void defaultIsVectorOnlyOnCpuWithTheModule() {
        assertEquals("vector", KernelChoice.choose(null, true, true, true));
        assertEquals("composed", KernelChoice.choose(null, false, true, true));
        assertEquals("composed", KernelChoice.choose(null, true, false, true));
        assertEquals("composed", KernelChoice.choose(null, true, true, false));
        assertEquals("composed", KernelChoice.choose("composed", true, true, true));
        assertEquals("vector", KernelChoice.choose(" vector ", true, true, true));
        assertInstanceOf(VectorKernels.class, KernelChoice.create("vector"));
        assertInstanceOf(ComposedKernels.class, KernelChoice.create("composed"));
    }

    @Test
    void thisTestJvmRunsTheVectorKernels() {
        assertTrue(KernelChoice.vectorModulePresent(), "surefire's argLine lacks --add-modules=jdk.incubator.vector");
        if (System.getProperty(Kernels.PROPERTY) == null && KernelChoice.hardwareFma()) {
            assertInstanceOf(VectorKernels.class, Kernels.get());
        }
    }

    @Test
    void unknownValueNamesThePropertyAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelChoice.choose("simd", true, true, true));
        assertTrue(e.getMessage().contains(Kernels.PROPERTY) && e.getMessage().contains("simd"), e.getMessage());
        IllegalStateException noModule = assertThrows(IllegalStateException.class,
                () -> KernelChoice.choose("vector", true, false, true));
        assertTrue(noModule.getMessage().contains("--add-modules=jdk.incubator.vector"), noModule.getMessage());
        assertThrows(IllegalStateException.class, () -> KernelChoice.choose("vector", false, true, true));
        assertThrows(IllegalStateException.class, () -> KernelChoice.choose("vector", true, true, false));
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> KernelThreads.threads("3"));
        assertTrue(threads.getMessage().contains(KernelThreads.PROPERTY), threads.getMessage());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withoutTheModuleTheComposedKernelsRunAndNoVectorClassLoads() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-verbose:class", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out.lines().filter(l -> !l.startsWith("[")).reduce("", (a, b) -> a + "\n" + b));
        assertTrue(out.contains("bad value: system property " + Kernels.PROPERTY + " given invalid value simd"),
                "Kernels.get() with a bad value: " + out.lines().filter(l -> !l.startsWith("[")).toList());
        assertTrue(out.contains("kernels=ComposedKernels silu(1)=0.7310586"), "probe output missing");
        assertTrue(out.contains("engine.kernels.ComposedKernels"), "-verbose:class lists no loaded classes");
        assertFalse(out.contains("jdk.incubator.vector"), "a Vector API class was loaded");
        assertFalse(out.contains("engine.kernels.Vector"), "a Vector* kernel class was loaded");
    }

    /** Main of the child JVM: reports the error for a bad property value, then the default kernels and a SiLU value. */
    static final class Probe {
        public static void main(String[] args) {
            System.setProperty(Kernels.PROPERTY, "simd");
            try {
                Kernels.get();
                System.out.println("no error for a bad value");
            } catch (IllegalArgumentException e) {
                System.out.println("bad value: " + e.getMessage());
            }
            System.clearProperty(Kernels.PROPERTY);
            INDArray x = Nd4j.createFromArray(1f, 2f, 3f);
            INDArray y = x.ulike();
            Kernels.get().siluForward(x, y);
            System.out.println("kernels=" + Kernels.get().getClass().getSimpleName() + " silu(1)=" + y.getFloat(0));
        }
    }
}
