package io.switchyard.server.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.stats.Tracing;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing of statements, set up from the {@code tracing-*} variables and set up
 * again whenever a {@code LOAD MYSQL VARIABLES TO RUNTIME} changes them: an SDK tracer provider
 * that samples statements without a caller's span at {@code tracing-sample_percent} (and
 * follows a caller's decision), batches spans off the data path and exports them over OTLP
 * ({@code http/protobuf} or {@code grpc}). With {@code tracing-endpoint} empty there is no
 * provider, and the data path skips tracing. Thread-safe.
 */
public final class SpanExport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpanExport.class);

    /** The variables that shape the export; a change of any sets it up again. */
    private record Settings(String endpoint, String protocol, int samplePercent, String serviceName) {
        static Settings of(GlobalVariables v) {
            return new Settings(v.get("tracing-endpoint").strip(), v.get("tracing-protocol"), v.intValue("tracing-sample_percent"),
                    v.get("tracing-service_name"));
        }
    }

    private final Tracing tracing;
    private Settings settings;
    private SdkTracerProvider provider;
    private boolean closed;

    private SpanExport(Tracing tracing) {
        this.tracing = tracing;
    }

    /** Starts tracing as {@code runtime}'s variables say, and follows their changes. */
    public static SpanExport start(ConfigRuntime runtime, Tracing tracing) {
        SpanExport export = new SpanExport(tracing);
        export.apply(Settings.of(runtime.current().variables()));
        runtime.onChange(config -> export.apply(Settings.of(config.variables())));
        return export;
    }

    private synchronized void apply(Settings next) {
        if (closed || next.equals(settings)) {
            return;
        }
        settings = next;
        SdkTracerProvider old = provider;
        provider = null;
        if (next.endpoint().isEmpty()) {
            tracing.use(null);
        } else {
            try {
                SpanExporter exporter = next.protocol().equals("grpc")
                        ? OtlpGrpcSpanExporter.builder().setEndpoint(next.endpoint()).setTimeout(Duration.ofSeconds(10)).build()
                        : OtlpHttpSpanExporter.builder().setEndpoint(next.endpoint()).setTimeout(Duration.ofSeconds(10)).build();
                provider = SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                                io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), next.serviceName()))))
                        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(next.samplePercent() / 100.0)))
                        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500))
                                .setMaxQueueSize(65_536).build())
                        .build();
                tracing.use(provider.get("io.switchyard"));
                log.info("tracing: spans of {} % of statements (and of every sampled caller's) go to {} over OTLP {}",
                        next.samplePercent(), next.endpoint(), next.protocol());
            } catch (RuntimeException e) {
                tracing.use(null);
                log.warn("tracing: cannot export to {} over OTLP {}: {}; tracing is off", next.endpoint(), next.protocol(), e.getMessage());
            }
        }
        if (old != null) {
            old.shutdown().join(5, TimeUnit.SECONDS);
            if (provider == null) {
                log.info("tracing: off");
            }
        }
    }

    /** Exports the spans still batched (waiting up to 5 s) and stops. */
    @Override
    public synchronized void close() {
        closed = true;
        tracing.use(null);
        if (provider != null) {
            provider.shutdown().join(5, TimeUnit.SECONDS);
            provider = null;
        }
    }
}
