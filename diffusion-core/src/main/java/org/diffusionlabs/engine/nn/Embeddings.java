package org.diffusionlabs.engine.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The conditioning a U-Net pass shares across its blocks, and the gradients the blocks add to it: {@code resAct} =
 * SiLU(e_res) [b, dimRes] (every res block projects the same activation) and {@code tokens} [b·n, dimAttn] (the
 * cross-attention tokens, or null), plus the step's dropout masks by site name ({@code dropout.<block>}).
 */
public final class Embeddings {
    public final INDArray resAct;
    public final INDArray tokens;
    /** Gradient of {@link #resAct}, accumulated by the blocks (null in inference). */
    public final INDArray dResAct;
    /** Gradient of {@link #tokens}, accumulated by the blocks (null in inference or without tokens). */
    public final INDArray dTokens;

    /** Dropout masks of this step by site name (empty: no dropout). */
    public final Map<String, INDArray> dropout;

    public Embeddings(INDArray resAct, INDArray tokens, INDArray dResAct, INDArray dTokens, Map<String, INDArray> dropout) {
        this.dropout = dropout;
        this.resAct = resAct;
        this.tokens = tokens;
        this.dResAct = dResAct;
        this.dTokens = dTokens;
    }
}
