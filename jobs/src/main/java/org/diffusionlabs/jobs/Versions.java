package org.diffusionlabs.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

/** Versions recorded in checkpoint metadata (project, Java, ND4J build). */
final class Versions {
    private Versions() {}

    static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        String project = Versions.class.getPackage().getImplementationVersion();
        v.put("diffusion-labs-spark", project == null ? "0.1.0-SNAPSHOT" : project);
        v.put("java", System.getProperty("java.version"));
        v.put("nd4j", "1.0.0-M2.1");
        v.put("nd4j_native", NativeInfo.describe());
        return v;
    }
}
