/**
 * Training data without Spark: the embedded 10,000 MNIST digits ({@link org.diffusionlabs.data.MnistEmbedded}),
 * readers for IDX files and image folders over any {@link org.diffusionlabs.io.Storage} (local, or Hadoop's
 * FileSystem in the jobs module), the image decoding they share ({@link org.diffusionlabs.data.ImageDecoder}), and
 * the resize / normalize steps of the training pipeline. Every reader returns
 * {@link org.diffusionlabs.data.LabeledImages} (float32 NCHW in [0, 1] plus int labels) and rejects bad input with an
 * error naming the file and the bad value; corrupt images are an error or counted and skipped
 * ({@link org.diffusionlabs.data.OnInvalid}); hostile headers cannot cause an OutOfMemoryError: declared sizes are
 * checked against {@link org.diffusionlabs.io.ReadLimits} before anything is allocated.
 */
package org.diffusionlabs.data;
