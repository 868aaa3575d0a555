package org.diffusionlabs.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.diffusionlabs.data.LabeledImages;
import org.diffusionlabs.jobs.data.PngImages;
import org.diffusionlabs.models.vae.LatentCodec;
import org.diffusionlabs.models.vae.VariationalAutoencoder;
import org.diffusionlabs.spark.HadoopStorage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The end of a {@code train-vae} run: with the EMA weights, encodes the training images to their posterior modes
 * (the latents an LDM run trains on) and takes the latent scale factor 1/σ of them; reconstructs the held-out images
 * (mode, decode, clamp to [−1, 1]) and measures the per-pixel MSE, in pixel units (intensities 0..1) and on the
 * model's [−1, 1] scale; writes {@link LatentVae#WEIGHTS}, {@link LatentVae#SUMMARY} and
 * {@code reconstructions.png} (ten held-out digits, spread over the set, over their reconstructions).
 */
final class VaeExport {
    private static final int SHOWN = 10;

    private VaeExport() {}

    static ObjectNode export(VaeRecipe recipe, Map<String, INDArray> emaWeights, LabeledImages.Split split,
                             HadoopStorage runDir, long step, PrintStream err) throws IOException {
        long t0 = System.nanoTime();
        VariationalAutoencoder vae = recipe.build();
        vae.loadStateDict(emaWeights);
        int batch = recipe.config.getInt("train.encode_batch");
        LatentCodec unscaled = new LatentCodec(vae, 1.0);
        INDArray latents = unscaled.encode(split.train().images(), batch);
        double scale = LatentCodec.scaleFactor(latents);
        INDArray held = split.heldOut().images();
        INDArray recon = unscaled.decode(unscaled.encode(held, batch), batch);
        INDArray diff = recon.sub(held);
        double mseSigned = diff.norm2Number().doubleValue();
        mseSigned = mseSigned * mseSigned / diff.length();
        ObjectNode s = new ObjectMapper().createObjectNode();
        s.put("step", step);
        s.put("weights", "ema");
        s.put("latent_channels", recipe.vae.embeddingChannels());
        s.put("latent_size", recipe.latentSize());
        s.put("image_channels", recipe.vae.inChannels());
        s.put("image_size", recipe.imageSize);
        s.put("latents", "posterior mode of the training images");
        s.put("latent_mean", latents.meanNumber().doubleValue());
        s.put("latent_std", 1.0 / scale);
        s.put("scale_factor", scale);
        s.put("held_out_images", held.size(0));
        s.put("held_out_mse", mseSigned / 4); // intensities 0..1: (x+1)/2, so the squared error is a quarter
        s.put("held_out_mse_signed", mseSigned);
        LatentVae.write(runDir, emaWeights, s);
        int shown = (int) Math.min(SHOWN, held.size(0));
        long[] picks = new long[shown]; // spread over the held-out set (a source sorted by label starts with one digit)
        for (int i = 0; i < shown; i++) {
            picks[i] = i * (held.size(0) / shown);
        }
        INDArray grid = Nd4j.concat(0, held.get(NDArrayIndex.indices(picks)), recon.get(NDArrayIndex.indices(picks)));
        runDir.write("reconstructions.png", PngImages.grid(grid, shown, 2));
        err.printf("latent scale factor %.5f (latent std %.5f over %,d training images); held-out reconstruction MSE "
                + "per pixel %.5f (intensities 0..1; %.5f on [-1, 1]) over %,d images; %s, %s, reconstructions.png "
                + "written in %.1f s%n", scale, 1.0 / scale, latents.size(0), mseSigned / 4, mseSigned, held.size(0),
                LatentVae.WEIGHTS, LatentVae.SUMMARY, (System.nanoTime() - t0) / 1e9);
        return s;
    }
}
