package org.diffusionlabs.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that counts connections and closes each at once (so a client never hangs): what a
 * test points an include URL at, to prove that nothing fetched it.
 */
final class LoopbackListener implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger contacts = new AtomicInteger();

    LoopbackListener() {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    contacts.incrementAndGet();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "loopback-listener");
        t.setDaemon(true);
        t.start();
    }

    /** An http URL on this listener. */
    String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/" + path;
    }

    /** Connections accepted so far. */
    int contacts() {
        return contacts.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
