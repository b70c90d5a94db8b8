package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProxyErrorTest {
    /** MariaDB's client library answers an ERR with a code of its own range with "malformed packet" (2027). */
    @Test
    void noErrorCarriesACodeOfTheClientLibrarysRange() {
        assertThat(Arrays.stream(ProxyError.values()).filter(e -> e.code >= 2000 && e.code < 3000))
                .as("entries with a client-range code").isEmpty();
    }

    @Test
    void everyErrorHasAFiveCharacterSqlState() {
        assertThat(ProxyError.values()).allSatisfy(e -> assertThat(e.sqlState).hasSize(5));
    }
}
