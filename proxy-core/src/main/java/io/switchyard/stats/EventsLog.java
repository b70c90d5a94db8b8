package io.switchyard.stats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query events log ({@code mysql-eventslog_filename}): one JSON line per logged statement,
 * written by a thread of its own to {@code <filename>.00000001}, {@code .00000002}, … (a new file
 * once the current one reaches {@code mysql-eventslog_filesize} bytes, numbering on from the
 * highest file already there), as ProxySQL names its events log files.
 *
 * <p>A session only puts its event in a bounded queue and never waits: when the queue is full,
 * or the file cannot be written (a full disk, a missing directory), the line is counted as lost
 * and the proxy goes on serving. Thread-safe.
 */
public final class EventsLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventsLog.class);
    static final int QUEUE_CAPACITY = 65_536;

    /** One finished statement, as the log writes it. */
    public record Event(long timeMillis, long session, String user, String schema, String client, int hostgroup, String server,
                        String digest, String digestText, long durationMicros, long rowsSent, long rowsAffected, int error) {}

    private record Queued(Event event, String filename, long maxBytes) {}

    private final BlockingQueue<Queued> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private Thread writer;
    private volatile boolean closed;

    // Writer thread only.
    private String filename;
    private OutputStream out;
    private long fileBytes;
    private int sequence;
    private boolean failing;

    /**
     * Logs {@code event} to {@code filename} (its numbered files), starting a new file beyond
     * {@code maxBytes}; never blocks.
     */
    public void offer(Event event, String filename, long maxBytes) {
        if (closed) {
            lost.incrementAndGet();
            return;
        }
        startWriter();
        if (!queue.offer(new Queued(event, filename, maxBytes))) {
            lost.incrementAndGet();
        }
    }

    private synchronized void startWriter() {
        if (writer == null && !closed) {
            writer = new Thread(this::run, "switchyard-eventslog");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** Lines written so far. */
    public long written() {
        return written.get();
    }

    /** Lines lost so far: the queue was full, or the file could not be written. */
    public long lost() {
        return lost.get();
    }

    private void run() {
        List<Queued> batch = new ArrayList<>();
        try {
            while (!closed || !queue.isEmpty()) {
                Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1_023);
                for (Queued q : batch) {
                    write(q);
                }
                batch.clear();
                flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lost.addAndGet(queue.size());
            queue.clear();
            closeFile();
        }
    }

    private void write(Queued q) {
        byte[] line = (json(q.event()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (!q.filename().equals(filename)) {
                closeFile();
                filename = q.filename();
                sequence = Math.max(1, highestSequence(Path.of(filename)));
            }
            if (out == null) {
                openCurrent();
            }
            if (fileBytes > 0 && fileBytes + line.length > q.maxBytes()) {
                closeFile();
                sequence++;
                openCurrent();
            }
            out.write(line);
            fileBytes += line.length;
            written.incrementAndGet();
            if (failing) {
                failing = false;
                log.info("events log {}: writing again", filename);
            }
        } catch (IOException | RuntimeException e) {
            lost.incrementAndGet();
            failed(e);
        }
    }

    /** The file could not be written: it is opened again for the next line; logged once until writing works again. */
    private void failed(Exception e) {
        closeFile();
        if (!failing) {
            failing = true;
            log.warn("events log {}: lines are lost until it can be written again: {}", filename, e.toString());
        }
    }

    /** Opens the file numbered {@code sequence} to append to it, knowing how much it holds. */
    private void openCurrent() throws IOException {
        Path file = file(Path.of(filename), sequence);
        fileBytes = Files.isRegularFile(file) ? Files.size(file) : 0;
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    private void flush() {
        if (out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // the lines it held are counted as written; nothing more can be done with it
            }
            out = null;
        }
        fileBytes = 0;
    }

    /** {@code base.NNNNNNNN}: the events log file number {@code n}. */
    static Path file(Path base, int n) {
        return base.resolveSibling(base.getFileName() + "." + String.format("%08d", n));
    }

    /** The highest number of an events log file of {@code base} already there, 0 when none. */
    static int highestSequence(Path base) throws IOException {
        Path dir = base.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        Pattern numbered = Pattern.compile(Pattern.quote(base.getFileName().toString()) + "\\.(\\d{8})");
        int highest = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = numbered.matcher(p.getFileName().toString());
                if (m.matches()) {
                    highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        return highest;
    }

    /** The JSON line of {@code e}. */
    static String json(Event e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":");
        string(b, Instant.ofEpochMilli(e.timeMillis()).toString());
        b.append(",\"session\":").append(e.session());
        b.append(",\"user\":");
        string(b, e.user());
        b.append(",\"schema\":");
        string(b, e.schema());
        b.append(",\"client\":");
        string(b, e.client());
        b.append(",\"hostgroup\":").append(e.hostgroup());
        b.append(",\"server\":");
        string(b, e.server());
        b.append(",\"digest\":");
        string(b, e.digest());
        b.append(",\"digest_text\":");
        string(b, e.digestText());
        b.append(",\"duration_us\":").append(e.durationMicros());
        b.append(",\"rows_sent\":").append(e.rowsSent());
        b.append(",\"rows_affected\":").append(e.rowsAffected());
        b.append(",\"error\":").append(e.error());
        return b.append('}').toString();
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Writes what is queued (waiting up to 5 s) and stops the writer. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = writer;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
