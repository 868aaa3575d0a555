/**
 * The sub-commands behind {@code bin/diffusion} ({@code train}, {@code sample}, {@code eval}, …) and the helpers
 * they share. Commands depend on helpers, never on other commands. Argument parsing and the entry point are in
 * {@link org.diffusionlabs.jobs.cli}.
 *
 * <p>Conventions shared by every command: machine output (e.g. {@code --json}) goes to stdout and nothing else
 * does; messages go to stderr; exit code 0 on success, 1 on a runtime failure, 2 on a usage error (never with a
 * stack trace); {@code --help} prints the command's usage to stdout and exits 0.
 */
package org.diffusionlabs.jobs;
