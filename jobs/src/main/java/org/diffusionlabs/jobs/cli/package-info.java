/**
 * The command line: {@link org.diffusionlabs.jobs.cli.Main} dispatches to one {@link org.diffusionlabs.jobs.cli.Command}
 * per sub-command; an {@link org.diffusionlabs.jobs.cli.OptionCommand} parses its declared
 * {@link org.diffusionlabs.jobs.cli.Option}s into {@link org.diffusionlabs.jobs.cli.Args}. Usage errors exit 2,
 * configuration errors exit 2, runtime failures exit 1 ({@link org.diffusionlabs.jobs.cli.JobExit}).
 */
package org.diffusionlabs.jobs.cli;
