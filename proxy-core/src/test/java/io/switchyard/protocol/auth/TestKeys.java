package io.switchyard.protocol.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Fixture files under {@code src/test/resources/auth} (see the README there). */
final class TestKeys {

    private TestKeys() {
    }

    static Path path(String name) {
        try {
            return Path.of(TestKeys.class.getResource("/auth/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String name) {
        try (InputStream in = TestKeys.class.getResourceAsStream("/auth/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
