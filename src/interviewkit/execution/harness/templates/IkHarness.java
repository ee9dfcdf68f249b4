// interviewkit function-call harness for Java (generated next to the candidate's files).
//
// Calls Solution.<entry point> once per test in $IK_TESTS, from index $IK_START, and writes one
// JSON object per line to the inherited descriptor $IK_RESULT_FD. Expected values never reach
// this process: it only reports what the method returned; the host compares. The method is
// found by reflection so that a missing or mistyped method is a per-test error, not a compile
// error of this file.

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

public final class IkHarness {
    // @ik-config-begin
    static final String ENTRY_FILE = "Solution.java";
    static final String ENTRY_POINT = "solve";
    static final String[] PARAM_NAMES = {};
    static final String[] PARAM_TYPES = {};
    static final String RETURN_TYPE = "int";
    // @ik-config-end

    static final long THREAD_STACK_BYTES = 64L << 20;

    // Nested classes rather than lambdas: a lambda's first use spins classes at run time
    // (tens of milliseconds in a fresh JVM), a nested class is compiled ahead.
    @SuppressWarnings({"unchecked", "rawtypes"})
    static final Comparator<Object> NATURAL_ORDER = new Comparator<Object>() {
        @Override
        public int compare(Object a, Object b) {
            return ((Comparable) a).compareTo(b);
        }
    };
    static final Comparator<Method> BY_SIGNATURE = new Comparator<Method>() {
        @Override
        public int compare(Method a, Method b) {
            return a.toGenericString().compareTo(b.toGenericString());
        }
    };
    static final int STACK_FRAMES = 20;

    /** A failure the harness detected itself: reported without a stack trace. */
    static final class HarnessException extends Exception {
        private static final long serialVersionUID = 1L;

        HarnessException(String message) {
            super(message, null, false, false);
        }
    }

    /** An argument that does not match its type; {@code where} is e.g. {@code nums[3]}. */
    static final class ConversionException extends Exception {
        private static final long serialVersionUID = 1L;
        final String where;
        final String detail;

        ConversionException(String where, String detail) {
            super(where + ": " + detail, null, false, false);
            this.where = where;
            this.detail = detail;
        }
    }

    /** A JSON number, kept as its source text so each type can parse it exactly. */
    static final class Num {
        final String text;
        final boolean integral;

        Num(String text) {
            this.text = text;
            this.integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    // ------------------------------------------------------------------ JSON reading

    static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        static Object parse(String text) throws IOException {
            Parser p = new Parser(text);
            Object value = p.value(0);
            p.ws();
            if (p.pos != text.length()) {
                throw p.fail("trailing data");
            }
            return value;
        }

        private IOException fail(String what) {
            return new IOException("invalid JSON at offset " + pos + ": " + what);
        }

        private void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        private Object value(int depth) throws IOException {
            if (depth > 10000) {
                throw fail("nested too deeply");
            }
            ws();
            if (pos >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                return string();
            }
            if (c == '[') {
                pos++;
                List<Object> items = new ArrayList<>();
                ws();
                if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return items;
                }
                while (true) {
                    items.add(value(depth + 1));
                    ws();
                    if (pos < s.length() && s.charAt(pos) == ',') {
                        pos++;
                    } else if (pos < s.length() && s.charAt(pos) == ']') {
                        pos++;
                        return items;
                    } else {
                        throw fail("expected ',' or ']'");
                    }
                }
            }
            if (c == '{') {
                pos++;
                Map<String, Object> obj = new LinkedHashMap<>();
                ws();
                if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return obj;
                }
                while (true) {
                    ws();
                    if (pos >= s.length() || s.charAt(pos) != '"') {
                        throw fail("expected a key");
                    }
                    String key = string();
                    ws();
                    if (pos >= s.length() || s.charAt(pos) != ':') {
                        throw fail("expected ':'");
                    }
                    pos++;
                    obj.put(key, value(depth + 1));
                    ws();
                    if (pos < s.length() && s.charAt(pos) == ',') {
                        pos++;
                    } else if (pos < s.length() && s.charAt(pos) == '}') {
                        pos++;
                        return obj;
                    } else {
                        throw fail("expected ',' or '}'");
                    }
                }
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            return number();
        }

        private Num number() throws IOException {
            int start = pos;
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
            int digits = digits();
            if (digits == 0 || (digits > 1 && s.charAt(pos - digits) == '0')) {
                throw fail("bad number");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                if (digits() == 0) {
                    throw fail("bad number");
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (digits() == 0) {
                    throw fail("bad number");
                }
            }
            return new Num(s.substring(start, pos));
        }

        private int digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            return pos - start;
        }

        private String string() throws IOException {
            pos++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw fail("control character in string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw fail("bad escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': out.append('"'); break;
                    case '\\': out.append('\\'); break;
                    case '/': out.append('/'); break;
                    case 'b': out.append('\b'); break;
                    case 'f': out.append('\f'); break;
                    case 'n': out.append('\n'); break;
                    case 'r': out.append('\r'); break;
                    case 't': out.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) {
                            throw fail("bad \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default:
                        throw fail("bad escape");
                }
            }
        }
    }

    // ------------------------------------------------------------------ JSON writing

    static void writeString(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        hex(out, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            hex(out, c);
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        hex(out, c);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    static void hex(StringBuilder out, char c) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
    }

    static void writeDouble(StringBuilder out, double d) throws HarnessException {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new HarnessException("return value contains " + d + ", which JSON cannot represent");
        }
        out.append(Double.toString(d));
    }

    static String javaTypeName(Object v) {
        return v.getClass().getTypeName();
    }

    /** The return value as JSON; numbers in a {@code double} position are written as floats. */
    static void writeValue(StringBuilder out, Object v, boolean asDouble, IdentityHashMap<Object, Boolean> active)
            throws HarnessException {
        if (v == null) {
            out.append("null");
            return;
        }
        if (v instanceof Boolean) {
            out.append(((Boolean) v).booleanValue() ? "true" : "false");
            return;
        }
        if (v instanceof CharSequence || v instanceof Character) {
            writeString(out, v.toString());
            return;
        }
        if (v instanceof Float) {
            float f = (Float) v;
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                throw new HarnessException("return value contains " + f + ", which JSON cannot represent");
            }
            out.append(Float.toString(f));
            return;
        }
        if (v instanceof Double) {
            writeDouble(out, (Double) v);
            return;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            if (asDouble) {
                writeDouble(out, ((Number) v).doubleValue());
            } else {
                out.append(v.toString());
            }
            return;
        }
        if (v.getClass().isArray() || v instanceof Iterable || v instanceof Map) {
            if (active.containsKey(v)) {
                throw new HarnessException("return value contains a reference cycle");
            }
            active.put(v, Boolean.TRUE);
            try {
                writeContainer(out, v, asDouble, active);
            } finally {
                active.remove(v);
            }
            return;
        }
        NodeType nt = NodeType.of(v.getClass());
        if (nt != null) {
            if (nt.tree) {
                writeTree(out, nt, v);
            } else {
                writeList(out, nt, v);
            }
            return;
        }
        throw new HarnessException("return value of type " + javaTypeName(v) + " cannot be converted to JSON");
    }

    static void writeContainer(StringBuilder out, Object v, boolean asDouble, IdentityHashMap<Object, Boolean> active)
            throws HarnessException {
        if (v instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(out, String.valueOf(e.getKey()));
                out.append(':');
                writeValue(out, e.getValue(), false, active);
            }
            out.append('}');
            return;
        }
        List<Object> items = new ArrayList<>();
        if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                items.add(Array.get(v, i));
            }
        } else {
            for (Object item : (Iterable<?>) v) {
                items.add(item);
            }
            if (v instanceof Set && !(v instanceof SortedSet)) {
                sortSet(items, v);
            }
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeValue(out, items.get(i), asDouble, active);
        }
        out.append(']');
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void sortSet(List<Object> items, Object set) throws HarnessException {
        try {
            items.sort(NATURAL_ORDER);
        } catch (ClassCastException | NullPointerException e) {
            throw new HarnessException("return value of type " + javaTypeName(set)
                    + " cannot be converted to JSON: its elements cannot be sorted");
        }
    }

    // ------------------------------------------------------------------ ListNode and TreeNode

    /** Most nodes a returned list or tree may have: a bound on memory, not on correctness. */
    static final int MAX_NODES = 1_000_000;

    /**
     * A class shaped like LeetCode's {@code ListNode} ({@code val} and {@code next}) or
     * {@code TreeNode} ({@code val}, {@code left}, {@code right}), found by reflection: the
     * built-in definition or the candidate's own, whichever the program was compiled with.
     */
    static final class NodeType {
        static final Map<Class<?>, NodeType> CACHE = new HashMap<>();
        final Class<?> type;
        final boolean tree;
        final Field val;
        final Field next;
        final Field left;
        final Field right;

        NodeType(Class<?> type, boolean tree, Field val, Field next, Field left, Field right) {
            this.type = type;
            this.tree = tree;
            this.val = val;
            this.next = next;
            this.left = left;
            this.right = right;
        }

        /** The node shape of {@code c}, or null when it is not a node class. */
        static NodeType of(Class<?> c) {
            if (c == null || c.isPrimitive() || c.isArray() || c.getName().startsWith("java.")) {
                return null;
            }
            synchronized (CACHE) {
                if (CACHE.containsKey(c)) {
                    return CACHE.get(c);
                }
                Field val = field(c, "val", null);
                Field next = field(c, "next", c);
                Field left = field(c, "left", c);
                Field right = field(c, "right", c);
                NodeType found = null;
                if (val != null && next != null) {
                    found = new NodeType(c, false, val, next, null, null);
                } else if (val != null && left != null && right != null) {
                    found = new NodeType(c, true, val, null, left, right);
                }
                CACHE.put(c, found);
                return found;
            }
        }

        static Field field(Class<?> c, String name, Class<?> type) {
            try {
                Field f = c.getDeclaredField(name);
                if (Modifier.isStatic(f.getModifiers()) || (type != null && f.getType() != type)) {
                    return null;
                }
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException | RuntimeException e) {
                return null;
            }
        }

        String label() {
            return tree ? "TreeNode" : "ListNode";
        }

        Object make(int value, String where) throws ConversionException {
            try {
                Object node;
                try {
                    Constructor<?> empty = type.getDeclaredConstructor();
                    empty.setAccessible(true);
                    node = empty.newInstance();
                } catch (NoSuchMethodException e) {
                    Constructor<?> withValue = type.getDeclaredConstructor(int.class);
                    withValue.setAccessible(true);
                    node = withValue.newInstance(value);
                }
                val.set(node, value);
                return node;
            } catch (ReflectiveOperationException | RuntimeException e) {
                Throwable cause = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
                throw new ConversionException(where, "cannot create a " + javaName(type) + " (it needs a constructor "
                        + "without parameters or one taking the int value): " + cause);
            }
        }

        Object get(Field f, Object node) throws HarnessException {
            try {
                return f.get(node);
            } catch (IllegalAccessException | RuntimeException e) {
                throw new HarnessException("cannot read " + javaName(type) + "." + f.getName() + ": " + e);
            }
        }

        void set(Field f, Object node, Object value) throws ConversionException {
            try {
                f.set(node, value);
            } catch (IllegalAccessException | RuntimeException e) {
                throw new ConversionException("", "cannot set " + javaName(type) + "." + f.getName() + ": " + e);
            }
        }
    }

    /** A JSON array of ints as a linked list ({@code []} is null). */
    static Object toList(NodeType nt, List<?> items, String where) throws ConversionException {
        Object head = null;
        for (int i = items.size() - 1; i >= 0; i--) {
            String at = where + "[" + i + "]";
            Object node = nt.make((int) integral(items.get(i), at, int.class, Integer.MIN_VALUE, Integer.MAX_VALUE), at);
            nt.set(nt.next, node, head);
            head = node;
        }
        return head;
    }

    /** LeetCode's level order ({@code null} for a missing child) as a tree ({@code []} is null). */
    static Object toTree(NodeType nt, List<?> items, String where) throws ConversionException {
        if (items.isEmpty()) {
            return null;
        }
        Object root = treeNode(nt, items, 0, where);
        if (root == null) {
            throw new ConversionException(where + "[0]", "a tree's level order cannot start with null (use [] for an empty tree)");
        }
        ArrayDeque<Object> open = new ArrayDeque<>();
        open.add(root);
        int i = 1;
        while (i < items.size()) {
            if (open.isEmpty()) {
                for (int j = i; j < items.size(); j++) {
                    if (items.get(j) != null) {
                        throw new ConversionException(where + "[" + j + "]", "this value has no parent: the level order "
                                + "has more values than the tree has places for");
                    }
                }
                break;
            }
            Object parent = open.poll();
            for (Field side : new Field[] {nt.left, nt.right}) {
                if (i >= items.size()) {
                    break;
                }
                Object child = treeNode(nt, items, i++, where);
                if (child != null) {
                    nt.set(side, parent, child);
                    open.add(child);
                }
            }
        }
        return root;
    }

    static Object treeNode(NodeType nt, List<?> items, int i, String where) throws ConversionException {
        Object item = items.get(i);
        if (item == null) {
            return null;
        }
        String at = where + "[" + i + "]";
        return nt.make((int) integral(item, at, int.class, Integer.MIN_VALUE, Integer.MAX_VALUE), at);
    }

    /** A returned list as the JSON array of its values; a cycle is an error, not a hang. */
    static void writeList(StringBuilder out, NodeType nt, Object head) throws HarnessException {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        out.append('[');
        for (Object node = head; node != null; node = nt.get(nt.next, node)) {
            if (seen.put(node, Boolean.TRUE) != null) {
                throw new HarnessException("the returned ListNode list has a cycle: the node with val "
                        + nt.get(nt.val, node) + " (position " + seen.size() + ") is reached a second time");
            }
            if (seen.size() > MAX_NODES) {
                throw new HarnessException("the returned ListNode list has more than " + MAX_NODES + " nodes");
            }
            if (seen.size() > 1) {
                out.append(',');
            }
            out.append(nt.get(nt.val, node));
        }
        out.append(']');
    }

    /** A returned tree in LeetCode's level order; a node reached twice is an error. */
    static void writeTree(StringBuilder out, NodeType nt, Object root) throws HarnessException {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> order = new ArrayList<>();
        List<Object> queue = new ArrayList<>();
        if (root != null) {
            seen.put(root, Boolean.TRUE);
            queue.add(root);
        }
        for (int i = 0; i < queue.size(); i++) {
            Object node = queue.get(i);
            if (node == null) {
                order.add(null);
                continue;
            }
            order.add(nt.get(nt.val, node));
            for (Field side : new Field[] {nt.left, nt.right}) {
                Object child = nt.get(side, node);
                if (child != null && seen.put(child, Boolean.TRUE) != null) {
                    throw new HarnessException("the returned TreeNode is not a tree: the node with val "
                            + nt.get(nt.val, child) + " is reached twice (a cycle, or a subtree shared by two parents)");
                }
                if (seen.size() > MAX_NODES) {
                    throw new HarnessException("the returned TreeNode tree has more than " + MAX_NODES + " nodes");
                }
                queue.add(child);
            }
        }
        int end = order.size();
        while (end > 0 && order.get(end - 1) == null) {
            end--;
        }
        out.append('[');
        for (int i = 0; i < end; i++) {
            if (i > 0) {
                out.append(',');
            }
            Object value = order.get(i);
            out.append(value == null ? "null" : value.toString());
        }
        out.append(']');
    }

    // ------------------------------------------------------------------ arguments

    static String jsonKind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof Num) {
            return "number " + v;
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof List) {
            return "array";
        }
        return "object";
    }

    /** Check a JSON argument against its declared signature type (the same rules everywhere). */
    static void validate(Object v, String type, String where) throws ConversionException {
        if (type.endsWith("[]")) {
            if (!(v instanceof List)) {
                throw new ConversionException(where, "expected " + type + ", got " + jsonKind(v));
            }
            List<?> items = (List<?>) v;
            String inner = type.substring(0, type.length() - 2);
            for (int i = 0; i < items.size(); i++) {
                validate(items.get(i), inner, where + "[" + i + "]");
            }
            return;
        }
        switch (type) {
            case "int":
            case "long": {
                if (!(v instanceof Num) || !((Num) v).integral) {
                    throw new ConversionException(where, "expected " + type + ", got " + jsonKind(v));
                }
                BigInteger big = new BigInteger(((Num) v).text);
                int bits = type.equals("int") ? 31 : 63;
                if (big.bitLength() > bits) {
                    throw new ConversionException(where, big + " does not fit in " + type);
                }
                return;
            }
            case "double":
                if (!(v instanceof Num)) {
                    throw new ConversionException(where, "expected double, got " + jsonKind(v));
                }
                if (Double.isInfinite(Double.parseDouble(((Num) v).text))) {
                    throw new ConversionException(where, v + " is out of range for double");
                }
                return;
            case "bool":
                if (!(v instanceof Boolean)) {
                    throw new ConversionException(where, "expected bool, got " + jsonKind(v));
                }
                return;
            case "char": {
                if (!(v instanceof String) || ((String) v).length() != 1 || ((String) v).charAt(0) > 127) {
                    String got = v instanceof String ? "the string " + quoted((String) v) : jsonKind(v);
                    throw new ConversionException(where, "expected char (a one-character ASCII string), got " + got);
                }
                return;
            }
            case "ListNode":
            case "TreeNode": {
                if (!(v instanceof List)) {
                    throw new ConversionException(where, "expected " + type + " (a JSON array"
                            + (type.equals("TreeNode") ? " in level order" : " of its values") + ", [] for null), got "
                            + jsonKind(v));
                }
                List<?> items = (List<?>) v;
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) != null || type.equals("ListNode")) {
                        validate(items.get(i), "int", where + "[" + i + "]");
                    }
                }
                return;
            }
            default:
                if (!(v instanceof String)) {
                    throw new ConversionException(where, "expected string, got " + jsonKind(v));
                }
        }
    }

    static String quoted(String s) {
        StringBuilder sb = new StringBuilder();
        writeString(sb, s.length() > 20 ? s.substring(0, 20) + "..." : s);
        return sb.toString();
    }

    static Class<?> rawClass(Type t) {
        if (t instanceof Class) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType) {
            return rawClass(((ParameterizedType) t).getRawType());
        }
        return Object.class;
    }

    static String javaName(Type t) {
        return t.getTypeName().replace("java.lang.", "").replace("java.util.", "");
    }

    static ConversionException mismatch(String where, Object v, Type target) {
        return new ConversionException(where, "cannot convert " + jsonKind(v) + " to Java " + javaName(target));
    }

    static long integral(Object v, String where, Type target, long min, long max) throws ConversionException {
        if (!(v instanceof Num) || !((Num) v).integral) {
            throw mismatch(where, v, target);
        }
        BigInteger big = new BigInteger(((Num) v).text);
        if (big.compareTo(BigInteger.valueOf(min)) < 0 || big.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new ConversionException(where, big + " does not fit in Java " + javaName(target));
        }
        return big.longValue();
    }

    /** The JSON value as the Java type the candidate's method declares. */
    static Object toJava(Object v, Type target, String where) throws ConversionException {
        Class<?> raw = rawClass(target);
        if (v == null && !raw.isPrimitive()) {
            return null;
        }
        NodeType nt = NodeType.of(raw);
        if (nt != null) {
            if (!(v instanceof List)) {
                throw mismatch(where, v, target);
            }
            return nt.tree ? toTree(nt, (List<?>) v, where) : toList(nt, (List<?>) v, where);
        }
        if (raw == int.class || raw == Integer.class) {
            return (int) integral(v, where, target, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == long.class || raw == Long.class) {
            return integral(v, where, target, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == short.class || raw == Short.class) {
            return (short) integral(v, where, target, Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
            if (!(v instanceof Num)) {
                throw mismatch(where, v, target);
            }
            double d = Double.parseDouble(((Num) v).text);
            if (raw == float.class || raw == Float.class) {
                return (float) d;
            }
            return d;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (!(v instanceof Boolean)) {
                throw mismatch(where, v, target);
            }
            return v;
        }
        if (raw == char.class || raw == Character.class) {
            if (!(v instanceof String) || ((String) v).length() != 1) {
                throw new ConversionException(where, "expected a one-character string for Java char");
            }
            return ((String) v).charAt(0);
        }
        if (raw == String.class || raw == CharSequence.class) {
            if (!(v instanceof String)) {
                throw mismatch(where, v, target);
            }
            return v;
        }
        if (raw.isArray()) {
            if (!(v instanceof List)) {
                throw mismatch(where, v, target);
            }
            List<?> items = (List<?>) v;
            Class<?> component = raw.getComponentType();
            Object array = Array.newInstance(component, items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, toJava(items.get(i), component, where + "[" + i + "]"));
            }
            return array;
        }
        if (raw.isAssignableFrom(ArrayList.class)) {
            if (!(v instanceof List)) {
                throw mismatch(where, v, target);
            }
            Type element = Object.class;
            if (target instanceof ParameterizedType) {
                element = ((ParameterizedType) target).getActualTypeArguments()[0];
            }
            if (rawClass(element) == Object.class) {
                throw mismatch(where, v, target);
            }
            List<?> items = (List<?>) v;
            List<Object> list = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                list.add(toJava(items.get(i), element, where + "[" + i + "]"));
            }
            return list;
        }
        throw mismatch(where, v, target);
    }

    static String javaTypeFor(String sigType) {
        String base = sigType.replace("[]", "");
        String suffix = sigType.substring(base.length());
        switch (base) {
            case "bool": return "boolean" + suffix;
            case "string": return "java.lang.String" + suffix;
            default: return base + suffix;
        }
    }

    // ------------------------------------------------------------------ errors

    static boolean isHarnessFrame(StackTraceElement e) {
        String c = e.getClassName();
        return c.startsWith("IkHarness") || c.startsWith("jdk.internal.reflect.")
                || c.startsWith("java.lang.reflect.");
    }

    /** {@code Type: message} plus the candidate's stack frames (harness frames dropped). */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        int shown = 0;
        for (StackTraceElement frame : e.getStackTrace()) {
            if (isHarnessFrame(frame)) {
                break;
            }
            if (shown++ == STACK_FRAMES) {
                sb.append("\n\t...");
                break;
            }
            sb.append("\n\tat ").append(frame);
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            sb.append("\nCaused by: ").append(cause);
            int causeShown = 0;
            for (StackTraceElement frame : cause.getStackTrace()) {
                if (isHarnessFrame(frame) || causeShown++ == 5) {
                    break;
                }
                sb.append("\n\tat ").append(frame);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ stdout capture

    /** Keeps the first {@code limit} bytes the candidate prints, drops the rest. */
    static final class Capture extends OutputStream {
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final long limit;
        private boolean truncated;

        Capture(long limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (data.size() < limit) {
                data.write(b);
            } else {
                truncated = true;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            long room = limit - data.size();
            if (len > room) {
                truncated = true;
            }
            int keep = (int) Math.max(0, Math.min(room, len));
            data.write(b, off, keep);
        }

        synchronized String take() {
            byte[] bytes = data.toByteArray();
            int end = bytes.length;
            if (truncated) {
                end = completeUtf8(bytes);
            }
            data.reset();
            truncated = false;
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }

        static int completeUtf8(byte[] b) {
            for (int back = 1; back <= Math.min(4, b.length); back++) {
                int x = b[b.length - back] & 0xff;
                if ((x & 0xc0) == 0x80) {
                    continue;
                }
                int need = x >> 5 == 0b110 ? 2 : x >> 4 == 0b1110 ? 3 : x >> 3 == 0b11110 ? 4 : 1;
                return need > back ? b.length - back : b.length;
            }
            return b.length;
        }
    }

    // ------------------------------------------------------------------ running tests

    static final class Outcome {
        boolean ok;
        String actual;
        String kind = "runtime_error";
        String error;
        String stdout = "";
        double timeMs;

        static Outcome failure(String message) {
            Outcome o = new Outcome();
            o.error = message;
            return o;
        }
    }

    private final OutputStream results;
    private final Capture capture;
    private final PrintStream capturePrinter;
    private final PrintStream realOut;
    private Class<?> solution;
    private String loadError;

    IkHarness(OutputStream results, long limit) {
        this.results = results;
        this.capture = new Capture(limit);
        this.capturePrinter = new PrintStream(capture, true, StandardCharsets.UTF_8);
        this.realOut = System.out;
    }

    void emit(String line) throws IOException {
        results.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        results.flush();
    }

    void drain() {
        capturePrinter.flush();
        String leftover = capture.take();
        if (!leftover.isEmpty()) {
            realOut.print(leftover);
            realOut.flush();
        }
    }

    void load() {
        try {
            solution = Class.forName("Solution", false, IkHarness.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            loadError = "entry point '" + ENTRY_POINT + "' not found: class Solution is missing (expected in "
                    + ENTRY_FILE + ", default package)";
        }
    }

    List<Method> methodsNamed(String name) {
        List<Method> found = new ArrayList<>();
        for (Class<?> c = solution; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()) {
                    found.add(m);
                }
            }
        }
        found.sort(BY_SIGNATURE);
        return found;
    }

    Method pickMethod(int argc) throws HarnessException {
        List<Method> named = methodsNamed(ENTRY_POINT);
        if (named.isEmpty()) {
            throw new HarnessException("entry point '" + ENTRY_POINT + "' not found: class Solution has no method "
                    + ENTRY_POINT + " (expected in " + ENTRY_FILE + ")");
        }
        Method best = null;
        for (Method m : named) {
            if (m.getParameterCount() != argc) {
                continue;
            }
            boolean exact = PARAM_TYPES.length == argc;
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; exact && i < argc; i++) {
                exact = types[i].getTypeName().equals(javaTypeFor(PARAM_TYPES[i]));
            }
            if (best == null || exact) {
                best = m;
            }
            if (exact) {
                break;
            }
        }
        if (best == null) {
            throw new HarnessException("entry point '" + ENTRY_POINT + "' takes "
                    + named.get(0).getParameterCount() + " argument(s) but the test provides " + argc);
        }
        return best;
    }

    Object[] convertArgs(Object raw, Method method) throws HarnessException {
        if (!(raw instanceof List)) {
            throw new HarnessException("test arguments must be a JSON array");
        }
        List<?> args = (List<?>) raw;
        Type[] types = method.getGenericParameterTypes();
        Object[] out = new Object[args.size()];
        for (int i = 0; i < args.size(); i++) {
            String name = PARAM_NAMES[i];
            try {
                validate(args.get(i), PARAM_TYPES[i], name);
                out[i] = toJava(args.get(i), types[i], name);
            } catch (ConversionException e) {
                String at = e.where.equals(name) ? "" : " at " + e.where;
                throw new HarnessException("parameter '" + name + "' (" + PARAM_TYPES[i] + ")" + at + ": " + e.detail);
            }
        }
        return out;
    }

    Outcome runOne(Object raw) {
        if (loadError != null) {
            return Outcome.failure(loadError);
        }
        Method method;
        Object[] args;
        try {
            int argc = raw instanceof List ? ((List<?>) raw).size() : -1;
            if (argc != PARAM_NAMES.length) {
                if (argc < 0) {
                    throw new HarnessException("test arguments must be a JSON array");
                }
                throw new HarnessException("the test provides " + argc + " argument(s) but the signature declares "
                        + PARAM_NAMES.length + " parameter(s) (" + String.join(", ", PARAM_NAMES) + ")");
            }
            method = pickMethod(argc);
            method.setAccessible(true);
            args = convertArgs(raw, method);
        } catch (HarnessException e) {
            return Outcome.failure(e.getMessage());
        } catch (RuntimeException e) {
            return Outcome.failure(describe(e));
        }
        Constructor<?> ctor = null;
        if (!Modifier.isStatic(method.getModifiers())) {
            try {
                ctor = solution.getDeclaredConstructor();
                ctor.setAccessible(true);
            } catch (NoSuchMethodException | RuntimeException e) {
                return Outcome.failure("class Solution needs a constructor without parameters");
            }
        }
        drain();
        System.setOut(capturePrinter);
        Outcome o = new Outcome();
        Object value = null;
        Throwable thrown = null;
        long started = System.nanoTime();
        try {
            Object target = ctor == null ? null : ctor.newInstance();
            value = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            thrown = e.getCause() != null ? e.getCause() : e;
        } catch (Throwable e) {
            thrown = e;
        }
        o.timeMs = (System.nanoTime() - started) / 1e6;
        System.out.flush();
        System.setOut(capturePrinter);
        capturePrinter.flush();
        o.stdout = capture.take();
        if (thrown != null) {
            o.kind = thrown instanceof OutOfMemoryError ? "memory_limit_exceeded" : "runtime_error";
            o.error = thrown instanceof ExceptionInInitializerError && thrown.getCause() != null
                    ? "error while initializing class Solution: " + describe(thrown.getCause())
                    : describe(thrown);
            return o;
        }
        try {
            StringBuilder sb = new StringBuilder();
            boolean asDouble = RETURN_TYPE.replace("[]", "").equals("double");
            writeResult(sb, value, asDouble);
            o.actual = sb.toString();
            o.ok = true;
        } catch (HarnessException e) {
            o.error = e.getMessage();
        } catch (StackOverflowError e) {
            o.error = "return value of type " + javaTypeName(value) + " is nested too deeply for JSON";
        }
        return o;
    }

    /** The method's result as JSON: a null ListNode or TreeNode is {@code []}, as in the input. */
    static void writeResult(StringBuilder out, Object value, boolean asDouble) throws HarnessException {
        String base = RETURN_TYPE.replace("[]", "");
        boolean nodes = base.equals("ListNode") || base.equals("TreeNode");
        if (nodes && value == null && !RETURN_TYPE.endsWith("[]")) {
            out.append("[]");
        } else if (nodes && value instanceof Object[]) {
            Object[] items = (Object[]) value;
            out.append('[');
            for (int i = 0; i < items.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeNode(out, items[i], asDouble);
            }
            out.append(']');
        } else if (nodes && value instanceof List) {
            writeResult(out, ((List<?>) value).toArray(), asDouble);
        } else {
            writeValue(out, value, asDouble, new IdentityHashMap<>());
        }
    }

    static void writeNode(StringBuilder out, Object item, boolean asDouble) throws HarnessException {
        if (item == null) {
            out.append("[]");
        } else {
            writeValue(out, item, asDouble, new IdentityHashMap<>());
        }
    }

    static String resultLine(int index, Outcome o) {
        StringBuilder sb = new StringBuilder("{\"event\":\"result\",\"index\":").append(index);
        if (o.ok) {
            sb.append(",\"ok\":true,\"actual\":").append(o.actual);
        } else {
            sb.append(",\"ok\":false,\"kind\":");
            writeString(sb, o.kind);
            sb.append(",\"error\":");
            writeString(sb, o.error);
        }
        sb.append(",\"stdout\":");
        writeString(sb, o.stdout);
        sb.append(",\"time_ms\":");
        appendMillis(sb, o.timeMs);
        sb.append('}');
        return sb.toString();
    }

    /** {@code ms} with three decimals (String.format's first call costs milliseconds). */
    static void appendMillis(StringBuilder sb, double ms) {
        long micros = Math.max(0, Math.round(ms * 1000));
        long fraction = micros % 1000;
        sb.append(micros / 1000).append('.');
        if (fraction < 100) {
            sb.append(fraction < 10 ? "00" : "0");
        }
        sb.append(fraction);
    }

    void run(List<?> tests, int start) throws IOException {
        System.setOut(capturePrinter);
        load();
        for (int i = Math.max(start, 0); i < tests.size(); i++) {
            emit("{\"event\":\"start\",\"index\":" + i + "}");
            Outcome o;
            try {
                o = runOne(tests.get(i));
            } catch (OutOfMemoryError e) {
                o = Outcome.failure(describe(e));
                o.kind = "memory_limit_exceeded";
            }
            emit(resultLine(i, o));
        }
        drain();
        System.setOut(realOut);
    }

    static OutputStream openResults(String fd) throws IOException {
        if (fd == null || fd.isEmpty()) {
            return new FileOutputStream(java.io.FileDescriptor.out);
        }
        int n = Integer.parseInt(fd.trim());
        IOException failure = null;
        // Java cannot adopt a raw descriptor number; reopen it through procfs (append mode, so
        // a regular file is not truncated).
        for (String path : new String[] {"/proc/self/fd/" + n, "/dev/fd/" + n}) {
            try {
                return new FileOutputStream(path, true);
            } catch (IOException e) {
                failure = e;
            }
        }
        throw failure;
    }

    /**
     * A per-run setting: a warm JVM (started before its run existed) receives them as
     * {@code interviewkit.env.*} properties; a cold one in its environment.
     */
    static String setting(String name) {
        String value = System.getProperty("interviewkit.env." + name);
        return value != null ? value : System.getenv(name);
    }

    static long envLong(String name, long fallback) {
        String v = setting(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        return Long.parseLong(v.trim());
    }

    public static void main(String[] argv) throws Exception {
        String testsPath = setting("IK_TESTS");
        List<?> tests;
        int start;
        long limit;
        OutputStream results;
        try {
            Object root = Parser.parse(new String(Files.readAllBytes(Paths.get(testsPath == null ? "" : testsPath)),
                    StandardCharsets.UTF_8));
            Object list = root instanceof Map ? ((Map<?, ?>) root).get("tests") : null;
            if (!(list instanceof List)) {
                throw new IOException("'tests' must be a JSON array");
            }
            tests = (List<?>) list;
            start = (int) envLong("IK_START", 0);
            limit = envLong("IK_STDOUT_LIMIT", 65536);
            results = openResults(setting("IK_RESULT_FD"));
        } catch (IOException | RuntimeException e) {
            System.err.println("interviewkit harness: cannot start: " + e);
            System.exit(2);
            return;
        }
        IkHarness harness = new IkHarness(results, limit);
        Throwable[] failure = new Throwable[1];
        // Deep recursion needs more stack than the JVM's 1 MiB default for the main thread.
        Runnable body = new Runnable() {
            @Override
            public void run() {
                try {
                    harness.run(tests, start);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }
        };
        Thread worker = new Thread(null, body, "ik-harness", THREAD_STACK_BYTES);
        worker.start();
        worker.join();
        System.out.flush();
        if (failure[0] != null) {
            System.err.println("interviewkit harness failed: " + describe(failure[0]));
            System.exit(3);
        }
        System.exit(0);
    }
}
