package io.switchyard.frontend;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caller's span a statement names in a sqlcommenter comment, {@code /*traceparent='00-<trace
 * id>-<span id>-<flags>'*}{@code /} (W3C Trace Context inside the comment OpenTelemetry's
 * sqlcommenter appends). Stateless.
 */
final class Traceparent {
    private static final Pattern TRACEPARENT = Pattern.compile(
            "/\\*[^*]*?traceparent\\s*=\\s*'([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})'");

    private Traceparent() {
    }

    /** The remote span context {@code sql}'s comment names, or null when it names none (or an invalid one). */
    static SpanContext of(String sql) {
        if (sql == null || sql.indexOf("traceparent") < 0) {
            return null;
        }
        Matcher m = TRACEPARENT.matcher(sql);
        if (!m.find() || m.group(1).equals("ff")) {
            return null;
        }
        SpanContext context = SpanContext.createFromRemoteParent(m.group(2), m.group(3), TraceFlags.fromHex(m.group(4), 0),
                TraceState.getDefault());
        return context.isValid() ? context : null;
    }
}
