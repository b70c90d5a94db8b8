package io.switchyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
    void syntaxErrorPrintsOneLineAndExitsWith2(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.conf");
        Files.writeString(bad, "switchyard {\n  users = [ { username = app }\n}\n");
        StringWriter picocli = new StringWriter();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int status;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            status = run(picocli, "--config", bad.toString(), "--validate");
        } finally {
            System.setErr(original);
        }
        assertThat(status).isEqualTo(2);
        assertThat(picocli.toString()).as("no stack trace through picocli").isEmpty();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).hasLineCount(1)
                .startsWith("switchyard: configuration error: syntax error at " + bad + ":3: ");
    }

    @Test
    void misspelledKeyFailsValidation(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("switchyard.conf");
        Files.writeString(bad, "switchyard { frontend { prot = 6033 } }\n");
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
