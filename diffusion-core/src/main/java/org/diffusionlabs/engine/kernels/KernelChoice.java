package org.diffusionlabs.engine.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;

/**
 * Resolves {@link Kernels#get()} once per JVM from {@value Kernels#PROPERTY}: {@code vector} or
 * {@code composed}; unset means vector when ND4J runs on the CPU, the JVM has {@code jdk.incubator.vector} in its
 * boot layer ({@code --add-modules=jdk.incubator.vector}) and the CPU has FMA (HotSpot's {@code UseFMA}: without
 * it the vector kernels' fused multiply-adds fall back to a slow exact software path), composed otherwise. The
 * choice and its reason are logged once at INFO. {@link VectorKernels} is only touched on the paths that chose it
 * (JVM linking is lazy), so without the module no class that links against the Vector API is ever loaded.
 */
final class KernelChoice {
    static final String VECTOR = "vector";
    static final String COMPOSED = "composed";
    private static final Logger LOG = LoggerFactory.getLogger(KernelChoice.class);
    private static volatile Kernels instance;

    private KernelChoice() {}

    /**
     * The JVM's implementation, resolved on first use. A bad property value throws its
     * IllegalArgumentException from every call (rather than once, from a class initialiser).
     */
    static Kernels instance() {
        Kernels k = instance;
        if (k == null) {
            synchronized (KernelChoice.class) {
                k = instance;
                if (k == null) {
                    k = resolve();
                    instance = k;
                }
            }
        }
        return k;
    }

    private static Kernels resolve() {
        boolean cpu = Nd4j.getEnvironment().isCPU();
        boolean vectorApi = vectorModulePresent();
        boolean fma = hardwareFma();
        String name = choose(System.getProperty(Kernels.PROPERTY), cpu, vectorApi, fma);
        Kernels kernels = create(name);
        LOG.info("Kernels: {}{} ({}; ND4J backend {}, jdk.incubator.vector {}, FMA {})", name,
                name.equals(VECTOR) ? " with " + VectorKernels.lanes() + " float lanes, "
                        + KernelThreads.THREADS + " thread(s)" : "",
                System.getProperty(Kernels.PROPERTY) == null ? "default" : Kernels.PROPERTY + " set",
                Nd4j.getBackend().getClass().getSimpleName(), vectorApi ? "present" : "absent", fma ? "yes" : "no");
        return kernels;
    }

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Whether HotSpot uses the CPU's FMA instructions ({@code -XX:+UseFMA}, on by default where they exist). */
    static boolean hardwareFma() {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true; // not HotSpot, or no jdk.management: assume a CPU of the last decade
        }
    }

    /**
     * The implementation for a property value (null: unset) on a backend that is or is not the CPU, with or
     * without the Vector API module and hardware FMA.
     *
     * @throws IllegalArgumentException for a value other than vector or composed
     * @throws IllegalStateException    for vector where it cannot run
     */
    static String choose(String property, boolean cpu, boolean vectorApi, boolean fma) {
        if (property == null) {
            return cpu && vectorApi && fma ? VECTOR : COMPOSED;
        }
        String value = property.trim();
        if (value.equals(COMPOSED)) {
            return COMPOSED;
        }
        if (!value.equals(VECTOR)) {
            throw new IllegalArgumentException("system property " + Kernels.PROPERTY + " given invalid value "
                    + property + ": must be " + VECTOR + " or " + COMPOSED);
        }
        if (!vectorApi) {
            throw new IllegalStateException(Kernels.PROPERTY + "=vector needs the JVM flag "
                    + "--add-modules=jdk.incubator.vector");
        }
        if (!fma) {
            throw new IllegalStateException(Kernels.PROPERTY + "=vector needs a CPU with FMA (HotSpot's UseFMA is off)");
        }
        if (!cpu) {
            throw new IllegalStateException(Kernels.PROPERTY + "=vector needs ND4J's CPU backend (host memory); "
                    + "this JVM runs " + Nd4j.getBackend().getClass().getSimpleName());
        }
        return VECTOR;
    }

    /** A new instance of the named implementation. */
    static Kernels create(String name) {
        return name.equals(VECTOR) ? new VectorKernels() : new ComposedKernels();
    }
}
