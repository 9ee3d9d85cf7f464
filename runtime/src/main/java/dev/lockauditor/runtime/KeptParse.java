package dev.lockauditor.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML document (maps, lists, strings, numbers, booleans, nulls) kept in a file of its own, tagged value by
 * value: read back in a few milliseconds by a JVM just started, where Java serialization or the YAML parser take
 * a tenth of a second. A document holding any other value is not kept.
 */
final class KeptParse {

    private static final int VERSION = 1;

    private KeptParse() {
    }

    /** Writes the document; refused, before a byte is written, when it holds a value of another kind. */
    static void write(Object document, Path file) throws IOException {
        if (!keepable(document)) {
            throw new IOException("holds a value that is not a map, list, string, number, boolean or null");
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(VERSION);
            write(document, out);
        }
    }

    static Object read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != VERSION) {
                throw new IOException("kept by another version");
            }
            return read(in);
        }
    }

    private static boolean keepable(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> e.getKey() instanceof String && keepable(e.getValue()));
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(KeptParse::keepable);
        }
        return value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double;
    }

    private static void write(Object value, DataOutputStream out) throws IOException {
        if (value instanceof Map<?, ?> map) {
            out.writeByte('M');
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeUTF((String) entry.getKey());
                write(entry.getValue(), out);
            }
        } else if (value instanceof List<?> list) {
            out.writeByte('L');
            out.writeInt(list.size());
            for (Object item : list) {
                write(item, out);
            }
        } else if (value instanceof String text) {
            // writeUTF holds 64 KiB at most: a longer string in bytes of its own.
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeByte('S');
            out.writeInt(bytes.length);
            out.write(bytes);
        } else if (value instanceof Boolean flag) {
            out.writeByte('B');
            out.writeBoolean(flag);
        } else if (value instanceof Integer number) {
            out.writeByte('I');
            out.writeInt(number);
        } else if (value instanceof Long number) {
            out.writeByte('J');
            out.writeLong(number);
        } else if (value instanceof Double number) {
            out.writeByte('D');
            out.writeDouble(number);
        } else {
            out.writeByte('N');
        }
    }

    private static Object read(DataInputStream in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 'M' -> {
                int size = in.readInt();
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    String key = in.readUTF();
                    map.put(key, read(in));
                }
                return map;
            }
            case 'L' -> {
                int size = in.readInt();
                List<Object> list = new ArrayList<>(Math.min(size, 1024));
                for (int i = 0; i < size; i++) {
                    list.add(read(in));
                }
                return list;
            }
            case 'S' -> {
                return new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8);
            }
            case 'B' -> {
                return in.readBoolean();
            }
            case 'I' -> {
                return in.readInt();
            }
            case 'J' -> {
                return in.readLong();
            }
            case 'D' -> {
                return in.readDouble();
            }
            case 'N' -> {
                return null;
            }
            default -> throw new IOException("not a kept parse (tag " + tag + ")");
        }
    }
}
