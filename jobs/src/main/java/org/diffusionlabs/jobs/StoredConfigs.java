package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;

/**
 * Parses a configuration stored in a run directory, checkpoint or saved model ({@code config.json}): data written by
 * whoever made that directory, so parsed as data. Includes of any kind are refused ({@link ConfigIncludes#none}:
 * nothing is read or fetched for it) and substitutions resolve only within the configuration, never from
 * environment variables or system properties. Errors name the file.
 */
final class StoredConfigs {
    private StoredConfigs() {}

    /** {@code text} (JSON or HOCON) from {@code file}, over {@code fallback}, resolved. */
    static Config parse(String text, String file, Config fallback) {
        try {
            Config c = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(file)
                    .setIncluder(ConfigIncludes.none(file)));
            return c.withFallback(fallback).resolve(ConfigResolveOptions.noSystem());
        } catch (ConfigException.UnresolvedSubstitution e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + " (a stored configuration is resolved "
                    + "within itself: environment variables and system properties are not read)", e);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
