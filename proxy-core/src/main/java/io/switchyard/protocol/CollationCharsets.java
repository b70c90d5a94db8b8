package io.switchyard.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Java character set of a login's collation id: the server reads the user name and the
 * database a login names in it ({@code latin1_ü} from a {@code latin1} client is the byte
 * {@code 0xFC}, not UTF-8's {@code 0xC3 0xBC}). The ids come from MariaDB 10.11
 * ({@code collation-charsets.txt}); an id it does not know, and the character sets no client may
 * use ({@code ucs2}, {@code utf16}, {@code utf32}, for which the server takes its default), read as
 * UTF-8; one Java does not have, byte for byte.
 *
 * <p>Stateless and thread-safe.
 */
public final class CollationCharsets {
    private static final String RESOURCE = "collation-charsets.txt";
    private static final Map<String, String> JAVA_NAMES = Map.ofEntries(
            Map.entry("latin1", "windows-1252"), Map.entry("latin2", "ISO-8859-2"), Map.entry("latin5", "ISO-8859-9"),
            Map.entry("latin7", "ISO-8859-13"), Map.entry("greek", "ISO-8859-7"), Map.entry("hebrew", "ISO-8859-8"),
            Map.entry("cp1250", "windows-1250"), Map.entry("cp1251", "windows-1251"), Map.entry("cp1256", "windows-1256"),
            Map.entry("cp1257", "windows-1257"), Map.entry("cp850", "IBM850"), Map.entry("cp852", "IBM852"),
            Map.entry("cp866", "IBM866"), Map.entry("koi8r", "KOI8-R"), Map.entry("koi8u", "KOI8-U"),
            Map.entry("macce", "x-MacCentralEurope"), Map.entry("macroman", "x-MacRoman"), Map.entry("tis620", "TIS-620"),
            Map.entry("ascii", "US-ASCII"), Map.entry("sjis", "Shift_JIS"), Map.entry("cp932", "windows-31j"),
            Map.entry("ujis", "EUC-JP"), Map.entry("eucjpms", "x-eucJP-Open"), Map.entry("euckr", "EUC-KR"),
            Map.entry("gb2312", "GB2312"), Map.entry("gbk", "GBK"), Map.entry("big5", "Big5"));
    private static final Charset[] BY_ID = load();

    private CollationCharsets() {
    }

    /** The character set of collation {@code id}. */
    public static Charset of(int id) {
        return id >= 0 && id < BY_ID.length && BY_ID[id] != null ? BY_ID[id] : StandardCharsets.UTF_8;
    }

    private static Charset[] load() {
        Charset[] byId = new Charset[256];
        try (InputStream in = CollationCharsets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int colon = line.indexOf(':');
                if (line.startsWith("#") || colon < 0) {
                    continue;
                }
                Charset charset = javaCharset(line.substring(0, colon).strip());
                for (String id : line.substring(colon + 1).strip().split(" ")) {
                    byId[Integer.parseInt(id)] = charset;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byId;
    }

    /**
     * The character set of a collation named {@code collation} ({@code latin1_swedish_ci}), or of
     * {@code "null"} (a {@code character_set_results} of NULL) and {@code binary}, under which
     * the server sends names as it keeps them, in UTF-8; null for a name without a character set
     * ({@code "?"}).
     */
    static Charset ofName(String collation) {
        if ("null".equals(collation) || "binary".equals(collation)) {
            return StandardCharsets.UTF_8;
        }
        int underscore = collation == null ? -1 : collation.indexOf('_');
        return underscore <= 0 ? null : javaCharset(collation.substring(0, underscore));
    }

    private static Charset javaCharset(String mariadb) {
        if (mariadb.startsWith("utf") || mariadb.equals("ucs2")) {
            return StandardCharsets.UTF_8;
        }
        String name = JAVA_NAMES.get(mariadb);
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : StandardCharsets.ISO_8859_1;
    }
}
