package org.diffusionlabs.recipes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.io.JsonFields;
import org.diffusionlabs.models.adm.AdmUNetConfig;

/**
 * The JSON form of an {@link AdmUNetConfig}: its thirteen record components under their own names (the form that
 * {@code TrainingSpec.json()} has always written). Read field by field, so a file can only ever give values.
 */
final class AdmUNetConfigJson {
    /** More resolution levels than any U-Net has; bounds the arrays read before they are allocated. */
    static final int MAX_LAYERS = 64;

    private AdmUNetConfigJson() {}

    static ObjectNode write(AdmUNetConfig c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode channels = o.putArray("channelsPerLayer");
        for (int ch : c.channelsPerLayer()) {
            channels.add(ch);
        }
        o.put("numResize", c.numResize());
        o.put("numResPerLayer", c.numResPerLayer());
        ArrayNode attention = o.putArray("useAttentionForLayer");
        for (boolean a : c.useAttentionForLayer()) {
            attention.add(a);
        }
        o.put("dimResCond", c.dimResCond());
        o.put("dimAttnCond", c.dimAttnCond());
        o.put("embedDim", c.embedDim());
        o.put("embedName", c.embedName());
        o.put("inChannels", c.inChannels());
        o.put("outChannels", c.outChannels());
        o.put("timeEmbedDim", c.timeEmbedDim());
        o.put("predictVarianceValue", c.predictVarianceValue());
        o.put("dropout", c.dropout());
        return o;
    }

    static AdmUNetConfig read(JsonFields f) {
        f.only("channelsPerLayer", "numResize", "numResPerLayer", "useAttentionForLayer", "dimResCond", "dimAttnCond",
                "embedDim", "embedName", "inChannels", "outChannels", "timeEmbedDim", "predictVarianceValue", "dropout");
        return new AdmUNetConfig(f.intArray("channelsPerLayer", MAX_LAYERS), f.integer("numResize"),
                f.integer("numResPerLayer"), f.boolArray("useAttentionForLayer", MAX_LAYERS), f.integer("dimResCond"),
                f.integer("dimAttnCond"), f.integer("embedDim"), f.has("embedName") ? f.text("embedName") : null,
                f.integer("inChannels"), f.integer("outChannels"), f.integer("timeEmbedDim"),
                f.bool("predictVarianceValue"), f.number("dropout"));
    }
}
