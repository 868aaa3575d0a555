package org.diffusionlabs.jobs;

import org.diffusionlabs.nd.NativeBackend;
import org.nd4j.linalg.factory.Nd4j;

/** Which ND4J native build is loaded: "oneDNN" when the library was built with oneDNN helpers, else "generic". */
final class NativeInfo {
    private NativeInfo() {}

    static String describe() {
        String info = NativeBackend.ops().buildInfo();
        String build = info.contains("HAVE_ONEDNN") ? "oneDNN" : "generic";
        return build + (Nd4j.getEnvironment().helpersAllowed() ? "" : " (helpers off)");
    }
}
