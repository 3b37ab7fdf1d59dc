package io.github.taskgroup.web.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Linux: a connection whose row in {@code /proc/net/tcp} or {@code /proc/net/tcp6} (matched on the local and
 * remote port) has left the {@code ESTABLISHED} state, or has disappeared from two scans in a row, belongs to a
 * client that is gone. It works for any container because it never touches the socket. One scan of both files
 * ({@link #beginTick()}) serves every request checked in that round. A scan costs about the same whatever the
 * number of rows (the kernel walks its whole connection hash table), so the scheduler runs it only when a
 * connection it waits on became readable, or for connections it cannot wait on.
 *
 * <p>Where the container's connection channel is known (Tomcat's and Jetty's NIO connectors, through the
 * channel lookup), the ports are the channel's own, the scheduler waits for the channel to become readable
 * instead of scanning every tick, and a row missing from two scans in a row counts as gone even if it was
 * never seen (a reset removes the row at once). Otherwise the ports are the ones the request reports, which
 * can differ from its connection's (a proxy's forwarded headers): a row that was never seen then does not
 * count as gone, since a false positive would abort a healthy request, so a client that resets its
 * connection before the first tick after the group opened is not detected.
 */
public final class ProcNetTcpDisconnectProbe implements DisconnectProbe {

    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};

    private static final int ESTABLISHED = 0x01;

    /** Sorted keys (local port << 16 | remote port) of the rows seen in the last scan, and their states. */
    private long[] rows = new long[0];

    private int count;

    private final Function<HttpServletRequest, @Nullable SocketChannel> channels;

    /** A probe that knows no connection channel: every watch is polled, with the request's ports. */
    public ProcNetTcpDisconnectProbe() {
        this((request) -> null);
    }

    /**
     * @param channels finds the container's channel of a request's connection, or returns {@code null}
     */
    public ProcNetTcpDisconnectProbe(Function<HttpServletRequest, @Nullable SocketChannel> channels) {
        this.channels = channels;
    }

    /** @return whether {@code /proc/net/tcp} can be read here */
    public static boolean isAvailable() {
        return Files.isReadable(TABLES[0]);
    }

    @Override
    public String name() {
        return "proc";
    }

    @Override
    public @Nullable Watch watch(HttpServletRequest request) {
        if (request.getProtocol().startsWith("HTTP/2")) {
            // One connection carries many streams: a reset stream leaves it ESTABLISHED, and a closed one is
            // reported by the container for each of its streams (Tomcat's stream state, Jetty's failure).
            return null;
        }
        SocketChannel channel = this.channels.apply(request);
        if (channel != null) {
            try {
                SocketAddress local = channel.getLocalAddress();
                SocketAddress remote = channel.getRemoteAddress();
                if (local instanceof InetSocketAddress l && remote instanceof InetSocketAddress r) {
                    return new ProcWatch(key(l.getPort(), r.getPort()), channel);
                }
            } catch (IOException ex) {
                // closed already: fall back to the request's ports, the row will tell
            }
        }
        int local = request.getLocalPort();
        int remote = request.getRemotePort();
        if (local <= 0 || remote <= 0 || local > 0xFFFF || remote > 0xFFFF) {
            return null;
        }
        return new ProcWatch(key(local, remote), null);
    }

    private static long key(int localPort, int remotePort) {
        return ((long) localPort << 16) | remotePort;
    }

    @Override
    public void beginTick() {
        long[] found = new long[Math.max(64, this.rows.length)];
        int n = 0;
        for (Path table : TABLES) {
            byte[] content;
            try {
                content = Files.readAllBytes(table);
            } catch (IOException ex) {
                continue;
            }
            int line = indexAfterNewline(content, 0); // skip the header
            while (line < content.length) {
                long row = parseRow(content, line);
                if (row >= 0) {
                    if (n == found.length) {
                        found = Arrays.copyOf(found, n * 2);
                    }
                    found[n++] = row;
                }
                line = indexAfterNewline(content, line);
            }
        }
        Arrays.sort(found, 0, n);
        this.rows = found;
        this.count = n;
    }

    /** @return (local port << 16 | remote port) << 8 | state, or -1 */
    static long parseRow(byte[] content, int start) {
        // "  12: 0100007F:1F90 0100007F:D2A4 01 ..."
        int i = skipSpaces(content, start);
        i = skipToken(content, i); // "12:"
        i = skipSpaces(content, i);
        int localEnd = skipToken(content, i);
        int localPort = portOf(content, i, localEnd);
        i = skipSpaces(content, localEnd);
        int remoteEnd = skipToken(content, i);
        int remotePort = portOf(content, i, remoteEnd);
        i = skipSpaces(content, remoteEnd);
        int stateEnd = skipToken(content, i);
        int state = (int) hex(content, i, stateEnd);
        if (localPort < 0 || remotePort < 0 || state < 0) {
            return -1;
        }
        return ((((long) localPort << 16) | remotePort) << 8) | state;
    }

    private static int portOf(byte[] content, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (content[i] == ':') {
                return (int) hex(content, i + 1, to);
            }
        }
        return -1;
    }

    private static long hex(byte[] content, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(content[i], 16);
            if (digit < 0) {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static int skipSpaces(byte[] content, int i) {
        while (i < content.length && content[i] == ' ') {
            i++;
        }
        return i;
    }

    private static int skipToken(byte[] content, int i) {
        while (i < content.length && content[i] != ' ' && content[i] != '\n') {
            i++;
        }
        return i;
    }

    private static int indexAfterNewline(byte[] content, int i) {
        while (i < content.length && content[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    /** @return the state of the row with that key in the last scan, or -1 if there is none */
    int state(long key) {
        long[] sorted = this.rows;
        int lo = 0;
        int hi = this.count - 1;
        long min = key << 8;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < min) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Several rows may share the ports (other addresses): ESTABLISHED wins.
        int state = -1;
        for (int i = lo; i < this.count && (sorted[i] >>> 8) == key; i++) {
            int s = (int) (sorted[i] & 0xFF);
            if (s == ESTABLISHED) {
                return s;
            }
            state = s;
        }
        return state;
    }

    private final class ProcWatch implements Watch {

        private final long key;

        private final @Nullable SocketChannel channel;

        /** The row was seen, or the ports are the connection's own: absence then means gone. */
        private boolean seen;

        private int missedScans;

        ProcWatch(long key, @Nullable SocketChannel channel) {
            this.key = key;
            this.channel = channel;
            this.seen = channel != null;
        }

        @Override
        public @Nullable SelectableChannel channel() {
            return this.channel;
        }

        @Override
        public boolean clientGone(boolean requestThreadInHandler) {
            int state = state(this.key);
            if (state == ESTABLISHED) {
                this.seen = true;
                this.missedScans = 0;
                return false;
            }
            if (state >= 0) {
                return true; // the row is there and has left ESTABLISHED (CLOSE_WAIT after a FIN, ...)
            }
            // Absent. The kernel renders the table in pieces and can skip a row that moves meanwhile, so one
            // missing scan proves nothing: a row that was seen must be missing from two scans in a row.
            return this.seen && ++this.missedScans >= 2;
        }

        @Override
        public DisconnectProbe probe() {
            return ProcNetTcpDisconnectProbe.this;
        }
    }
}
