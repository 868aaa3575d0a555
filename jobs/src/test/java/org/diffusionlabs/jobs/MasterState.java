package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The drivers a standalone Master reports on its web UI's {@code /json/} ({@code activedrivers},
 * {@code completeddrivers}, each with {@code id} and {@code state}): how a test learns the outcome of a
 * cluster-mode driver, which runs inside a Worker. FINISHED is the Worker's name for a driver JVM that exited 0;
 * FAILED, ERROR and KILLED are the others.
 */
final class MasterState {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI uri;
    private final Set<String> seen = new HashSet<>();

    MasterState(int uiPort) {
        this.uri = URI.create("http://127.0.0.1:" + uiPort + "/json/");
    }

    /**
     * Waits (up to 8 minutes) for the one driver submitted since the last call to complete, and fails unless it
     * FINISHED; returns its id.
     */
    String awaitFinished(LoopbackSparkCluster cluster) throws IOException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + Duration.ofMinutes(8).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode d : last.path("completeddrivers")) {
                String id = d.path("id").asText();
                if (seen.add(id)) {
                    assertEquals("FINISHED", d.path("state").asText(), () -> "driver " + id + " ended "
                            + d.path("state").asText() + cluster.driverErrors(id) + cluster.logTails());
                    System.out.printf("driver %s FINISHED %d s after its submit returned%n", id,
                            Duration.ofNanos(System.nanoTime() - started).toSeconds());
                    return id;
                }
            }
            Thread.sleep(1000);
        }
        return fail("no new driver completed within 8 minutes; the master reports " + last + cluster.logTails());
    }
}
