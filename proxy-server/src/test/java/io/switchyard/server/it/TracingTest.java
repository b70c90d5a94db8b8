package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Statements' spans as an OpenTelemetry collector gets them: a real OTLP/HTTP receiver in the
 * test decodes the protobuf the proxy exports. A statement that carries a W3C {@code traceparent}
 * in a sqlcommenter comment (sent by Connector/J as the application wrote it) is a child of that
 * span; sampling and the endpoint change at run time through the {@code tracing-*} variables.
 */
class TracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";

    /** The spans received, with the service name of their resource. */
    private record Received(Span span, String service) {
        Map<String, String> attributes() {
            return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> value(kv.getValue())));
        }

        private static String value(AnyValue v) {
            return switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                default -> v.toString();
            };
        }

        String summary() {
            return attributes().get("db.query.summary");
        }
    }

    private static HttpServer receiver(List<Received> received) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = rs.getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals("service.name"))
                        .map(kv -> kv.getValue().getStringValue()).findFirst().orElse("");
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    ss.getSpansList().forEach(s -> received.add(new Received(s, service)));
                }
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().close();
        });
        server.start();
        return server;
    }

    private static Received await(List<Received> received, String summary) {
        Await.until(Duration.ofSeconds(10), "a span of " + summary, () -> received.stream().anyMatch(r -> summary.equals(r.summary())));
        return received.stream().filter(r -> summary.equals(r.summary())).findFirst().orElseThrow();
    }

    @Test
    void statementsBecomeSpansChildrenOfTheCallersSpan() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpServer collector = receiver(received);
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
        try (ProxyFixture fixture = ProxyFixture.start(0, "tracing { endpoint = \"" + endpoint + "\", sample-ratio = 1.0,"
                + " service-name = \"orders-proxy\" }");
             Connection c = fixture.mysql("");
             Statement s = c.createStatement()) {
            MariaDbServer primary = fixture.cluster().primary();
            s.executeQuery("SELECT 1 AS traced /*traceparent='00-" + TRACE_ID + "-" + PARENT_ID + "-01'*/").close();
            Received child = await(received, "SELECT ? AS traced");
            assertThat(HexFormat.of().formatHex(child.span().getTraceId().toByteArray())).isEqualTo(TRACE_ID);
            assertThat(HexFormat.of().formatHex(child.span().getParentSpanId().toByteArray())).isEqualTo(PARENT_ID);
            assertThat(child.span().getName()).isEqualTo("SELECT");
            assertThat(child.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(child.service()).isEqualTo("orders-proxy");
            assertThat(child.attributes()).containsEntry("db.system.name", "mariadb").containsEntry("db.namespace", "app")
                    .containsEntry("server.address", primary.host()).containsEntry("server.port", Integer.toString(primary.port()))
                    .containsEntry("switchyard.hostgroup", "0").containsEntry("db.response.returned_rows", "1")
                    .doesNotContainKey("db.response.status_code");
            assertThat(child.span().getEndTimeUnixNano()).isGreaterThanOrEqualTo(child.span().getStartTimeUnixNano());

            SQLException missing = null;
            try {
                s.executeQuery("SELECT 2 AS failing FROM no_such_table").close();
            } catch (SQLException e) {
                missing = e;
            }
            assertThat((Throwable) missing).isNotNull();
            Received failed = await(received, "SELECT ? AS failing FROM no_such_table");
            assertThat(failed.attributes()).containsEntry("db.response.status_code", "1146");
            assertThat(failed.span().getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
            assertThat(failed.span().getParentSpanId().isEmpty()).as("a root span").isTrue();

            // No sampling of statements without a caller: only a caller's sampled span is followed.
            fixture.proxy().runtime().update(rows -> rows.withVariables(rows.variables().with("tracing-sample_percent", "0")));
            s.executeQuery("SELECT 3 AS unsampled").close();
            s.executeQuery("SELECT 4 AS followed /*traceparent='00-" + TRACE_ID + "-" + PARENT_ID + "-01'*/").close();
            await(received, "SELECT ? AS followed");
            assertThat(received).noneMatch(r -> "SELECT ? AS unsampled".equals(r.summary()));

            // Off at run time.
            fixture.proxy().runtime().update(rows -> rows.withVariables(rows.variables().with("tracing-endpoint", "")));
            int before = received.size();
            s.executeQuery("SELECT 5 AS off /*traceparent='00-" + TRACE_ID + "-" + PARENT_ID + "-01'*/").close();
            Thread.sleep(1_500);
            assertThat(received).hasSize(before);
            assertThat(fixture.proxy().stats().tracing().on()).isFalse();
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void spansGoOverGrpcToo() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver(request -> {
                 for (ResourceSpans rs : request.getResourceSpansList()) {
                     for (ScopeSpans ss : rs.getScopeSpansList()) {
                         ss.getSpansList().forEach(sp -> received.add(new Received(sp, "")));
                     }
                 }
             });
             ProxyFixture fixture = ProxyFixture.start(0, "tracing { endpoint = \"http://127.0.0.1:" + collector.port()
                     + "\", protocol = grpc, sample-ratio = 1.0 }");
             Connection c = fixture.mysql("");
             Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1 AS over_grpc /*traceparent='00-" + TRACE_ID + "-" + PARENT_ID + "-01'*/").close();
            Received span = await(received, "SELECT ? AS over_grpc");
            assertThat(HexFormat.of().formatHex(span.span().getParentSpanId().toByteArray())).isEqualTo(PARENT_ID);
        }
    }
}
