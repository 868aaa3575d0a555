package org.diffusionlabs.data;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;

import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * Keeps TwelveMonkeys' JPEG reader in ImageIO's registry, ahead of the JDK's: a maintained plug-in for the JPEGs
 * found in the wild that the JDK reader refuses (a CMYK file whose embedded ICC profile is not CMYK fails there with
 * "Unsupported Image Type"; the plug-in also handles YCCK, broken ICC segments and inconsistent JFIF/Adobe markers).
 * ImageIO finds plug-ins once, by a service-loader scan through the context class loader of the thread that first
 * touches its registry; in a Spark executor, a notebook or a servlet container that loader may not see the jar that
 * holds the plug-in (added to the application's own class loader), so {@link #ensureRegistered} registers the
 * reader's SPI explicitly. The SPI orders itself before the JDK's JPEG reader when registered. Checked on every
 * decode: one map lookup.
 */
final class JpegPlugin {
    private JpegPlugin() {}

    /** Registers TwelveMonkeys' JPEG reader with the default registry unless it is there already. */
    static void ensureRegistered() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        if (registry.getServiceProviderByClass(JPEGImageReaderSpi.class) == null) {
            registry.registerServiceProvider(new JPEGImageReaderSpi(), ImageReaderSpi.class);
        }
    }
}
