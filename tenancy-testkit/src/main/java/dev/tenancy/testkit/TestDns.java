package dev.tenancy.testkit;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;

/**
 * A real DNS server for one test: {@code dnsmasq} (Debian package {@code dnsmasq-base}) on
 * 127.0.0.1 at a free port, answering the TXT records it was given and nothing else (no upstream,
 * no hosts file), stopped by its process on {@link #close()}. Skips the test when {@code dnsmasq}
 * is not installed, unless {@code TENANCY_REQUIRE_DNSMASQ=true} ({@code .ci/run} sets it and
 * installs the package), in which case it fails.
 */
public final class TestDns implements AutoCloseable {
    private static final AtomicBoolean NOTICE_PRINTED = new AtomicBoolean();

    private final String binary;
    private final int port;
    private Process process;

    private TestDns(String binary, int port) {
        this.binary = binary;
        this.port = port;
    }

    /** A server answering {@code txt} (record name to values), at a free port (another if that one is taken meanwhile). */
    public static TestDns start(Map<String, List<String>> txt) {
        for (int attempt = 1; ; attempt++) {
            try {
                return start(freePort(), txt);
            } catch (PortTaken e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** dnsmasq could not bind its port (exit status 2): another process took it since it was free. */
    static final class PortTaken extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }

    /** A server at {@code port} (see {@link #freePort()}) answering {@code txt}. */
    public static TestDns start(int port, Map<String, List<String>> txt) {
        String binary = binary();
        TestDns dns = new TestDns(binary, port);
        dns.serve(txt);
        return dns;
    }

    /** {@code host:port}, for {@code TxtLookup.jdk(...)}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Restarts the server with {@code txt} instead: records published or taken down. */
    public void serve(Map<String, List<String>> txt) {
        stop();
        List<String> command = new ArrayList<>(List.of(
                binary,
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--local=/#/", // authoritative for every name: NXDOMAIN, not REFUSED, for what it does not hold
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                "--port=" + port,
                "--pid-file=",
                "--conf-file=/dev/null",
                "--log-facility=-"));
        if (isRoot()) {
            command.add("--user=root");
        }
        // One option per value: one record each (several values in one option would be one record's strings).
        txt.forEach((name, values) -> values.forEach(value -> command.add("--txt-record=" + name + "," + value)));
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + binary + ": " + e.getMessage(), e);
        }
        awaitListening();
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String message = "dnsmasq exited with " + process.exitValue() + " on port " + port;
                throw process.exitValue() == 2 ? new PortTaken(message) : new IllegalStateException(message);
            }
            if (answers()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("dnsmasq did not listen on 127.0.0.1:" + port + " within 5 s");
    }

    /** Whether the server answers a query (any answer) within 100 ms. */
    private boolean answers() {
        byte[] query = {
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'p', 'r', 'o', 'b', 'e', 0x00,
            0x00, 0x10, 0x00, 0x01
        };
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(100);
            socket.send(new java.net.DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port));
            socket.receive(new java.net.DatagramPacket(new byte[512], 512));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server: DNS then does not answer at this address at all. */
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A port free on 127.0.0.1 now for both UDP and TCP (dnsmasq binds both), to configure an
     * application with before the server starts.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (java.net.ServerSocket tcp = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // the UDP side is in use: another port
                }
            } catch (IOException e) {
                throw new IllegalStateException("No free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("No port free for both UDP and TCP on 127.0.0.1 after 50 tries");
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/usr/local/sbin/dnsmasq")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        String line = "dnsmasq is not installed (Debian: apt-get install dnsmasq-base); DNS verification tests are"
                + " skipped. .ci/run installs it.";
        if (Boolean.parseBoolean(System.getenv().getOrDefault("TENANCY_REQUIRE_DNSMASQ", "false"))) {
            throw new IllegalStateException(line.replace("are skipped", "fail") + " TENANCY_REQUIRE_DNSMASQ=true.");
        }
        if (NOTICE_PRINTED.compareAndSet(false, true)) {
            System.err.println("[tenancy] " + line);
        }
        Assumptions.abort(line);
        throw new AssertionError(line);
    }
}
