// Attacks on the sandbox, in Java: the first stdin line names one and gives its arguments.
// Run inside the sandbox by the tests in this folder, never on the host.
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

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

    // ---- warm pools: what one run may leave for the next, and what a run may find --------

    static final String[] LEFT_FOLDERS = {"/tmp", "/work", "/dev/shm"};
    static final String LEFT_ZONE = "Pacific/Kiritimati";

    /** Every pipe or socket the sandbox's processes hold beyond the JVM's stdio, read. */
    static final String FDS_PROBE = String.join("\n",
            "import os",
            "me = os.getpid()",
            "for pid in sorted(int(p) for p in os.listdir('/proc') if p.isdigit()):",
            "    if pid == me: continue",
            "    try: names = os.listdir(f'/proc/{pid}/fd')",
            "    except OSError as e: print(f'fds_{pid}: {e.errno}'); continue",
            "    for name in sorted(names, key=int):",
            "        if pid == os.getppid() and int(name) <= 2: continue",
            "        link = f'/proc/{pid}/fd/{name}'",
            "        try: target = os.readlink(link)",
            "        except OSError: continue",
            "        if not target.startswith(('pipe:', 'socket:', 'anon_inode:')):",
            "            print(f'fd_{pid}_{name}: {target} file'); continue",
            "        try:",
            "            fd = os.open(link, os.O_RDONLY | os.O_NONBLOCK)",
            "        except OSError as e: print(f'fd_{pid}_{name}: {target} {e.errno}'); continue",
            "        try: print(f'fd_{pid}_{name}: {target} read={len(os.read(fd, 1 << 20))}')",
            "        except OSError as e: print(f'fd_{pid}_{name}: {target} {e.errno}')",
            "        finally: os.close(fd)");

    static long processes() {
        String[] names = new File("/proc").list();
        return names == null ? -1 : Arrays.stream(names).filter(n -> n.matches("\\d+")).count();
    }

    static void leave(String marker) throws Exception {
        for (String folder : LEFT_FOLDERS) {
            try {
                Files.writeString(Path.of(folder, marker), marker);
                say("file " + folder, "ok");
            } catch (Exception error) {
                say("file " + folder, error);
            }
        }
        // a detached process that ignores the polite signals
        String beat = "/tmp/" + marker + "-process";
        new ProcessBuilder("/bin/sh", "-c",
                "trap '' TERM HUP; while :; do echo x > " + beat + "; sleep 0.05; done")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread writer = new Thread(() -> {
            while (true) {
                try {
                    Files.writeString(Path.of("/tmp", marker + "-thread"), "x");
                    Thread.sleep(10);
                } catch (Exception ignored) {
                }
            }
        });
        writer.setDaemon(true);
        writer.start();
        System.setProperty("ik.left", marker);
        TimeZone.setDefault(TimeZone.getTimeZone(LEFT_ZONE));
        Locale.setDefault(Locale.JAPAN);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(Path.of("/tmp", marker + "-hook"), "x");
            } catch (Exception ignored) {
            }
        }));
        say("left", marker);
    }

    static void look(String marker) {
        List<String> found = new ArrayList<>();
        for (String folder : LEFT_FOLDERS) {
            String[] names = new File(folder).list();
            if (names == null) continue;
            for (String name : names) if (name.contains(marker)) found.add(name);
        }
        found.sort(null);
        say("found_files", "[" + String.join(", ", found) + "]");
        List<String> leftovers = new ArrayList<>();
        if (System.getProperty("ik.left") != null) leftovers.add("property");
        if (TimeZone.getDefault().getID().equals(LEFT_ZONE)) leftovers.add("time zone");
        if (Locale.getDefault().equals(Locale.JAPAN)) leftovers.add("locale");
        say("leftovers", "[" + String.join(", ", leftovers) + "]");
        say("processes", processes());
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
            case "leave": {
                leave(words[1]);
                break;
            }
            case "look": {
                look(words[1]);
                break;
            }
            case "fds": {
                // the JVM cannot read a pipe without blocking: a Python child reads for it
                Process probe = new ProcessBuilder("/usr/bin/python3", "-c", FDS_PROBE)
                        .redirectErrorStream(true).start();
                probe.getOutputStream().close();
                System.out.print(new String(probe.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
                say("probe_exit", probe.waitFor());
                break;
            }
            case "environment": {
                say("environ", System.getenv());
                String[] names = new File("/proc").list();
                for (String pid : names == null ? new String[0] : names) {
                    if (!pid.matches("\\d+")) continue;
                    try {
                        byte[] environ = Files.readAllBytes(Path.of("/proc", pid, "environ"));
                        say("proc_" + pid + "_environ",
                                new String(environ, StandardCharsets.ISO_8859_1).replace('\0', ' '));
                    } catch (Exception error) {
                        say("proc_" + pid + "_environ", error);
                    }
                }
                break;
            }
            case "kill_all": {
                long reached = ProcessHandle.allProcesses()
                        .filter(handle -> handle.pid() != ProcessHandle.current().pid())
                        .filter(ProcessHandle::destroyForcibly)
                        .count();
                say("kill", reached > 0 ? "sent" : "ESRCH");
                say("survived", "yes");
                break;
            }
            default:
                throw new IllegalArgumentException(words[0]);
        }
    }
}
