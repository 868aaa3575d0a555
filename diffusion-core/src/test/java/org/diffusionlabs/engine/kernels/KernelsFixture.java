package org.diffusionlabs.engine.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs for the kernel tests: float32-rounded random values, as fresh arrays or as views inside a flat buffer. */
final class KernelsFixture {
    /** What a flat parent buffer holds outside its view: reading it shows up as NaN, writing it is detected. */
    static final float SENTINEL = Float.NaN;

    private KernelsFixture() {}

    static Stream<Kernels> implementations() {
        return Stream.of(new VectorKernels(), new ComposedKernels());
    }

    /** n values mean + std·N(0, 1), rounded to float32 (so float64 references see exactly the kernels' inputs). */
    static double[] normal(Random rnd, int n, double mean, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * rnd.nextGaussian());
        }
        return v;
    }

    /** A fresh float32 array (null for null values). */
    static INDArray array(double[] v, long... shape) {
        return v == null ? null : Nd4j.create(v, shape, DataType.FLOAT);
    }

    /**
     * A c-order view of {@code shape} at element {@code offset} of a larger flat buffer filled with
     * {@link #SENTINEL}, holding {@code v} (zeros when null).
     */
    static INDArray view(double[] v, int offset, long... shape) {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        INDArray parent = Nd4j.valueArrayOf(new long[] {offset + n + 5}, SENTINEL, DataType.FLOAT);
        INDArray view = parent.get(NDArrayIndex.interval(offset, offset + n)).reshape(shape);
        view.assign(v == null ? Nd4j.zeros(DataType.FLOAT, shape) : array(v, shape));
        assertTrue(view.isView() && view.offset() == offset, "fixture: not a view at offset " + offset);
        return view;
    }

    /** The values of a (possibly viewed) array in c order. */
    static double[] values(INDArray a) {
        return a == null ? null : a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    /** The float32 bits of a (possibly viewed) array, for bit-for-bit comparisons. */
    static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    /** Whether the parent buffer of a {@link #view} still holds the sentinel everywhere outside the view. */
    static boolean outsideUntouched(INDArray view) {
        FloatBuffer all = view.data().pointer().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < all.capacity(); i++) {
            boolean inside = i >= view.offset() && i < view.offset() + view.length();
            if (!inside && !Float.isNaN(all.get(i))) {
                return false;
            }
        }
        return true;
    }
}
