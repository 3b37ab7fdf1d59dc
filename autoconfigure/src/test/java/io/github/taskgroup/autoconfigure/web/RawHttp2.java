package io.github.taskgroup.autoconfigure.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A minimal HTTP/2 client on a raw socket, for what the JDK {@code HttpClient} cannot do on demand: close the
 * connection under open streams (with FIN or RST), or send a GOAWAY. It speaks h2c with prior knowledge, or h2
 * over TLS (ALPN), writes GET requests as HEADERS frames (HPACK literals, no Huffman) and never reads: the
 * server's frames stay in the socket buffer, which is enough for requests that are never answered here.
 */
public final class RawHttp2 implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final int HEADERS = 0x1;

    private static final int RST_STREAM = 0x3;

    private static final int SETTINGS = 0x4;

    private static final int GOAWAY = 0x7;

    private final Socket socket;

    private final boolean tls;

    private final int port;

    private int nextStreamId = 1;

    private RawHttp2(Socket socket, boolean tls, int port) throws IOException {
        this.socket = socket;
        this.tls = tls;
        this.port = port;
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /**
     * @param port the server's port
     * @param tls h2 over TLS (ALPN, trusting only {@code tls/test-keystore.p12}) or h2c with prior knowledge
     * @return the client, preface and SETTINGS sent
     */
    public static RawHttp2 connect(int port, boolean tls) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        if (!tls) {
            return new RawHttp2(plain, false, port);
        }
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = RawHttp2.class.getResourceAsStream("/tls/test-keystore.p12")) {
                trusted.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            if (!"h2".equals(socket.getApplicationProtocol())) {
                throw new IOException("The server did not choose h2 (ALPN): " + socket.getApplicationProtocol());
            }
            return new RawHttp2(socket, true, port);
        } catch (GeneralSecurityException ex) {
            throw new IOException(ex);
        }
    }

    /**
     * Opens a stream with a GET request (HEADERS with END_STREAM).
     *
     * @param path the request's path and query
     * @return the stream's id
     */
    public int get(String path) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET (static table 2)
        block.write(this.tls ? 0x87 : 0x86); // :scheme https (7) or http (6)
        literal(block, 4, path); // :path, literal without indexing, name from the static table
        literal(block, 1, "localhost:" + this.port); // :authority
        int id = this.nextStreamId;
        this.nextStreamId += 2;
        frame(HEADERS, 0x1 | 0x4, id, block.toByteArray()); // END_STREAM | END_HEADERS
        return id;
    }

    /** Sends RST_STREAM with error CANCEL (0x8) for {@code streamId}. */
    public void reset(int streamId) throws IOException {
        frame(RST_STREAM, 0, streamId, new byte[] {0, 0, 0, 0x8});
    }

    /** Sends GOAWAY (NO_ERROR, last stream 0: no stream was processed as far as the client is concerned). */
    public void goAway() throws IOException {
        frame(GOAWAY, 0, 0, new byte[8]);
    }

    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= 127) {
            throw new IllegalArgumentException("Header value too long for this client: " + value);
        }
        block.write(nameIndex); // 0000 + 4-bit index: literal header field without indexing
        block.write(bytes.length); // no Huffman
        block.writeBytes(bytes);
    }

    private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        byte[] header = {
            (byte) (payload.length >>> 16),
            (byte) (payload.length >>> 8),
            (byte) payload.length,
            (byte) type,
            (byte) flags,
            (byte) (streamId >>> 24),
            (byte) (streamId >>> 16),
            (byte) (streamId >>> 8),
            (byte) streamId
        };
        OutputStream out = this.socket.getOutputStream();
        out.write(header);
        out.write(payload);
        out.flush();
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
}
