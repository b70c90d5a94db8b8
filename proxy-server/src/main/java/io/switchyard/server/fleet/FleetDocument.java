package io.switchyard.server.fleet;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.switchyard.admin.ConfigTables;
import io.switchyard.runtime.RuntimeRows;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's configuration as one JSON document in ZooKeeper: the admin's configuration tables
 * ({@link ConfigTables}: passwords as native hashes, no secret variables), with the node that
 * wrote it and when. Its version is the ZooKeeper node's. Immutable.
 *
 * @param tables the configuration tables, as {@link ConfigTables#write} makes them
 * @param writtenBy the name of the node that wrote it
 * @param writtenAt when, as ISO-8601
 */
record FleetDocument(Map<String, List<Map<String, Object>>> tables, String writtenBy, String writtenAt) {
    private static final int FORMAT = 1;

    static FleetDocument of(RuntimeRows rows, String node) {
        return new FleetDocument(ConfigTables.write(rows), node, Instant.now().toString());
    }

    /** The rows it holds; the secret variables come from {@code local}. */
    RuntimeRows rows(RuntimeRows local) {
        return ConfigTables.read(tables, local);
    }

    byte[] encode() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("written_by", writtenBy);
        doc.put("written_at", writtenAt);
        doc.put("tables", tables);
        return ConfigValueFactory.fromMap(doc).render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a document.
     *
     * @throws IllegalArgumentException when it is not one this version reads
     */
    @SuppressWarnings("unchecked")
    static FleetDocument decode(byte[] data) {
        Map<String, Object> doc;
        try {
            doc = ConfigFactory.parseString(new String(data, StandardCharsets.UTF_8)).root().unwrapped();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("not a configuration document: " + e.getMessage(), e);
        }
        if (!(doc.get("format") instanceof Number n) || n.intValue() != FORMAT || !(doc.get("tables") instanceof Map)) {
            throw new IllegalArgumentException("not a configuration document of format " + FORMAT);
        }
        return new FleetDocument((Map<String, List<Map<String, Object>>>) doc.get("tables"), String.valueOf(doc.get("written_by")),
                String.valueOf(doc.get("written_at")));
    }
}
