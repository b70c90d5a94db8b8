package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker image's daemon starts and serves clients. There is no Docker engine on the build
 * machine, so the packaged jar is started the way docker/Dockerfile starts it: its ENTRYPOINT and
 * CMD, argument for argument (read from the file, the image's paths mapped under a scratch
 * directory laid out like the image), as the image's unprivileged user, from {@code /}, the
 * working directory of an image without WORKDIR. Runs after {@code package} (failsafe): it needs
 * target/switchyard.jar.
 */
class SwitchyardImageIT {
    private static final Path DOCKERFILE = repositoryFile("docker/Dockerfile");
    private static final String UNPRIVILEGED = "nobody";
    static MariaDbCluster cluster;

    @BeforeAll
    static void start() {
        cluster = MariaDbCluster.builder().replicas(0).start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Path repositoryFile(String path) {
        Path here = Path.of(path);
        return Files.exists(here) ? here : Path.of("..").resolve(path);
    }

    /** The strings of an exec-form instruction ({@code ENTRYPOINT ["java", ...]}) of the Dockerfile. */
    private static List<String> execForm(List<String> dockerfile, String instruction) {
        String line = single(dockerfile, instruction);
        List<String> args = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(line.substring(instruction.length()));
        while (m.find()) {
            args.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return args;
    }

    /** The one line starting with {@code instruction}. */
    private static String single(List<String> dockerfile, String instruction) {
        List<String> lines = dockerfile.stream().filter(l -> l.startsWith(instruction + " ")).toList();
        assertThat(lines).as("%s in %s", instruction, DOCKERFILE).hasSize(1);
        return lines.get(0).trim();
    }

    @Test
    void theImagesCommandServesClientsAsItsUnprivilegedUserFromTheRoot() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "starting the daemon as another user takes root and runuser");
        List<String> dockerfile = Files.readAllLines(DOCKERFILE);
        List<String> command = new ArrayList<>(execForm(dockerfile, "ENTRYPOINT"));
        command.addAll(execForm(dockerfile, "CMD"));
        String volume = single(dockerfile, "VOLUME").substring("VOLUME ".length()).trim();
        String user = single(dockerfile, "USER").substring("USER ".length()).trim();
        assertThat(user).as("the image's user is nobody's uid and gid").isEqualTo("65534:65534");
        assertThat(command).as("the data directory is the volume").containsSubsequence("--datadir", volume);
        assertThat(single(dockerfile, "RUN")).as("the volume belongs to the image's user")
                .contains("mkdir -p " + volume, "chown " + user + " " + volume);

        // The image's files, at their image paths under a scratch root that the user can read.
        Path root = Files.createTempDirectory("switchyard-image");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Path.of("target", "switchyard.jar").toAbsolutePath();
        assertThat(jar).as("the packaged jar (run after package)").exists();
        int port = ProxyProcess.freePort();
        copy(jar, root, "/opt/switchyard/switchyard.jar");
        Path config = under(root, "/etc/switchyard/switchyard.conf");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ { username = "app", password = "app-pass", default-schema = "app" } ]
                }
                """.formatted(port, cluster.primary().port()));
        Path data = under(root, volume);
        Files.createDirectories(data);
        run("chown", user, data.toString());
        openToAll(root, config.getParent());

        List<String> mapped = new ArrayList<>(List.of("runuser", "-u", UNPRIVILEGED, "--"));
        for (String arg : command) {
            if (arg.equals("java")) {
                mapped.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (arg.startsWith("/")) {
                mapped.add(under(root, arg).toString());
            } else {
                mapped.add(arg);
            }
        }
        Path log = root.resolve("daemon.log");
        ProcessBuilder builder = new ProcessBuilder(mapped).directory(Path.of("/").toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SWITCHYARD_METRICS_PORT", "0");
        builder.environment().put("SWITCHYARD_ADMIN_PORT", "0");
        Process daemon = builder.start();
        try {
            Await.until(Duration.ofSeconds(60), () -> "the daemon listens on " + port + "\n" + read(log),
                    () -> accepts(port) || !daemon.isAlive());
            assertThat(daemon.isAlive()).as("the daemon runs\n%s", read(log)).isTrue();
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/app", "app", "app-pass");
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CURRENT_USER(), 40 + 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(2)).isEqualTo(42);
            }
            Path disk = data.resolve("switchyard.db");
            assertThat(disk).as("the disk layer is in the volume\n%s", read(log)).exists();
            assertThat(Files.getOwner(disk).getName()).isEqualTo(UNPRIVILEGED);
        } finally {
            List<ProcessHandle> tree = new ArrayList<>(daemon.descendants().toList());
            tree.add(daemon.toHandle());
            tree.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : tree) {
                p.onExit().get(20, TimeUnit.SECONDS);
            }
        }
        assertThat(read(log)).doesNotContain("cannot create the data directory").contains("switchyard stopped");
        deleteTree(root);
    }

    /** Removes the scratch root (a copy of the jar included); kept when the test fails, for its log. */
    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path under(Path root, String imagePath) {
        return root.resolve(imagePath.substring(1));
    }

    private static void copy(Path file, Path root, String imagePath) throws IOException {
        Path target = under(root, imagePath);
        Files.createDirectories(target.getParent());
        Files.copy(file, target);
        openToAll(root, target.getParent());
    }

    /** Makes every directory from {@code root} down to {@code dir} readable and searchable by all. */
    private static void openToAll(Path root, Path dir) throws IOException {
        for (Path p = dir; p.startsWith(root); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", command)).isTrue();
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no output)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
