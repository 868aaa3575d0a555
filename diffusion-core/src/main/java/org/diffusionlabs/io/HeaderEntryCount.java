package org.diffusionlabs.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.diffusionlabs.io.MalformedSafetensorsException.Reason;

import java.io.IOException;

/**
 * The first, cheapest pass over a safetensors header: counts its top-level entries (tensors, zero-size ones
 * included; {@code __metadata__} is not a tensor) straight from the bytes, stopping one past the cap, so a header
 * listing millions of tensors fails before any entry, name set or array is built. Syntax errors are left to
 * {@link HeaderParser}, which names them precisely.
 */
final class HeaderEntryCount {
    private HeaderEntryCount() {}

    /** Throws {@link Reason#TOO_MANY_TENSORS} when the header lists more than {@code max} tensors. */
    static void check(byte[] header, long max) throws MalformedSafetensorsException {
        long count = 0;
        try (JsonParser p = HeaderParser.FACTORY.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (!HeaderParser.METADATA_KEY.equals(p.currentName()) && ++count > max) {
                    throw new MalformedSafetensorsException(Reason.TOO_MANY_TENSORS, "header lists more than " + max
                            + " tensors, the cap (" + ReadLimits.describe(ReadLimits.SAFETENSORS_TENSORS, max)
                            + "; zero-size tensors count too)");
                }
                p.nextToken();
                p.skipChildren();
            }
        } catch (MalformedSafetensorsException e) {
            throw e;
        } catch (IOException e) {
            // not valid JSON: HeaderParser reports where and why
        }
    }
}
