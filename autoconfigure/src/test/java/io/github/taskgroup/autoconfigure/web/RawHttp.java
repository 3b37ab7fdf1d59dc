package io.github.taskgroup.autoconfigure.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A raw HTTP/1.1 client on a plain socket: it can pipeline, and close with FIN or RST. */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    private final InputStream in;

    public RawHttp(int port) throws IOException {
        this(connect(new Socket(), port));
    }

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(20_000);
        // Requests go out in one write and are answered at once: Nagle's algorithm would only add delay.
        this.socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(this.socket.getInputStream());
    }

    /**
     * A client over TLS that trusts only the test certificate ({@code tls/test-keystore.p12}).
     *
     * @param port the server's port
     * @return the client, handshake done
     */
    public static RawHttp tls(int port) throws IOException {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = RawHttp.class.getResourceAsStream("/tls/test-keystore.p12")) {
                trusted.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            SSLSocket socket = (SSLSocket)
                    context.getSocketFactory().createSocket(connect(new Socket(), port), "localhost", port, true);
            socket.startHandshake();
            return new RawHttp(socket);
        } catch (GeneralSecurityException ex) {
            throw new IOException(ex);
        }
    }

    private static Socket connect(Socket socket, int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    public RawHttp send(String... requests) throws IOException {
        this.socket.getOutputStream().write(String.join("", requests).getBytes(StandardCharsets.US_ASCII));
        this.socket.getOutputStream().flush();
        return this;
    }

    /** Closes with {@code "FIN"} or {@code "RST"}. */
    public void closeWith(String finOrRst) throws IOException {
        if (finOrRst.equals("RST")) {
            closeWithRst();
        } else {
            closeWithFin();
        }
    }

    /** Closes with FIN. */
    public void closeWithFin() throws IOException {
        this.socket.close();
    }

    /** Closes with RST (SO_LINGER 0). */
    public void closeWithRst() throws IOException {
        this.socket.setSoLinger(true, 0);
        this.socket.close();
    }

    @Override
    public void close() throws IOException {
        this.socket.close();
    }

    /** A response: status and body. */
    public record Response(int status, String body) {}

    /** Reads until {@code marker} has been received (for a response still being streamed). */
    public void readUntil(String marker) throws IOException {
        byte[] wanted = marker.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        while (matched < wanted.length) {
            int c = this.in.read();
            if (c == -1) {
                throw new IOException("Connection closed before " + marker);
            }
            matched = (c == wanted[matched]) ? matched + 1 : ((c == wanted[0]) ? 1 : 0);
        }
    }

    public Response read() throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(this.in.readNBytes(size));
                line();
            }
            line();
        } else if (length > 0) {
            body.write(this.in.readNBytes((int) length));
        }
        return new Response(status, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = this.in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1 && line.length() == 0) {
            throw new IOException("Connection closed");
        }
        return line.toString();
    }
}
