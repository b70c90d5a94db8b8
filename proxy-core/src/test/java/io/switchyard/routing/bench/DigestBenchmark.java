package io.switchyard.routing.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.digest.DigestStats;
import io.switchyard.digest.QueryDigest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of digesting a statement on the data path, and of counting it in {@link DigestStats}.
 * Not part of the test suite; run by hand:
 * <pre>
 * ./mvnw -q -o -pl proxy-core test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/cp.txt -Dmdep.includeScope=test
 * java -cp "$(cat cp.txt):proxy-core/target/test-classes:proxy-core/target/classes" \
 *     org.openjdk.jmh.Main DigestBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * </pre>
 * Statements come as heap {@link ByteBuf}s, as a COM_QUERY payload slice would after the
 * frame decoder; a direct buffer adds one bulk copy into a per-thread array.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DigestBenchmark {
    private static final String POINT_SELECT = "SELECT c FROM sbtest1 WHERE id=4711";
    private static final String INSERT_10 = "INSERT INTO sbtest1 (id, k, c, pad) VALUES "
            + "(1, 5012, '83868641912-28773972837-60736120486-75162659906', '67847967377-48000963322'),"
            + "(2, 4983, '38014276128-25250245652-62722561801-27818678124', '23183251411-36241541236'),"
            + "(3, 5020, '33973744704-80540844748-72700647445-87330233173', '38615512647-91458489257'),"
            + "(4, 4998, '37002370280-58842166667-00026392672-77506866252', '63947013338-98809887124'),"
            + "(5, 5011, '44257470806-17967007152-32809666989-26174672567', '34551750492-67990399350'),"
            + "(6, 4992, '33071042495-29920376648-91343430102-79082003121', '05161542529-00085727016'),"
            + "(7, 5004, '54133149494-75722987476-23015721680-47254589498', '67488925029-53184937281'),"
            + "(8, 5002, '78485463394-93325829208-69934434006-56574683963', '94183932125-52779014779'),"
            + "(9, 4997, '96375521447-59376282355-25573585209-13432413405', '88932904427-10429429946'),"
            + "(10, 5006, '93210986932-10513283425-95838452446-66218364124', '86216004208-86207153220')";

    private ByteBuf pointSelect;
    private ByteBuf insert10;
    private DigestStats stats;
    private QueryDigest pointSelectDigest;

    @Setup(Level.Trial)
    public void setUp() {
        pointSelect = Unpooled.wrappedBuffer(POINT_SELECT.getBytes(StandardCharsets.UTF_8));
        insert10 = Unpooled.wrappedBuffer(INSERT_10.getBytes(StandardCharsets.UTF_8));
        stats = new DigestStats(DigestStats.DEFAULT_MAX_ENTRIES);
        pointSelectDigest = QueryDigest.of(POINT_SELECT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pointSelect.release();
        insert10.release();
    }

    @Benchmark
    public QueryDigest digestPointSelect() {
        return QueryDigest.of(pointSelect);
    }

    @Benchmark
    public QueryDigest digestInsertOfTenRows() {
        return QueryDigest.of(insert10);
    }

    @Benchmark
    public void recordPointSelect() {
        stats.record(1, "sbtest", "sbtest", null, pointSelectDigest, 250, 0, 1, false);
    }

    @Benchmark
    public DigestStats digestAndRecordPointSelect() {
        stats.record(1, "sbtest", "sbtest", null, QueryDigest.of(pointSelect), 250, 0, 1, false);
        return stats;
    }
}
