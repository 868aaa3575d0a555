package org.diffusionlabs.jobs;

import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;

/**
 * What a HOCON file may include. {@link #none} refuses every include (files from run directories and checkpoints:
 * their includes would be read or fetched on this machine); {@link #local} lets the user's own files include files
 * and classpath resources but never a URL, neither {@code include url(...)} nor a name that is a URL
 * ({@code include "http://..."}), so parsing a configuration never reaches the network. It implements every include
 * interface: an includer lacking one would leave that kind of include to the library's default, which fetches URLs.
 * Errors name the file being parsed (the library does not tell includers).
 */
final class ConfigIncludes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private static final String STORED = "a configuration read from a run directory, checkpoint or saved model may "
            + "include nothing (it is data, not instructions for this machine)";
    private static final String NETWORK = "network includes are never fetched; copy those settings into the file";
    private final String file;
    private final boolean local;
    private final ConfigIncluder fallback;

    private ConfigIncludes(String file, boolean local, ConfigIncluder fallback) {
        this.file = file;
        this.local = local;
        this.fallback = fallback;
    }

    /** Refuses every include of {@code file}. */
    static ConfigIncludes none(String file) {
        return new ConfigIncludes(file, false, null);
    }

    /** For the user's {@code file}: files and classpath resources through the library's default includer; no URL. */
    static ConfigIncludes local(String file) {
        return new ConfigIncludes(file, true, null);
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder other) {
        if (!local || other == null || other == this) {
            return this;
        }
        return new ConfigIncludes(file, true, fallback == null ? other : fallback.withFallback(other));
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        String shown = "include \"" + what + "\"";
        if (!local) {
            throw refused(shown, STORED);
        }
        if (isRemoteUrl(what)) {
            throw refused(shown, NETWORK);
        }
        return delegate(shown).include(context, what);
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        throw refused("include url(\"" + what + "\")", local ? NETWORK : STORED);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        String shown = "include file(\"" + what + "\")";
        if (!local) {
            throw refused(shown, STORED);
        }
        if (delegate(shown) instanceof ConfigIncluderFile f) {
            return f.includeFile(context, what);
        }
        throw refused(shown, "no file includer");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        String shown = "include classpath(\"" + what + "\")";
        if (!local) {
            throw refused(shown, STORED);
        }
        if (delegate(shown) instanceof ConfigIncluderClasspath c) {
            return c.includeResources(context, what);
        }
        throw refused(shown, "no classpath includer");
    }

    private ConfigIncluder delegate(String shown) {
        if (fallback == null) {
            throw refused(shown, "no includer to read it");
        }
        return fallback;
    }

    /** A name the default includer would open as a URL, other than a local {@code file:} one. */
    private static boolean isRemoteUrl(String name) {
        try {
            return !new URL(name).getProtocol().equals("file");
        } catch (MalformedURLException e) {
            return false;
        }
    }

    private RefusedIncludeException refused(String include, String why) {
        return new RefusedIncludeException(file, include, why);
    }
}
