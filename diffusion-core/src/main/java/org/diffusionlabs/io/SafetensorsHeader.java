package org.diffusionlabs.io;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file: tensor entries in header order plus the
 * {@code __metadata__} map. Obtained without reading tensor data, e.g. to list or size a checkpoint.
 */
public final class SafetensorsHeader {
    private final Map<String, SafetensorsEntry> entries;
    private final Map<String, String> metadata;
    private final long headerLength;
    private final long dataLength;

    SafetensorsHeader(Map<String, SafetensorsEntry> entries, Map<String, String> metadata, long headerLength,
                      long dataLength) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.headerLength = headerLength;
        this.dataLength = dataLength;
    }

    /** Tensor entries by name, in the order they appear in the header (read-only). */
    public Map<String, SafetensorsEntry> entries() {
        return entries;
    }

    /** The {@code __metadata__} string map (empty when absent; read-only). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** N, the JSON header length in bytes (excluding the 8-byte length prefix). */
    public long headerLength() {
        return headerLength;
    }

    /** Length in bytes of the data section following the header. */
    public long dataLength() {
        return dataLength;
    }

    /** Absolute file offset of the first data byte: {@code 8 + headerLength()}. */
    public long dataStart() {
        return 8 + headerLength;
    }

    /** Entries sorted by begin offset (then end), i.e. the order in which data appears in the file. */
    public List<SafetensorsEntry> entriesByOffset() {
        return byOffset(entries.values());
    }

    static List<SafetensorsEntry> byOffset(Collection<SafetensorsEntry> entries) {
        List<SafetensorsEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        return sorted;
    }
}
