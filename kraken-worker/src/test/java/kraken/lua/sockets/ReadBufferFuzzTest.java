package kraken.lua.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import kraken.fuzz.Allocation;
import org.junit.jupiter.api.Tag;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * The socket's read buffer under any bytes, any chunking and any mix of receive() and
 * rawrecv(n), against a plain model of docs/api.md's socket contract: a line is returned
 * without its "\n" and one "\r" before it; an unterminated last line at end of stream; a line
 * over the limit gives "line too long" and the bytes of it read so far are dropped (as soon as
 * they are provably over: more than limit bytes, not counting a "\r" a "\n" may follow);
 * receive() and rawrecv() share the buffer, and a timeout (nothing more arrived) loses no byte.
 *
 * <p>The driver mirrors LuaSocket.receive()'s loop (nextLine, lastLine at end of stream,
 * prepareRead, one recv into array() at writeOffset() of up to writable() bytes) and
 * LuaSocket.rawrecv(). Each delivered chunk is at most CHUNK bytes, one recv(2)'s worth, so the
 * model and the buffer see the same reads; rawrecv may take part of one, as recv(2) does.
 */
@Tag("fuzz")
class ReadBufferFuzzTest {
    private static final int CHUNK = 8192;
    private static final Object TIMEOUT = "timeout";
    private static final Object CLOSED = "closed";
    private static final Object TOO_LONG = "line too long";

    /** The peer's side: chunks queued, then perhaps end of stream; a recv takes from the first. */
    private static final class Net {
        final Deque<byte[]> chunks = new ArrayDeque<>();
        boolean ended;

        /** Like recv(2): bytes, 0 at end of stream, -1 when nothing has arrived (a timeout). */
        int recv(byte[] into, int off, int max) {
            byte[] c = chunks.peekFirst();
            if (c == null) {
                return ended ? 0 : -1;
            }
            int n = Math.min(max, c.length);
            System.arraycopy(c, 0, into, off, n);
            chunks.removeFirst();
            if (n < c.length) {
                chunks.addFirst(Arrays.copyOfRange(c, n, c.length));
            }
            return n;
        }
    }

    /** ReadBuffer as LuaSocket drives it. */
    private static final class Real {
        final ReadBuffer in = new ReadBuffer();
        final Net net = new Net();
        boolean eof;

        Object receive(int limit) {
            for (;;) {
                LuaValue line = in.nextLine(limit);
                if (line == null && eof) {
                    line = in.lastLine(limit);
                    if (line == null) {
                        return CLOSED;
                    }
                }
                if (line != null) {
                    return line == ReadBuffer.TOO_LONG ? TOO_LONG : bytes((LuaString) line);
                }
                in.prepareRead();
                assertTrue(in.writable() >= CHUNK, "prepareRead left " + in.writable() + " bytes of room");
                int got = net.recv(in.array(), in.writeOffset(), in.writable());
                if (got < 0) {
                    return TIMEOUT;
                } else if (got == 0) {
                    eof = true;
                } else {
                    in.wrote(got);
                }
            }
        }

        Object rawrecv(int n) {
            if (!in.isEmpty()) {
                return bytes(in.take(n));
            }
            if (eof) {
                return CLOSED;
            }
            byte[] b = new byte[n];
            int got = net.recv(b, 0, n);
            if (got < 0) {
                return TIMEOUT;
            } else if (got == 0) {
                eof = true;
                return CLOSED;
            }
            return Arrays.copyOf(b, got);
        }
    }

    /** The contract, as plainly as it can be said. */
    private static final class Model {
        final ByteArrayOutputStream read = new ByteArrayOutputStream();
        final Net net = new Net();
        boolean eof;

        Object receive(int limit) {
            for (;;) {
                byte[] b = read.toByteArray();
                int nl = indexOf(b, (byte) '\n');
                if (nl >= 0) {
                    int content = nl > 0 && b[nl - 1] == '\r' ? nl - 1 : nl;
                    keep(b, nl + 1);
                    return content > limit ? TOO_LONG : Arrays.copyOf(b, content);
                }
                if (eof) {
                    read.reset();
                    return b.length == 0 ? CLOSED : b.length > limit ? TOO_LONG : b;
                }
                int atLeast = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                if (atLeast > limit) {
                    read.reset();
                    return TOO_LONG;
                }
                byte[] chunk = new byte[CHUNK];
                int got = net.recv(chunk, 0, CHUNK);
                if (got < 0) {
                    return TIMEOUT;
                } else if (got == 0) {
                    eof = true;
                } else {
                    read.write(chunk, 0, got);
                }
            }
        }

        Object rawrecv(int n) {
            byte[] b = read.toByteArray();
            if (b.length > 0) {
                int k = Math.min(n, b.length);
                keep(b, k);
                return Arrays.copyOf(b, k);
            }
            if (eof) {
                return CLOSED;
            }
            byte[] chunk = new byte[n];
            int got = net.recv(chunk, 0, n);
            if (got < 0) {
                return TIMEOUT;
            } else if (got == 0) {
                eof = true;
                return CLOSED;
            }
            return Arrays.copyOf(chunk, got);
        }

        private void keep(byte[] b, int from) {
            read.reset();
            read.write(b, from, b.length - from);
        }
    }

    static {
        // Loads the classes every path uses, so that the allocation bound measures the buffer.
        Real warm = new Real();
        warm.net.chunks.addLast("a\r\nbb\nccc\rdd".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        warm.receive(Integer.MAX_VALUE);
        warm.receive(1);
        warm.rawrecv(1);
        warm.receive(1);
        warm.receive(100);
        warm.net.ended = true;
        warm.receive(1);
        warm.receive(1);
        warm.rawrecv(1);
    }

    @FuzzTest
    void readBuffer(FuzzedDataProvider data) {
        int limit = data.consumeBoolean() ? Integer.MAX_VALUE : data.consumeInt(0, 3 * CHUNK);
        Real real = new Real();
        Model model = new Model();
        long delivered = 0;
        while (data.remainingBytes() > 0) {
            int op = data.consumeInt(0, 4);
            Object want;
            Object got;
            if (op == 0) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, CHUNK));
                if (chunk.length == 0) {
                    continue;
                }
                real.net.chunks.addLast(chunk);
                model.net.chunks.addLast(chunk.clone());
                delivered += chunk.length;
                continue;
            } else if (op == 1) {
                real.net.ended = true;
                model.net.ended = true;
                continue;
            } else if (op <= 3) {
                long mark = Allocation.mark();
                got = real.receive(limit);
                // A receive copies out at most the line, and the buffer grows to what it holds.
                Allocation.atMost(mark, 4L * (Math.min(limit, delivered) + 2 * CHUNK) + 4096, "receive()");
                want = model.receive(limit);
            } else {
                int n = data.consumeInt(1, 2 * CHUNK);
                got = real.rawrecv(n);
                want = model.rawrecv(n);
            }
            if (want instanceof byte[] w) {
                assertArrayEquals(w, (byte[]) cast(got, want), "bytes returned");
            } else {
                assertEquals(want, got);
            }
            assertEquals(model.read.size(), real.in.size(), "bytes kept in the buffer");
            // Memory: the buffer holds at most an unfinished line within the limit and one read more.
            long cap = Math.max(CHUNK, 2L * (Math.min((long) limit, delivered) + 1 + CHUNK));
            assertTrue(real.in.array().length <= cap, "buffer of " + real.in.array().length + " bytes, bound " + cap);
        }
    }

    private static Object cast(Object got, Object want) {
        if (!(got instanceof byte[])) {
            throw new AssertionError("expected bytes " + Arrays.toString((byte[]) want) + ", got " + got);
        }
        return got;
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(LuaString s) {
        byte[] b = new byte[s.m_length];
        s.copyInto(0, b, 0, s.m_length);
        return b;
    }
}
