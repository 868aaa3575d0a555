/**
 * <b>Schedule</b> (diffusion_labs concept 4): the diffusion process applied to the data — how much noise each step
 * adds. {@link org.diffusionlabs.schedules.DiscreteGaussianSchedule} precomputes every coefficient in float64 and is
 * immutable; the four beta schedules of the reference are in {@link org.diffusionlabs.schedules.BetaSchedules}.
 */
package org.diffusionlabs.schedules;
