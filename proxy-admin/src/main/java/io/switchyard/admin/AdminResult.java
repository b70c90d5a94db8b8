package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What one admin statement produced: an OK, a result set (all values as text), or an error. Immutable. */
sealed interface AdminResult {

    /** An OK; {@code warnings} are counted in the packet and listed by {@code SHOW WARNINGS}. */
    record Ok(long affectedRows, String info, List<AdminWarning> warnings) implements AdminResult {
        public Ok {
            warnings = List.copyOf(warnings);
        }

        Ok(long affectedRows, String info) {
            this(affectedRows, info, List.of());
        }
    }

    /** A result set; a null value is SQL NULL. */
    record Rows(List<String> columns, List<List<String>> rows) implements AdminResult {
        public Rows {
            columns = List.copyOf(columns);
            rows = Collections.unmodifiableList(new ArrayList<>(rows));
        }
    }

    record Error(ErrPacket error) implements AdminResult {}

    static Ok ok() {
        return new Ok(0, "");
    }
}
