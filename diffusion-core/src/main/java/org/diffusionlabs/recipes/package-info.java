/**
 * Composition roots: serialisable specifications (plain values) of a trainable model and of a training run, and the
 * build methods that turn them into U-Net, guidance, label encoder, training graph, optimiser and EMA; and the
 * reference's named models built from the same parts ({@link org.diffusionlabs.recipes.AdmRecipes#dalle2Decoder}).
 * The single machine job and every Spark partition build from the same spec, so both train the same model; they
 * sample through one {@link org.diffusionlabs.recipes.SamplerSpec} and load weights through one
 * {@link org.diffusionlabs.recipes.ModelWeights}. Top of
 * the core dependency graph: no other core package imports it.
 */
package org.diffusionlabs.recipes;
