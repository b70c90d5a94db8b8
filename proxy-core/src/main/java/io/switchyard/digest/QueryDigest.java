package io.switchyard.digest;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The digest of a statement, as shown in {@code stats_mysql_query_digest}: its text with the
 * literal values taken out ({@code digest_text}) and a 64-bit hash of that text
 * ({@code digest}). Statements that differ only in their literal values share a digest.
 *
 * <h2>Rules</h2>
 * A hand-written lexer (no SQL parser, no regular expressions) applies these, in one pass:
 * <ul>
 *   <li>Literal values become {@code ?}: strings in {@code '…'} or {@code "…"} (backslash escapes
 *       and doubled quotes understood; {@code "…"} is a string as in MySQL's default mode, not
 *       {@code ANSI_QUOTES}), numbers ({@code 42}, {@code 4.2}, {@code .5}, {@code 1e-3},
 *       {@code 0x1F}, {@code 0b101}), {@code X'…'}, {@code B'…'}, {@code N'…'} and strings with a
 *       charset introducer ({@code _utf8mb4'…'}). A {@code -} or {@code +} right before a number
 *       is part of the literal when it is a sign: at the start, after {@code (}, {@code ,}, an
 *       operator or a keyword such as {@code WHERE}, {@code AND}, {@code SELECT}; so
 *       {@code id=-1} gives {@code id=?} but {@code a-1} gives {@code a-?}. {@code NULL},
 *       {@code TRUE} and {@code FALSE} are kept as written. Placeholders {@code ?} stay.</li>
 *   <li>A parenthesised list holding only literals (and {@code NULL}) after {@code IN} becomes
 *       {@code IN (...)}, whatever its length, including one element; after {@code VALUES} or
 *       {@code VALUE}, every consecutive such row becomes a single {@code VALUES (...)}, so a
 *       one-row and a thousand-row insert share a digest. A list holding anything else
 *       ({@code NOW()}, a column, a subquery, {@code DEFAULT}) is kept with its literals
 *       replaced; rows after it are not collapsed either.</li>
 *   <li>Comments ({@code -- …} with the space MySQL requires, {@code # …}, {@code /* … *}{@code /})
 *       are removed, except optimizer hints {@code /*+ … *}{@code /} and executable comments
 *       {@code /*! … *}{@code /}, which change what the server does and are kept verbatim.</li>
 *   <li>Each run of whitespace and removed comments becomes one space; leading and trailing
 *       whitespace goes. No space is added or removed elsewhere, so {@code id=1} and
 *       {@code id = 1} are different digests, as in ProxySQL.</li>
 *   <li>Keywords and identifiers keep the case they were written in (ProxySQL's default,
 *       {@code mysql-query_digests_lowercase=false}); backquoted names are kept verbatim.</li>
 *   <li>The text is cut at {@code maxLength} bytes (default {@value #DEFAULT_MAX_LENGTH}, as
 *       ProxySQL's {@code mysql-query_digests_max_digest_length}), never inside a UTF-8
 *       character; lexing stops there, so a huge statement costs no more than its first part.</li>
 *   <li>Malformed input never throws: an unterminated string becomes {@code ?}, an unterminated
 *       comment is dropped, an unterminated backquoted name is kept as written.</li>
 * </ul>
 *
 * <p>The hash is XXH64 (seed 0) of the digest text's UTF-8 bytes: stable across runs and
 * processes, but not the value ProxySQL would show for the same text. (Statement bytes that are
 * not valid UTF-8 outside literals are hashed as received and shown with replacement
 * characters in {@code text}.)
 *
 * <p>Immutable. The static factories are thread-safe and reuse per-thread buffers, so digesting a
 * statement allocates only the result.
 *
 * @param text digest text, UTF-8 safe, at most {@code maxLength} bytes when encoded
 * @param hash XXH64 of the digest's UTF-8 bytes
 */
public record QueryDigest(String text, long hash) {
    /** Default cap on the digest text, in bytes. */
    public static final int DEFAULT_MAX_LENGTH = 2048;

    public QueryDigest {
        if (text == null) {
            throw new NullPointerException("text");
        }
    }

    /** Digest of {@code sql} with the default maximum length. */
    public static QueryDigest of(String sql) {
        return of(sql, DEFAULT_MAX_LENGTH);
    }

    /** Digest of {@code sql}, its text cut at {@code maxLength} bytes. */
    public static QueryDigest of(String sql, int maxLength) {
        checkMaxLength(maxLength);
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        return digest(DigestNormalizer.local(), bytes, 0, bytes.length, maxLength);
    }

    /**
     * Digest of the statement in {@code statement}'s readable bytes (a COM_QUERY payload after
     * the command byte), with the default maximum length.
     */
    public static QueryDigest of(ByteBuf statement) {
        return of(statement, DEFAULT_MAX_LENGTH);
    }

    /**
     * Digest of the statement in {@code statement}'s readable bytes, its text cut at
     * {@code maxLength} bytes. Reads the bytes without changing the buffer's indices; the caller
     * keeps ownership and releases it. A heap buffer is read in place; a direct one is copied once
     * into a per-thread scratch array.
     */
    public static QueryDigest of(ByteBuf statement, int maxLength) {
        checkMaxLength(maxLength);
        DigestNormalizer normalizer = DigestNormalizer.local();
        int length = statement.readableBytes();
        if (statement.hasArray()) {
            int from = statement.arrayOffset() + statement.readerIndex();
            return digest(normalizer, statement.array(), from, from + length, maxLength);
        }
        if (normalizer.scratch.length < length) {
            normalizer.scratch = new byte[Math.max(length, normalizer.scratch.length * 2)];
        }
        statement.getBytes(statement.readerIndex(), normalizer.scratch, 0, length);
        return digest(normalizer, normalizer.scratch, 0, length, maxLength);
    }

    /** The hash as ProxySQL prints digests: {@code 0x} and 16 upper-case hex digits. */
    public String hashHex() {
        return toHex(hash);
    }

    /** {@code hash} as {@code 0x%016X}. */
    public static String toHex(long hash) {
        return String.format("0x%016X", hash);
    }

    private static QueryDigest digest(DigestNormalizer normalizer, byte[] in, int from, int to, int maxLength) {
        int length = normalizer.normalize(in, from, to, maxLength);
        byte[] out = normalizer.out;
        QueryDigest digest = new QueryDigest(
                new String(out, 0, length, StandardCharsets.UTF_8), XxHash64.hash(out, 0, length));
        normalizer.trim();
        return digest;
    }

    private static void checkMaxLength(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException(
                    "mysql-query_digests_max_digest_length must be at least 1, was " + maxLength);
        }
    }
}
