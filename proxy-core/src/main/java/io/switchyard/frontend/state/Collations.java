package io.switchyard.frontend.state;

import java.util.Locale;
import java.util.Map;

/**
 * The default collation of each MariaDB character set, the one {@code SET NAMES cs} or an
 * assignment of a character-set variable gives: {@code <cs>_general_ci} except for the character
 * sets listed (as {@code information_schema.CHARACTER_SETS} of MariaDB 10.11 has them).
 *
 * <p>Stateless and thread-safe.
 */
final class Collations {
    private static final Map<String, String> NOT_GENERAL = Map.ofEntries(
            Map.entry("big5", "big5_chinese_ci"), Map.entry("dec8", "dec8_swedish_ci"), Map.entry("hp8", "hp8_english_ci"),
            Map.entry("latin1", "latin1_swedish_ci"), Map.entry("swe7", "swe7_swedish_ci"), Map.entry("ujis", "ujis_japanese_ci"),
            Map.entry("sjis", "sjis_japanese_ci"), Map.entry("tis620", "tis620_thai_ci"), Map.entry("euckr", "euckr_korean_ci"),
            Map.entry("gb2312", "gb2312_chinese_ci"), Map.entry("gbk", "gbk_chinese_ci"), Map.entry("latin5", "latin5_turkish_ci"),
            Map.entry("binary", "binary"), Map.entry("cp932", "cp932_japanese_ci"), Map.entry("eucjpms", "eucjpms_japanese_ci"),
            Map.entry("utf8", "utf8mb3_general_ci"));

    private Collations() {
    }

    /** The default collation of character set {@code charset} (any case). */
    static String defaultOf(String charset) {
        String cs = charset.toLowerCase(Locale.ROOT);
        return NOT_GENERAL.getOrDefault(cs, cs + "_general_ci");
    }
}
