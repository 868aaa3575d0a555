package org.diffusionlabs.nd;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's native library, reached only after the backend has loaded: use this, not {@link NativeOpsHolder}. Why:
 * {@code NativeOpsHolder} reads the backend's configuration when its class initialises. Asked first in a JVM (as in
 * a fresh Spark executor whose first task sets its thread counts), it finds that configuration empty, fails with
 * "ND4J is probably missing dependencies" (a NullPointerException inside) and stays unusable for the JVM's life.
 * Touching {@link Nd4j} first runs its static initialiser, which loads the backend; the JVM runs that once,
 * thread-safely.
 */
public final class NativeBackend {
    private NativeBackend() {}

    /** The loaded backend's native operations (loads the backend on first use, from any thread). */
    public static NativeOps ops() {
        return Loaded.OPS;
    }

    /** Initialised by the JVM on the first {@link #ops()}: exactly once, other threads waiting for it. */
    private static final class Loaded {
        static final NativeOps OPS = load();

        private static NativeOps load() {
            Checks.notNull(Nd4j.getBackend(), "NativeBackend", "Nd4j.getBackend()");
            return NativeOpsHolder.getInstance().getDeviceNativeOps();
        }
    }
}
