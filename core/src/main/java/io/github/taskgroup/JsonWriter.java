package io.github.taskgroup;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A small streaming JSON writer for the dump (the core has no JSON dependency): objects, arrays, strings,
 * numbers, booleans and null, indented by two spaces. Strings are escaped per RFC 8259: the quote, the
 * backslash and every control character, plus U+2028/U+2029 (which break JavaScript readers) and unpaired
 * surrogates (which have no UTF-8 encoding), so that the output is valid JSON whatever a name contains. It
 * checks the nesting: a value where a name is expected, or an unbalanced end, is an
 * {@link IllegalStateException}. Used by one thread at a time.
 */
final class JsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** What the innermost open container expects next. */
    private enum Scope {
        EMPTY_OBJECT,
        OBJECT_NAME, // a non-empty object: a comma, then a name
        OBJECT_VALUE, // a name was written: its value
        EMPTY_ARRAY,
        ARRAY // a non-empty array: a comma, then a value
    }

    private final Appendable out;
    private final Deque<Scope> stack = new ArrayDeque<>();
    private boolean done; // the top-level value was written

    JsonWriter(Appendable out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    JsonWriter beginObject() throws IOException {
        beforeValue();
        out.append('{');
        stack.push(Scope.EMPTY_OBJECT);
        return this;
    }

    JsonWriter endObject() throws IOException {
        Scope scope = stack.peek();
        if (scope != Scope.EMPTY_OBJECT && scope != Scope.OBJECT_NAME) {
            throw new IllegalStateException("endObject() outside an object, or after a name without its value");
        }
        stack.pop();
        if (scope == Scope.OBJECT_NAME) {
            newline();
        }
        out.append('}');
        return this;
    }

    JsonWriter beginArray() throws IOException {
        beforeValue();
        out.append('[');
        stack.push(Scope.EMPTY_ARRAY);
        return this;
    }

    JsonWriter endArray() throws IOException {
        Scope scope = stack.peek();
        if (scope != Scope.EMPTY_ARRAY && scope != Scope.ARRAY) {
            throw new IllegalStateException("endArray() outside an array");
        }
        stack.pop();
        if (scope == Scope.ARRAY) {
            newline();
        }
        out.append(']');
        return this;
    }

    JsonWriter name(String name) throws IOException {
        Objects.requireNonNull(name, "name");
        Scope scope = stack.peek();
        if (scope != Scope.EMPTY_OBJECT && scope != Scope.OBJECT_NAME) {
            throw new IllegalStateException("name(\"" + name + "\") outside an object, or after another name");
        }
        if (scope == Scope.OBJECT_NAME) {
            out.append(',');
        }
        newline();
        string(name);
        out.append(": ");
        stack.pop();
        stack.push(Scope.OBJECT_VALUE);
        return this;
    }

    JsonWriter value(@Nullable String value) throws IOException {
        if (value == null) {
            return nullValue();
        }
        beforeValue();
        string(value);
        return this;
    }

    JsonWriter value(long value) throws IOException {
        beforeValue();
        out.append(Long.toString(value));
        return this;
    }

    JsonWriter value(boolean value) throws IOException {
        beforeValue();
        out.append(value ? "true" : "false");
        return this;
    }

    JsonWriter nullValue() throws IOException {
        beforeValue();
        out.append("null");
        return this;
    }

    /** A name and its string value (or null). */
    JsonWriter field(String name, @Nullable String value) throws IOException {
        return name(name).value(value);
    }

    /** Ends the document: every container must be closed. */
    void finish() throws IOException {
        if (!stack.isEmpty() || !done) {
            throw new IllegalStateException("Incomplete JSON document");
        }
        out.append('\n');
    }

    private void beforeValue() throws IOException {
        Scope scope = stack.peek();
        if (scope == null) {
            if (done) {
                throw new IllegalStateException("A JSON document has one top-level value");
            }
            done = true;
            return;
        }
        switch (scope) {
            case OBJECT_VALUE:
                stack.pop();
                stack.push(Scope.OBJECT_NAME);
                return;
            case EMPTY_ARRAY:
                stack.pop();
                stack.push(Scope.ARRAY);
                newline();
                return;
            case ARRAY:
                out.append(',');
                newline();
                return;
            default:
                throw new IllegalStateException("A value inside an object needs a name first");
        }
    }

    private void newline() throws IOException {
        out.append('\n');
        for (int i = 0; i < stack.size(); i++) {
            out.append("  ");
        }
    }

    private void string(String value) throws IOException {
        out.append('"');
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7f) {
                        unicodeEscape(c);
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < length
                            && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i)); // a valid pair: kept as is
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c); // unpaired: no UTF-8 encoding, so escaped
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) throws IOException {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
