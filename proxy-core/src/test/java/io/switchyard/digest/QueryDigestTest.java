package io.switchyard.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QueryDigestTest {

    private static String digest(String sql) {
        return QueryDigest.of(sql).text();
    }

    @Test
    void sysbenchPointSelectKeepsItsShapeAndLosesItsId() {
        assertThat(digest("SELECT c FROM sbtest1 WHERE id=4711")).isEqualTo("SELECT c FROM sbtest1 WHERE id=?");
    }

    @Test
    void stringLiteralsOfEveryQuotingBecomeAPlaceholder() {
        assertThat(digest("SELECT * FROM t WHERE a='x'")).isEqualTo("SELECT * FROM t WHERE a=?");
        assertThat(digest("SELECT * FROM t WHERE a=\"x\"")).isEqualTo("SELECT * FROM t WHERE a=?");
        assertThat(digest("SELECT 'it''s', \"say \"\"hi\"\"\"")).isEqualTo("SELECT ?, ?");
        assertThat(digest("SELECT 'it\\'s', 'back\\\\slash', \"q\\\"\"")).isEqualTo("SELECT ?, ?, ?");
        assertThat(digest("SELECT ''")).isEqualTo("SELECT ?");
    }

    @Test
    void numbersOfEveryFormBecomeAPlaceholder() {
        assertThat(digest("SELECT 42, 4.2, 4., .5, 1e10, 1.5E-3, 2e+7, 0x1F, 0b101"))
                .isEqualTo("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?");
    }

    @Test
    void hexBitNationalAndIntroducedStringsBecomeAPlaceholder() {
        assertThat(digest("SELECT X'4D7953514C', x'ff', B'0101', b'1', N'text', _utf8mb4'x', _latin1\"y\""))
                .isEqualTo("SELECT ?, ?, ?, ?, ?, ?, ?");
    }

    @Test
    void minusIsPartOfTheLiteralOnlyWhereItIsASign() {
        assertThat(digest("SELECT -1, - 2, +3.5, (-4)")).isEqualTo("SELECT ?, ?, ?, (?)");
        assertThat(digest("SELECT * FROM t WHERE id=-1 AND v = -2.5e3 OR w BETWEEN -1 AND -2"))
                .isEqualTo("SELECT * FROM t WHERE id=? AND v = ? OR w BETWEEN ? AND ?");
        assertThat(digest("SELECT a-1, a - 1, 5-1, a * -1")).isEqualTo("SELECT a-?, a - ?, ?-?, a * ?");
        assertThat(digest("UPDATE t SET c=c+1, d=-1 WHERE id=7")).isEqualTo("UPDATE t SET c=c+?, d=? WHERE id=?");
    }

    @Test
    void nullTrueFalseAndPlaceholdersAreKeptAsWritten() {
        assertThat(digest("SELECT * FROM t WHERE a IS NULL AND b = TRUE AND c = false AND d = ?"))
                .isEqualTo("SELECT * FROM t WHERE a IS NULL AND b = TRUE AND c = false AND d = ?");
    }

    @Test
    void identifiersContainingDigitsAreNotNumbers() {
        assertThat(digest("SELECT t1.c2, 1abc, a1b FROM sbtest1 s1")).isEqualTo("SELECT t1.c2, 1abc, a1b FROM sbtest1 s1");
        assertThat(digest("SELECT t.5x, t.1 FROM t")).isEqualTo("SELECT t.5x, t.1 FROM t");
        assertThat(digest("SELECT @@session.sql_mode, @v, $x")).isEqualTo("SELECT @@session.sql_mode, @v, $x");
    }

    @Test
    void inListsOfLiteralsCollapseWhateverTheirLength() {
        assertThat(digest("SELECT * FROM t WHERE id IN (1, 2, 3)")).isEqualTo("SELECT * FROM t WHERE id IN (...)");
        assertThat(digest("SELECT * FROM t WHERE id IN (7)")).isEqualTo("SELECT * FROM t WHERE id IN (...)");
        assertThat(digest("SELECT * FROM t WHERE id in('a',-1,NULL,?)")).isEqualTo("SELECT * FROM t WHERE id in (...)");
        assertThat(digest("SELECT * FROM t WHERE id NOT IN ( 1 ,2 ) AND x=1"))
                .isEqualTo("SELECT * FROM t WHERE id NOT IN (...) AND x=?");
    }

    @Test
    void inListsWithAnythingButLiteralsAreKept() {
        assertThat(digest("SELECT * FROM t WHERE id IN (1, a, 2)")).isEqualTo("SELECT * FROM t WHERE id IN (?, a, ?)");
        assertThat(digest("SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))"))
                .isEqualTo("SELECT * FROM t WHERE (a, b) IN ((?, ?), (?, ?))");
        assertThat(digest("SELECT * FROM t WHERE id IN ()")).isEqualTo("SELECT * FROM t WHERE id IN ()");
    }

    @Test
    void inListsNestedInSubqueriesStillCollapse() {
        assertThat(digest("SELECT * FROM t WHERE x IN (SELECT y FROM u WHERE z IN (1,2)) AND w IN (3)"))
                .isEqualTo("SELECT * FROM t WHERE x IN (SELECT y FROM u WHERE z IN (...)) AND w IN (...)");
    }

    @Test
    void valuesRowsOfLiteralsCollapseToOne() {
        assertThat(digest("INSERT INTO t (a, b) VALUES (1, 'x')")).isEqualTo("INSERT INTO t (a, b) VALUES (...)");
        assertThat(digest("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'),(3,NULL)"))
                .isEqualTo("INSERT INTO t (a, b) VALUES (...)");
        assertThat(digest("insert into t values(1,2) , (3,4)")).isEqualTo("insert into t values (...)");
        assertThat(digest("INSERT INTO t VALUE (1)")).isEqualTo("INSERT INTO t VALUE (...)");
        assertThat(digest("REPLACE INTO t VALUES (1),(2)")).isEqualTo("REPLACE INTO t VALUES (...)");
    }

    @Test
    void valuesRowsWithExpressionsAreKept() {
        assertThat(digest("INSERT INTO t VALUES (1, NOW()), (2, NOW())"))
                .isEqualTo("INSERT INTO t VALUES (?, NOW()), (?, NOW())");
        assertThat(digest("INSERT INTO t VALUES (1, 2), (3, DEFAULT)"))
                .isEqualTo("INSERT INTO t VALUES (...), (?, DEFAULT)");
    }

    @Test
    void valuesFunctionInUpsertIsNotARowList() {
        assertThat(digest("INSERT INTO t VALUES (1,2),(3,4) ON DUPLICATE KEY UPDATE b=VALUES(b), c=c+1"))
                .isEqualTo("INSERT INTO t VALUES (...) ON DUPLICATE KEY UPDATE b=VALUES(b), c=c+?");
    }

    @Test
    void singleAndMultiRowInsertsShareADigest() {
        QueryDigest one = QueryDigest.of("INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 2, 'c', 'pad')");
        QueryDigest many = QueryDigest.of("INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 2, 'c', 'pad'),(3,4,'e','f')");
        assertThat(many).isEqualTo(one);
    }

    @Test
    void commentsAreRemovedAndCountAsWhitespace() {
        assertThat(digest("SELECT a /* why */ FROM t")).isEqualTo("SELECT a FROM t");
        assertThat(digest("SELECT a/**/FROM t")).isEqualTo("SELECT a FROM t");
        assertThat(digest("SELECT a -- trailing\nFROM t")).isEqualTo("SELECT a FROM t");
        assertThat(digest("SELECT a --\tx\nFROM t")).isEqualTo("SELECT a FROM t");
        assertThat(digest("SELECT a # hash\nFROM t # end")).isEqualTo("SELECT a FROM t");
        assertThat(digest("/* app=web */ SELECT 1")).isEqualTo("SELECT ?");
        assertThat(digest("SELECT 1 -- ")).isEqualTo("SELECT ?");
        assertThat(digest("SELECT 1 --")).isEqualTo("SELECT ?");
    }

    @Test
    void doubleDashWithoutSpaceIsNotAComment() {
        assertThat(digest("SELECT 5--1")).isEqualTo("SELECT ?-?");
    }

    @Test
    void optimizerHintsAndExecutableCommentsAreKept() {
        assertThat(digest("SELECT /*+ BKA(t1)   NO_ICP(t2) */ a FROM t1 WHERE id=1"))
                .isEqualTo("SELECT /*+ BKA(t1) NO_ICP(t2) */ a FROM t1 WHERE id=?");
        assertThat(digest("/*!40101 SET NAMES utf8 */")).isEqualTo("/*!40101 SET NAMES utf8 */");
    }

    @Test
    void commentMarkersInsideStringsAndNamesAreNotComments() {
        assertThat(digest("SELECT '/* not */', '-- no', '#no' FROM t")).isEqualTo("SELECT ?, ?, ? FROM t");
        assertThat(digest("SELECT `a -- b`, `#c` FROM t")).isEqualTo("SELECT `a -- b`, `#c` FROM t");
    }

    @Test
    void backquotedNamesAreKeptVerbatimIncludingDoubledBackquotes() {
        assertThat(digest("SELECT `we``ird`, `1`, `it's` FROM `db`.`t` WHERE `id`=3"))
                .isEqualTo("SELECT `we``ird`, `1`, `it's` FROM `db`.`t` WHERE `id`=?");
    }

    @Test
    void whitespaceRunsFoldToOneSpaceAndEndsAreTrimmed() {
        assertThat(digest("  \t SELECT\n\n  a ,\r\n b\tFROM   t  \n")).isEqualTo("SELECT a , b FROM t");
    }

    @Test
    void keywordsAndIdentifiersKeepTheirCase() {
        assertThat(digest("select A from T where Id=1")).isEqualTo("select A from T where Id=?");
        assertThat(QueryDigest.of("select 1").hash()).isNotEqualTo(QueryDigest.of("SELECT 1").hash());
    }

    @Test
    void unterminatedConstructsDoNotThrow() {
        assertThat(digest("SELECT 'unterminated")).isEqualTo("SELECT ?");
        assertThat(digest("SELECT 'ends in backslash\\")).isEqualTo("SELECT ?");
        assertThat(digest("SELECT \"open")).isEqualTo("SELECT ?");
        assertThat(digest("SELECT a /* open comment")).isEqualTo("SELECT a");
        assertThat(digest("SELECT `open")).isEqualTo("SELECT `open");
        assertThat(digest("SELECT * FROM t WHERE id IN (1, 2")).isEqualTo("SELECT * FROM t WHERE id IN (?, ?");
        assertThat(digest("SELECT 0x")).isEqualTo("SELECT 0x");
        assertThat(digest("SELECT 1e")).isEqualTo("SELECT 1e");
        assertThat(digest("SELECT x'")).isEqualTo("SELECT ?");
        assertThat(digest("-")).isEqualTo("-");
        assertThat(digest("/*")).isEmpty();
        assertThat(digest(")))((")).isEqualTo(")))((");
    }

    @Test
    void emptyAndBlankStatementsHaveAnEmptyDigest() {
        assertThat(digest("")).isEmpty();
        assertThat(digest("   \n\t")).isEmpty();
        assertThat(digest("-- only a comment")).isEmpty();
        assertThat(QueryDigest.of("").hashHex()).isEqualTo("0xEF46DB3751D8E999");
    }

    @Test
    void nonAsciiNamesAreKeptAndNonAsciiLiteralsRemoved() {
        assertThat(digest("SELECT 'héllo', \"日本語\" FROM tä WHERE naïve = 'ö' AND 名前=1"))
                .isEqualTo("SELECT ?, ? FROM tä WHERE naïve = ? AND 名前=?");
    }

    @Test
    void longStatementsAreCutAtTheMaximumLength() {
        String sql = "SELECT " + "a, ".repeat(2000) + "b FROM t";
        QueryDigest d = QueryDigest.of(sql);
        assertThat(d.text()).hasSize(QueryDigest.DEFAULT_MAX_LENGTH).startsWith("SELECT a, a, ");
        assertThat(QueryDigest.of(sql, 20).text()).isEqualTo("SELECT a, a, a, a, a");
        assertThat(QueryDigest.of("SELECT 1   FROM t", 9).text()).isEqualTo("SELECT ?");
    }

    @Test
    void cuttingNeverSplitsAUtf8Character() {
        // "SELECT é" is 9 bytes; a cut at 8 would fall inside the é
        assertThat(QueryDigest.of("SELECT éé", 8).text()).isEqualTo("SELECT");
        assertThat(QueryDigest.of("SELECT éé", 9).text()).isEqualTo("SELECT é");
        assertThat(QueryDigest.of("SELECT 日本", 9).text()).isEqualTo("SELECT");
    }

    @Test
    void longListsOfLiteralsCollapseEvenBeyondTheMaximumLength() {
        String in = "SELECT * FROM t WHERE id IN (" + "12345, ".repeat(10_000) + "1) AND x=2";
        assertThat(digest(in)).isEqualTo("SELECT * FROM t WHERE id IN (...) AND x=?");
        String values = "INSERT INTO t (a, b) VALUES " + "(1, 'some text'), ".repeat(10_000) + "(2, 'x')";
        assertThat(digest(values)).isEqualTo("INSERT INTO t (a, b) VALUES (...)");
    }

    @Test
    void hugeLiteralsCostNothingInTheDigest() {
        String sql = "INSERT INTO blobs VALUES (1, '" + "x".repeat(1_000_000) + "')";
        assertThat(digest(sql)).isEqualTo("INSERT INTO blobs VALUES (...)");
    }

    @Test
    void statementsDifferingOnlyInLiteralsShareADigest() {
        QueryDigest a = QueryDigest.of("SELECT c FROM sbtest1 WHERE id=1 AND k BETWEEN 10 AND 'x' LIMIT 5");
        QueryDigest b = QueryDigest.of("SELECT c FROM sbtest1 WHERE id=-99 AND k BETWEEN 0x10 AND \"yy\" LIMIT 500");
        assertThat(a).isEqualTo(b);
        assertThat(a.hash()).isEqualTo(b.hash());
    }

    @Test
    void statementsDifferingInStructureHaveDifferentDigests() {
        QueryDigest byId = QueryDigest.of("SELECT c FROM sbtest1 WHERE id=1");
        assertThat(QueryDigest.of("SELECT c FROM sbtest2 WHERE id=1").hash()).isNotEqualTo(byId.hash());
        assertThat(QueryDigest.of("SELECT pad FROM sbtest1 WHERE id=1").hash()).isNotEqualTo(byId.hash());
        assertThat(QueryDigest.of("SELECT c FROM sbtest1 WHERE id=a").hash()).isNotEqualTo(byId.hash());
        assertThat(QueryDigest.of("SELECT c FROM sbtest1 WHERE `id`=1").hash()).isNotEqualTo(byId.hash());
    }

    @Test
    void hashIsXxh64OfTheDigestTextAndPrintsLikeProxySql() {
        QueryDigest d = QueryDigest.of("SELECT c FROM sbtest1 WHERE id=4711");
        // reference value from libxxhash's XXH64(text, len, 0)
        assertThat(d.hash()).isEqualTo(0xD82FB3B6E90A8423L);
        assertThat(d.hashHex()).isEqualTo("0xD82FB3B6E90A8423");
        assertThat(QueryDigest.toHex(0x1L)).isEqualTo("0x0000000000000001");
    }

    @Test
    void byteBufInputGivesTheSameDigestAndLeavesTheBufferAlone() {
        String sql = "SELECT c FROM sbtest1 WHERE id IN (1,2) AND name='ä'";
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        QueryDigest expected = QueryDigest.of(sql);

        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer().writeByte(0x03).writeBytes(bytes);
        try {
            direct.skipBytes(1);
            assertThat(QueryDigest.of(heap)).isEqualTo(expected);
            assertThat(QueryDigest.of(direct)).isEqualTo(expected);
            assertThat(QueryDigest.of(heap.slice(0, bytes.length))).isEqualTo(expected);
            assertThat(direct.readerIndex()).isEqualTo(1);
            assertThat(direct.readableBytes()).isEqualTo(bytes.length);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void largeDirectBufferIsDigestedWhole() {
        String sql = "INSERT INTO t VALUES (1, '" + "y".repeat(200_000) + "'), (2, 'z')";
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            direct.writeCharSequence(sql, StandardCharsets.UTF_8);
            assertThat(QueryDigest.of(direct).text()).isEqualTo("INSERT INTO t VALUES (...)");
            assertThat(QueryDigest.of("SELECT 1").text()).isEqualTo("SELECT ?");
        } finally {
            direct.release();
        }
    }

    @Test
    void heapSliceWithAnOffsetIsReadInPlace() {
        ByteBuf packet = Unpooled.wrappedBuffer("\u0003SELECT 1".getBytes(StandardCharsets.UTF_8));
        try {
            ByteBuf statement = packet.slice(1, packet.readableBytes() - 1);
            assertThat(QueryDigest.of(statement).text()).isEqualTo("SELECT ?");
        } finally {
            packet.release();
        }
    }

    @Test
    void maximumLengthBelowOneIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> QueryDigest.of("SELECT 1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql-query_digests_max_digest_length");
    }
}
