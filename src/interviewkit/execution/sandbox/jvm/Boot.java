// The warm JVM's bootstrap (interviewkit.execution.sandbox.warm_java): started in a warm
// sandbox with the run's own JVM options, it waits on the control pipe, writes the run's
// files and classes, and becomes the run's main class. See warm_java.py for the protocol.
package interviewkit.warm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class Boot {
    static final int MAGIC = 0x494b4a31; // "IKJ1"
    static final String SETTING_PREFIX = "interviewkit.env.";
    static final String CLASS_PATH = "/build";

    private Boot() {}

    public static void main(String[] args) throws Throwable {
        if (args.length > 1 && args[1].equals("warm")) {
            Warmup.run();
        }
        ByteArrayOutputStream received = new ByteArrayOutputStream(1 << 16);
        try (FileInputStream control = new FileInputStream("/proc/self/fd/" + args[0])) {
            // not readAllBytes: on JDK 17 it seeks, which a pipe refuses
            byte[] chunk = new byte[1 << 16];
            for (int n; (n = control.read(chunk)) > 0; ) {
                received.write(chunk, 0, n);
            }
        }
        byte[] message = received.toByteArray();
        if (message.length == 0) {
            Runtime.getRuntime().halt(0); // the pool discarded this sandbox unused
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(message));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a hand-over message");
        }
        for (int files = in.readInt(); files > 0; files--) {
            write(text(in), in.readInt(), bytes(in));
        }
        for (int settings = in.readInt(); settings > 0; settings--) {
            String name = text(in);
            String value = text(in);
            if (!value.equals(System.getenv(name))) {
                // the JVM's environment was fixed when it started: the run's own variables
                // reach the harness as properties (IkHarness reads these first)
                System.setProperty(SETTING_PREFIX + name, value);
            }
        }
        String mainClass = text(in);
        String[] argv = new String[in.readInt()];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = text(in);
        }
        StringBuilder command = new StringBuilder(mainClass);
        for (String arg : argv) {
            command.append(' ').append(arg);
        }
        System.setProperty("java.class.path", CLASS_PATH);
        System.setProperty("sun.java.command", command.toString());
        launch(mainClass, argv);
    }

    static String text(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    static byte[] bytes(DataInputStream in) throws IOException {
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return data;
    }

    static void write(String name, int mode, byte[] data) throws IOException {
        Path path = Paths.get(name);
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(path, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions(mode)));
    }

    static String permissions(int mode) {
        String letters = "rwxrwxrwx";
        StringBuilder out = new StringBuilder(9);
        for (int bit = 0; bit < 9; bit++) {
            out.append((mode & (0400 >> bit)) != 0 ? letters.charAt(bit) : '-');
        }
        return out.toString();
    }

    /** What the java launcher (LauncherHelper) does, with its messages and exit code. */
    static void launch(String name, String[] argv) throws Throwable {
        Class<?> main;
        try {
            main = Class.forName(name, false, ClassLoader.getSystemClassLoader());
        } catch (NoClassDefFoundError | ClassNotFoundException e) {
            abort("Error: Could not find or load main class " + name + "\nCaused by: "
                    + e.getClass().getCanonicalName() + ": " + e.getMessage());
            return;
        } catch (LinkageError e) {
            abort("Error: LinkageError occurred while loading main class " + name + "\n\t"
                    + e.getClass().getName() + ": " + e.getLocalizedMessage());
            return;
        }
        Method method;
        try {
            method = main.getMethod("main", String[].class);
        } catch (NoSuchMethodException e) {
            abort("Error: Main method not found in class " + main.getName()
                    + ", please define the main method as:\n   public static void main(String[] args)\n"
                    + "or a JavaFX application class must extend javafx.application.Application");
            return;
        } catch (Throwable e) {
            abort("Error: Unable to initialize main class " + main.getName() + "\nCaused by: "
                    + e.getClass().getName() + ": " + e.getLocalizedMessage());
            return;
        }
        if (!Modifier.isStatic(method.getModifiers())) {
            abort("Error: Main method is not static in class " + method.getDeclaringClass().getName()
                    + ", please define the main method as:\n   public static void main(String[] args)");
            return;
        }
        if (method.getReturnType() != void.class) {
            abort("Error: Main method must return a value of type void in class "
                    + method.getDeclaringClass().getName() + ", please \ndefine the main method as:\n"
                    + "   public static void main(String[] args)");
            return;
        }
        method.setAccessible(true); // the launcher calls a public main of a non-public class too
        MethodHandle handle = MethodHandles.lookup().unreflect(method);
        int ours = new Throwable().getStackTrace().length;
        try {
            handle.invokeExact(argv);
        } catch (Throwable e) {
            // uncaught: the JVM prints it as it would a cold main's ("Exception in thread
            // "main" ..."), waits for non-daemon threads and exits 1; our frames go first
            trim(e, ours, Collections.newSetFromMap(new IdentityHashMap<>()));
            throw e;
        }
    }

    static void abort(String message) {
        System.err.println(message);
        System.exit(1);
    }

    /** Drop the bootstrap's frames (the last {@code ours}) from a throwable and its causes. */
    static void trim(Throwable e, int ours, Set<Throwable> seen) {
        if (e == null || !seen.add(e)) {
            return;
        }
        StackTraceElement[] trace = e.getStackTrace();
        int keep = trace.length - ours;
        if (keep >= 0 && isOurs(trace, keep)) {
            List<StackTraceElement> kept = new ArrayList<>(List.of(trace).subList(0, keep));
            while (!kept.isEmpty() && isMachinery(kept.get(kept.size() - 1))) {
                kept.remove(kept.size() - 1);
            }
            e.setStackTrace(kept.toArray(new StackTraceElement[0]));
        }
        trim(e.getCause(), ours, seen);
        for (Throwable suppressed : e.getSuppressed()) {
            trim(suppressed, ours, seen);
        }
    }

    static boolean isOurs(StackTraceElement[] trace, int from) {
        for (int i = from; i < trace.length; i++) {
            if (!trace[i].getClassName().equals(Boot.class.getName())) {
                return false;
            }
        }
        return true;
    }

    /**
     * A JDK frame between the program's and ours: reflection, method handles, class
     * initialisation. Where the launcher calls main (or initialises its class) from native
     * code, a cold trace has none.
     */
    static boolean isMachinery(StackTraceElement frame) {
        String name = frame.getClassName();
        return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.");
    }
}

/**
 * Loads and initialises the JDK classes a harness run and a typical solution use (reflection,
 * lambdas, string concatenation, formatting, collections, streams, files), before the
 * hand-over: nothing here is visible to the program but the time it saves.
 */
final class Warmup {
    private Warmup() {}

    static int sink;

    static void run() throws Exception {
        java.util.function.IntUnaryOperator twice = x -> 2 * x;
        java.util.function.Function<String, Integer> length = String::length;
        java.util.Comparator<int[]> order = (a, b) -> a[0] != b[0] ? a[0] - b[0] : b[1] - a[1];
        java.util.Map<Integer, java.util.List<String>> groups = new java.util.HashMap<>();
        groups.computeIfAbsent(1, k -> new ArrayList<>()).add("x" + sink + 'c' + 2L + 1.5);
        java.util.PriorityQueue<int[]> heap = new java.util.PriorityQueue<>(order);
        heap.add(new int[] {1, 2});
        heap.add(new int[] {0, 3});
        java.util.TreeMap<String, Integer> tree = new java.util.TreeMap<>();
        tree.merge("a", 1, Integer::sum);
        java.util.ArrayDeque<Integer> deque = new java.util.ArrayDeque<>(List.of(3, 1, 2));
        int[] numbers = {5, 3, 1, 4};
        java.util.Arrays.sort(numbers);
        Integer[] boxed = {3, 1, 2};
        java.util.Arrays.sort(boxed, java.util.Collections.reverseOrder());
        sink += java.util.stream.IntStream.of(numbers).map(twice).sum()
                + java.util.Arrays.stream(numbers).boxed().collect(java.util.stream.Collectors.toList()).size()
                + deque.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")).length()
                + length.apply(String.join("-", tree.keySet())) + heap.poll()[0]
                + new java.util.LinkedHashMap<>(groups).size() + new java.util.HashSet<>(deque).size()
                + new java.math.BigInteger("123456789012345678901234567890").mod(java.math.BigInteger.TEN).intValue()
                + String.format(java.util.Locale.ROOT, "%.3f", 1.25).length()
                + String.format("%d %s %5.2f", 1, "x", 2.5).length()
                + Long.toString(Long.parseLong("-42")).length() + Double.toString(Double.parseDouble("0.1")).length()
                + new StringBuilder("abc").reverse().toString().length() + "a,b".split(",").length
                + java.util.regex.Pattern.compile("[a-z]+\\d").matcher("ab1").groupCount();
        Method method = Warmup.class.getDeclaredMethod("target", int[].class, String.class);
        method.setAccessible(true);
        sink += (Integer) method.invoke(null, numbers, "s");
        sink += java.lang.reflect.Array.getLength(java.lang.reflect.Array.newInstance(int.class, 2));
        sink += Files.readAllBytes(Paths.get("/proc/self/stat")).length;
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        java.io.PrintStream printer = new java.io.PrintStream(buffer, true, StandardCharsets.UTF_8);
        new IllegalStateException("warm", new RuntimeException()).printStackTrace(printer);
        printer.println(java.util.Arrays.toString(numbers) + java.util.Arrays.deepToString(new int[][] {{1}}));
        sink += buffer.size();
    }

    static int target(int[] values, String text) {
        return values.length + text.length();
    }
}
