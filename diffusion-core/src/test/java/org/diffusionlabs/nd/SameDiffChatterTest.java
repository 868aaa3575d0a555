package org.diffusionlabs.nd;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameDiffChatterTest {
    private static SameDiff tinyGraph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        SDVariable w = sd.var("w", DataType.FLOAT, 3, 1);
        sd.setLossVariables(x.mmul(w).mean("loss"));
        return sd;
    }

    /** Runs {@code action} with System.out captured; returns what it printed. */
    private static String stdoutOf(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        try {
            action.run();
            assertSame(capture, System.out, "the stream in place before is back");
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sameDiffPrintsALinePerOpWhenItBuildsAGradientFunction() {
        // the behaviour this class exists for: if ND4J stops printing, this fails and the class can go
        String out = stdoutOf(() -> tinyGraph().createGradFunction());
        assertTrue(out.lines().anyMatch(l -> l.startsWith(SameDiffChatter.PER_OP_PREFIX)), out);
    }

    @Test
    void quietDropsThePerOpLinesAndKeepsEveryOtherLine() {
        String out = stdoutOf(() -> SameDiffChatter.quiet(() -> {
            System.out.println("before");
            tinyGraph().createGradFunction();
            System.out.print("after, no newline");
        }));
        assertEquals("before\nafter, no newline", out.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void nestedQuietCallsRestoreTheOriginalStreamOnceAndReturnTheResult() {
        String out = stdoutOf(() -> assertEquals(42, SameDiffChatter.quiet(() -> SameDiffChatter.quiet(() -> {
            System.out.println(SameDiffChatter.PER_OP_PREFIX + "x");
            return 42;
        }))));
        assertEquals("", out);
    }

    @Test
    void filterPassesOtherLinesToItsTarget() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream f = SameDiffChatter.filter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        f.println("keep 1");
        f.println(SameDiffChatter.PER_OP_PREFIX + "add");
        f.println("keep 2 " + SameDiffChatter.PER_OP_PREFIX);
        f.flush();
        assertEquals("keep 1\nkeep 2 " + SameDiffChatter.PER_OP_PREFIX + "\n",
                bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}
