/**
 * <b>Predictor</b> (diffusion_labs concept 3): what the model is trained to predict (noise, clean data x0, or
 * velocity v) and how its output becomes a denoised data point.
 */
package org.diffusionlabs.predictors;
