package org.diffusionlabs.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import org.diffusionlabs.jobs.cli.ConfigurationException;
import org.diffusionlabs.jobs.data.HadoopFiles;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Loads a job configuration: the shipped defaults ({@code conf/mnist.conf}), then a user file (HOCON; plain JSON is
 * valid HOCON; any Hadoop location), then {@code key=value} overrides from the command line, each winning over the
 * previous. A key the defaults do not have is an error naming it and where it came from, so a typo never silently
 * falls back to a default. The user's file may include local files but never a URL ({@link ConfigIncludes#local});
 * configurations stored in runs and checkpoints are parsed by {@link StoredConfigs} instead. Every failure here is a
 * {@link ConfigurationException} (exit code 2).
 */
public final class JobConfigs {
    /** The classpath location of the shipped configurations. */
    static final String RESOURCE_DIR = "org/diffusionlabs/jobs/conf/";

    private JobConfigs() {}

    /**
     * @param location  a configuration file, or null for the defaults alone
     * @param overrides {@code key=value} strings (HOCON values: numbers, strings, lists)
     */
    public static Config load(String defaultsName, String location, List<String> overrides) {
        Config defaults = ConfigFactory.parseResources(RESOURCE_DIR + defaultsName, ConfigParseOptions.defaults()
                .setAllowMissing(false).setIncluder(ConfigIncludes.local(RESOURCE_DIR + defaultsName)));
        Config user = ConfigFactory.empty();
        if (location != null) {
            try {
                user = ConfigFactory.parseString(HadoopFiles.readText(location), ConfigParseOptions.defaults()
                        .setOriginDescription(location).setIncluder(ConfigIncludes.local(location)));
            } catch (IOException e) {
                throw new ConfigurationException("--config " + location + ": cannot read it: " + e.getMessage(), e);
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ConfigurationException(location + ": " + e.getMessage(), e);
            }
        }
        Config over = ConfigFactory.empty();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ConfigurationException("override '" + o + "' must be key=value, e.g. train.max_steps=2000");
            }
            try {
                over = ConfigFactory.parseString(o.substring(0, eq).trim() + " = " + o.substring(eq + 1),
                        ConfigParseOptions.defaults().setOriginDescription("command line")
                                .setIncluder(ConfigIncludes.local("--set " + o))).withFallback(over);
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ConfigurationException("override '" + o + "': " + e.getMessage(), e);
            }
        }
        rejectUnknown(user, defaults, location);
        rejectUnknown(over, defaults, "the command line");
        try {
            return over.withFallback(user).withFallback(defaults).resolve();
        } catch (ConfigException e) {
            throw new ConfigurationException("configuration: " + e.getMessage(), e);
        }
    }

    private static void rejectUnknown(Config given, Config defaults, String source) {
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            if (!defaults.hasPath(e.getKey())) {
                throw new ConfigurationException("unknown config key '" + e.getKey() + "' in " + source
                        + " (see conf/ for the keys a job takes)");
            }
        }
    }
}
