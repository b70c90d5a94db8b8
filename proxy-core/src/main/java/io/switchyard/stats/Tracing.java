package io.switchyard.stats;

import io.opentelemetry.api.trace.Tracer;

/**
 * Where finished statements' spans go (OpenTelemetry): the tracer the server module sets up
 * from the {@code tracing-*} variables, or none while tracing is off, which then costs the data
 * path one volatile read per statement. Thread-safe.
 */
public final class Tracing {
    private volatile Tracer tracer;

    /** Spans go to {@code tracer} from now on; null turns tracing off. */
    public void use(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The tracer, or null while tracing is off. */
    public Tracer tracer() {
        return tracer;
    }

    public boolean on() {
        return tracer != null;
    }
}
