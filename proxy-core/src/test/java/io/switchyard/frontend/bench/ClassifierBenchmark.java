package io.switchyard.frontend.bench;

import io.switchyard.frontend.state.StatementClassifier;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.stats.StatementKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of reading a statement's session-state traits before it runs
 * ({@link StatementClassifier#classify}), which every statement pays on the data path: a plain
 * {@code SELECT} takes the one-pass check, anything else the lexer. Also the cost of reading its
 * kind ({@link StatementKind#of}), which the routing decision and the end of the statement read.
 * Not part of the test suite; run with {@code scripts/jmh ClassifierBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClassifierBenchmark {
    private String pointSelect = "SELECT c FROM sbtest1 WHERE id=4711";
    private String rangeSelect = "SELECT c FROM sbtest1 WHERE id BETWEEN 4711 AND 4810 ORDER BY c LIMIT 20, 10";
    private String set = "SET SESSION sql_mode = 'STRICT_TRANS_TABLES', time_zone = '+00:00'";

    @Benchmark
    public StatementTraits pointSelect() {
        return StatementClassifier.classify(pointSelect);
    }

    @Benchmark
    public StatementTraits rangeSelectWithLimit() {
        return StatementClassifier.classify(rangeSelect);
    }

    @Benchmark
    public StatementTraits setOfTwoVariables() {
        return StatementClassifier.classify(set);
    }

    @Benchmark
    public StatementKind kindOfPointSelect() {
        return StatementKind.of(pointSelect);
    }

    @Benchmark
    public StatementKind kindOfRangeSelectWithLimit() {
        return StatementKind.of(rangeSelect);
    }
}
