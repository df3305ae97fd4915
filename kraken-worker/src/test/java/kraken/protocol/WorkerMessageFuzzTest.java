package kraken.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;
import kraken.fuzz.Allocation;
import org.junit.jupiter.api.Tag;

/**
 * The master's decoder of what a worker sends on its link, under any bytes: READY, DONE, FAILED,
 * unknown types, each truncated, padded or with lengths that lie. The contract the supervisor
 * thread relies on: a message or an IOException (which stops that worker), nothing else thrown,
 * no byte read past the packet, and allocation bounded by the packet's size.
 */
@Tag("fuzz")
class WorkerMessageFuzzTest {
    @FuzzTest
    void workerMessage(byte[] data) {
        if (data.length == 0) {
            return; // an empty packet is end of stream, answered before decoding
        }
        // recvmsg truncates a packet to the buffer: the decoder never sees more than MAX_MESSAGE.
        int n = Math.min(data.length, Protocol.MAX_MESSAGE);
        Object first = decode(data, n, (byte) 0x00);
        // The buffer is reused: whatever an earlier packet left past n must not change the answer.
        Object second = decode(data, n, (byte) 0x7f);
        assertEquals(first, second, "the answer depends on bytes past the packet");
        if (first instanceof Protocol.Done d) {
            assertTrue(d.outcome().length() <= n);
        } else if (first instanceof Protocol.Failed f) {
            assertTrue(f.error().length() <= n);
        } else if (!(first instanceof Protocol.Ready) && !(first instanceof String)) {
            throw new AssertionError("unexpected answer " + first);
        }
    }

    /** The message, or the IOException's message as a String. */
    private static Object decode(byte[] data, int n, byte stale) {
        byte[] buf = new byte[Protocol.MAX_MESSAGE];
        Arrays.fill(buf, stale);
        System.arraycopy(data, 0, buf, 0, n);
        decodeOnce(buf, n); // the first run of a path loads classes: not the decoder's own cost
        long mark = Allocation.mark();
        Object answer = decodeOnce(buf, n);
        Allocation.atMost(mark, 16L * n + 64 * 1024, "decoding");
        return answer;
    }

    private static Object decodeOnce(byte[] buf, int n) {
        try {
            return Protocol.decodeFromWorker(buf, n);
        } catch (IOException e) {
            return "IOException: " + e.getMessage();
        }
    }
}
