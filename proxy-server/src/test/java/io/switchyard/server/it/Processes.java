package io.switchyard.server.it;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external client programs (the {@code mariadb} client, sysbench) with a bound on their run time. */
final class Processes {
    private Processes() {}

    /**
     * Runs {@code command} with {@code stdin} as its input, killing it (and its descendants) once
     * {@code timeout} has passed; the exit code is then -1. Output goes through temporary files
     * so a chatty process never blocks on a full pipe.
     */
    static ProcessResult run(List<String> command, String stdin, Duration timeout) {
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("switchyard-it-", ".out");
            err = Files.createTempFile("switchyard-it-", ".err");
            process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream input = process.getOutputStream()) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedEarly) {
                // The process exited without reading all its input; its exit code tells why.
            }
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new ProcessResult(exited ? process.exitValue() : -1, Files.readString(out),
                    (exited ? "" : "killed after " + timeout.toSeconds() + " s\n") + Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover temporary file is harmless.
            }
        }
    }
}
