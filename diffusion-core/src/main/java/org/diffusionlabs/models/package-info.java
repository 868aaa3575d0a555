/**
 * <b>Models</b> (diffusion_labs concept 1): the {@link org.diffusionlabs.models.DenoisingModel} signature shared by
 * networks and adapters, its {@link org.diffusionlabs.models.DiffusionOutput}, and named
 * {@link org.diffusionlabs.models.Conditioning} inputs.
 */
package org.diffusionlabs.models;
