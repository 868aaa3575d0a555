package org.diffusionlabs.training;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The flat AdamW update is bit-identical to the per-tensor PyTorch-order update, including skipped tensors. */
class AdamWTest {
    @Test
    void flatUpdateMatchesPerTensorReference() {
        Nd4j.getRandom().setSeed(3);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("a", Nd4j.rand(DataType.FLOAT, 3, 4));
        params.put("b", Nd4j.rand(DataType.FLOAT, 5));
        params.put("c", Nd4j.rand(DataType.FLOAT, 2, 2, 2));
        Map<String, INDArray> ref = new LinkedHashMap<>();
        params.forEach((k, p) -> ref.put(k, p.dup()));
        Map<String, INDArray> m = new HashMap<>();
        Map<String, INDArray> v = new HashMap<>();
        AdamW opt = new AdamW();
        for (int step = 1; step <= 4; step++) {
            Map<String, INDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                if (step == 2 && e.getKey().equals("b")) {
                    continue; // no gradient: neither decayed nor updated
                }
                grads.put(e.getKey(), Nd4j.randn(DataType.FLOAT, e.getValue().shape()));
            }
            double lr = 1e-2 * step;
            opt.step(params, grads, lr);
            double bc1 = 1 - Math.pow(0.9, step);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(0.999, step));
            for (Map.Entry<String, INDArray> e : grads.entrySet()) {
                INDArray p = ref.get(e.getKey());
                INDArray g = e.getValue();
                INDArray mt = m.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
                INDArray vt = v.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(DataType.FLOAT, p.shape()));
                p.muli(1 - lr * 0.01);
                mt.muli(0.9).addi(g.mul(1 - 0.9));
                vt.muli(0.999).addi(g.mul(g).muli(1 - 0.999));
                INDArray denom = Transforms.sqrt(vt, true).divi(bc2Sqrt).addi(1e-8);
                p.subi(mt.div(denom).muli(lr / bc1));
            }
            for (String k : params.keySet()) {
                assertArrayEquals(ref.get(k).data().asFloat(), params.get(k).dup().data().asFloat(), "param " + k + " step " + step);
            }
        }
        for (String k : params.keySet()) {
            assertArrayEquals(m.get(k).data().asFloat(), opt.firstMoments().get(k).dup().data().asFloat(), "m " + k);
            assertArrayEquals(v.get(k).data().asFloat(), opt.secondMoments().get(k).dup().data().asFloat(), "v " + k);
        }
        assertEquals(4, opt.steps());
    }
}
