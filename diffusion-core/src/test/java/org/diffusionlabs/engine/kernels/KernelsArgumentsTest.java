package org.diffusionlabs.engine.kernels;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both implementations reject what the kernels cannot read as dense float32 c-order data, naming the argument. */
class KernelsArgumentsTest {
    static Stream<Kernels> implementations() {
        return KernelsFixture.implementations();
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void badArraysAreRejectedByName(Kernels k) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 3, 3);
        INDArray g = Nd4j.ones(DataType.FLOAT, 4);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 4);
        INDArray stats = Nd4j.create(DataType.FLOAT, 2, 2, 2);
        INDArray y = x.ulike();
        rejects("x", () -> k.groupNormForward(x.permute(0, 1, 3, 2), g, b, null, null, 2, 1e-5, true, y, stats));
        rejects("x", () -> k.groupNormForward(x.castTo(DataType.DOUBLE), g, b, null, null, 2, 1e-5, true, y, stats));
        rejects("groups", () -> k.groupNormForward(x, g, b, null, null, 3, 1e-5, true, y, stats));
        rejects("gamma", () -> k.groupNormForward(x, Nd4j.ones(DataType.FLOAT, 5), b, null, null, 2, 1e-5, true, y,
                stats));
        rejects("shift", () -> k.groupNormForward(x, g, b, null, Nd4j.zeros(DataType.FLOAT, 2, 4), 2, 1e-5, true, y,
                stats));
        rejects("stats", () -> k.groupNormForward(x, g, b, null, null, 2, 1e-5, true, y,
                Nd4j.create(DataType.FLOAT, 2, 4, 2)));
        rejects("y", () -> k.groupNormForward(x, g, b, null, null, 2, 1e-5, true, Nd4j.create(DataType.FLOAT, 2, 4, 9),
                stats));
        rejects("dScale", () -> k.groupNormBackward(x, g, b, null, null, 2, true, stats, y, x.ulike(), g.ulike(),
                b.ulike(), Nd4j.create(DataType.FLOAT, 2, 4), null));
        INDArray wide = Nd4j.rand(DataType.FLOAT, 6, 8);
        INDArray columns = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
        rejects("x", () -> k.siluForward(columns, Nd4j.create(DataType.FLOAT, 6, 4)));
        rejects("m", () -> k.adamWEma(g, g, Nd4j.zeros(DataType.FLOAT, 3), g, null, 1e-3, 0.9, 0.999, 1e-8, 0, 1, 1,
                0));
        rejects("p", () -> k.dropout(g, g, 1.0, g.ulike()));
        rejects("mask", () -> k.dropout(g, Nd4j.ones(DataType.FLOAT, 2, 2), 0.1, g.ulike()));
    }

    private static void rejects(String name, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        assertTrue(e.getMessage().contains("parameter " + name + " "), "message should name " + name + ": "
                + e.getMessage());
    }
}
