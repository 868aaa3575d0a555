package org.diffusionlabs.jobs;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Which ND4J native build is loaded: "oneDNN" when the library was built with oneDNN helpers, else "generic". */
final class NativeInfo {
    private NativeInfo() {}

    static String describe() {
        Nd4j.scalar(0f); // the backend must be initialised before the native library is asked
        String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        String build = info.contains("HAVE_ONEDNN") ? "oneDNN" : "generic";
        return build + (Nd4j.getEnvironment().helpersAllowed() ? "" : " (helpers off)");
    }
}
