package io.switchyard.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The proxy as a separate JVM process (for tests that need its own heap limits or signals),
 * started from the test class path. Stopped by {@link #close()}.
 */
final class ProxyProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ProxyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code io.switchyard.server.Main --config} with {@code hocon} and extra JVM options, a fresh data directory,
     * and the admin and metrics endpoints on free ports (so proxies of parallel builds do not collide); waits until the
     * port accepts.
     */
    static ProxyProcess start(String hocon, int port, String... jvmOptions) {
        try {
            Path dir = Files.createTempDirectory("switchyard-proxy");
            Path config = dir.resolve("switchyard.conf");
            Files.writeString(config, hocon);
            Path log = dir.resolve("proxy.log");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(jvmOptions));
            command.addAll(List.of("-cp", classpath, "io.switchyard.server.Main", "--config", config.toString(),
                    "--datadir", dir.resolve("data").toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("SWITCHYARD_METRICS_PORT", "0");
            builder.environment().put("SWITCHYARD_ADMIN_PORT", "0");
            Process p = builder.start();
            ProxyProcess proxy = new ProxyProcess(p, port, log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("proxy exited with " + p.exitValue() + ":\n" + Files.readString(log));
                }
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return proxy;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            proxy.close();
            throw new IllegalStateException("proxy did not listen on " + port + " within 30 s:\n" + Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Sends SIGTERM and waits up to {@code seconds} for exit; returns the exit code or -1. */
    int terminate(int seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
