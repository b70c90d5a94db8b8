package io.switchyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    private static int run(StringWriter out, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        return cli.execute(args);
    }

    @Test
    void validateAcceptsTheShippedConfig() {
        assertThat(run(new StringWriter(), "--config", "../conf/switchyard.conf", "--validate")).isZero();
    }

    @Test
    void validateRejectsABadConfigWithExitCode2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "switchyard.frontend.auth-plugin = sha256_password\n");
        assertThat(run(new StringWriter(), "--config", bad.toString(), "--validate")).isEqualTo(2);
    }

    @Test
    void helpAndVersionAnswer() {
        StringWriter help = new StringWriter();
        assertThat(run(help, "--help")).isZero();
        assertThat(help.toString()).contains("--config", "demo");
        StringWriter version = new StringWriter();
        assertThat(run(version, "--version")).isZero();
        assertThat(version.toString()).contains("switchyard");
    }
}
