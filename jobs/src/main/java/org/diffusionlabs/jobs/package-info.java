/**
 * Command-line entry points behind {@code bin/diffusion}: {@link org.diffusionlabs.jobs.Main} dispatches to one
 * {@link org.diffusionlabs.jobs.Command} per sub-command, each parsing its own options with
 * {@link org.diffusionlabs.jobs.Args}.
 *
 * <p>Conventions shared by every command: machine output (e.g. {@code --json}) goes to stdout and nothing else
 * does; messages go to stderr; exit code 0 on success, 1 on a runtime failure, 2 on a usage error (never with a
 * stack trace); {@code --help} prints the command's usage to stdout and exits 0.
 */
package org.diffusionlabs.jobs;
