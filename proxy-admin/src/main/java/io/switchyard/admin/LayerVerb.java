package io.switchyard.admin;

import io.switchyard.protocol.ProxyError;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code LOAD}/{@code SAVE} statement, with ProxySQL's spellings: each move has two
 * (e.g. {@code LOAD … TO RUNTIME} and {@code LOAD … FROM MEMORY}), and {@code RUN}/{@code MEM}
 * abbreviate {@code RUNTIME}/{@code MEMORY}. Immutable.
 *
 * @param part what moves
 * @param move from which layer to which
 * @param text the statement as the operator wrote it, for messages
 */
record LayerVerb(ConfigPart part, Move move, String text) {

    /** The moves between layers. */
    enum Move { MEMORY_TO_RUNTIME, RUNTIME_TO_MEMORY, MEMORY_TO_DISK, DISK_TO_MEMORY, CONFIG_TO_MEMORY }

    private static final Pattern VERB = Pattern.compile(
            "^\\s*(LOAD|SAVE)\\s+MYSQL\\s+(SERVERS|USERS|QUERY\\s+RULES|VARIABLES)\\s+(TO|FROM)\\s+(\\w+)\\s*;?\\s*$",
            Pattern.CASE_INSENSITIVE);

    /**
     * The verb {@code sql} spells, or null when it is not a LOAD/SAVE of a configuration part.
     *
     * @throws AdminException when it is one but names a move that does not exist
     */
    static LayerVerb parse(String sql) {
        Matcher m = VERB.matcher(sql);
        if (!m.matches()) {
            return null;
        }
        String verb = m.group(1).toUpperCase(Locale.ROOT);
        String direction = m.group(3).toUpperCase(Locale.ROOT);
        String layer = switch (m.group(4).toUpperCase(Locale.ROOT)) {
            case "RUN", "RUNTIME" -> "RUNTIME";
            case "MEM", "MEMORY" -> "MEMORY";
            case "DISK" -> "DISK";
            case "CONFIG" -> "CONFIG";
            default -> "?";
        };
        Move move = switch (verb + " " + direction + " " + layer) {
            case "LOAD TO RUNTIME", "LOAD FROM MEMORY" -> Move.MEMORY_TO_RUNTIME;
            case "SAVE TO MEMORY", "SAVE FROM RUNTIME" -> Move.RUNTIME_TO_MEMORY;
            case "SAVE TO DISK", "SAVE FROM MEMORY" -> Move.MEMORY_TO_DISK;
            case "LOAD FROM DISK", "LOAD TO MEMORY" -> Move.DISK_TO_MEMORY;
            case "LOAD FROM CONFIG" -> Move.CONFIG_TO_MEMORY;
            default -> null;
        };
        if (move == null) {
            throw new AdminException(ProxyError.SYNTAX, "'" + sql.strip() + "' is not a move between layers; use LOAD … TO RUNTIME, "
                    + "SAVE … TO MEMORY, SAVE … TO DISK, LOAD … FROM DISK or LOAD … FROM CONFIG");
        }
        return new LayerVerb(ConfigPart.parse(m.group(2)), move, sql.strip().replaceAll(";$", ""));
    }
}
