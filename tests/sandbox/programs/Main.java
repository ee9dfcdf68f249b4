// Attacks on the sandbox, in Java: the first stdin line names one and gives its arguments.
// Run inside the sandbox by the tests in this folder, never on the host.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public class Main {
    static void say(String key, Object value) {
        System.out.println(key + ": " + value);
        System.out.flush();
    }

    static int depth(int n) {
        return depth(n + 1) + 1;
    }

    static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return "exit=" + process.waitFor() + " " + out.replace("\n", " ");
        } catch (Exception error) {
            return "failed " + error;
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String[] words = in.readLine().trim().split("\\s+");
        switch (words[0]) {
            case "memory_sudden": {
                byte[] block = new byte[1 << 30];
                say("allocated", block.length);
                break;
            }
            case "memory_gradual": {
                List<byte[]> chunks = new ArrayList<>();
                while (true) {
                    chunks.add(new byte[10 << 20]);
                    say("allocated_mb", 10 * chunks.size());
                }
            }
            case "busy_loop": {
                long spins = 0;
                while (true) {
                    spins++;
                    if (spins == Long.MIN_VALUE) say("spins", spins);
                }
            }
            case "thread_bomb": {
                int started = 0;
                while (true) {
                    Thread thread = new Thread(() -> {
                        try {
                            Thread.sleep(3_600_000);
                        } catch (InterruptedException ignored) {
                        }
                    });
                    thread.setDaemon(true);
                    thread.start();
                    started++;
                    if (started % 16 == 0) say("threads", started);
                }
            }
            case "stdout_flood": {
                String line = "A".repeat(1023);
                while (true) System.out.println(line);
            }
            case "connect": {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(words[1])), 3000);
                    say("connected", "yes");
                } catch (Exception error) {
                    say("connect", error);
                }
                break;
            }
            case "exec": {
                try {
                    Process ls = Runtime.getRuntime().exec("ls /");
                    String out = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    say("ls_exit", ls.waitFor());
                    say("root", String.join(",", out.trim().split("\\s+")));
                } catch (Exception error) {
                    say("ls", "failed " + error);
                }
                say("host_path", run(words[1], "--version"));
                say("shadow", run("cat", "/etc/shadow"));
                break;
            }
            case "recursion": {
                say("depth", depth(0));
                break;
            }
            default:
                throw new IllegalArgumentException(words[0]);
        }
    }
}
