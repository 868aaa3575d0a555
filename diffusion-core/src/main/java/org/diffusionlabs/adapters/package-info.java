/**
 * <b>Adapters</b> (diffusion_labs concept 2): wrappers with the model signature, stackable. Each adapter implements
 * {@link org.diffusionlabs.models.DenoisingModel} and wraps one {@code DenoisingModel}, so
 * {@code new ClassifierFreeGuidance(new Inpainting(unet), ...)} composes like the reference's
 * {@code Adapter2(Adapter1(model))}: {@link org.diffusionlabs.adapters.ClassifierFreeGuidance} (condition dropout in
 * training, guidance at inference), {@link org.diffusionlabs.adapters.Inpainting} (mask and masked target
 * concatenated to the input) and {@link org.diffusionlabs.adapters.SuperResolution} (upsampled low-resolution image
 * concatenated to the input). Reference: {@code diffusion_labs/modules/adapters/}.
 */
package org.diffusionlabs.adapters;
