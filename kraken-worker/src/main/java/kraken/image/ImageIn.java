package kraken.image;

/**
 * Reads an image's bytes; every length and count is checked against what remains, so a hostile
 * image can never make the reader allocate more than a small multiple of its own size.
 */
final class ImageIn {
    private final byte[] buf;
    private int pos;

    ImageIn(byte[] buf, int start) {
        this.buf = buf;
        this.pos = start;
    }

    static ImageException corrupt(String what) {
        return new ImageException("corrupt image: " + what);
    }

    int remaining() {
        return buf.length - pos;
    }

    int u8() throws ImageException {
        if (pos >= buf.length) {
            throw corrupt("truncated");
        }
        return buf[pos++] & 0xFF;
    }

    long varlong() throws ImageException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw corrupt("overlong number");
    }

    /** A non-negative int. */
    int varint() throws ImageException {
        long v = varlong();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw corrupt("number out of range");
        }
        return (int) v;
    }

    long zigzag() throws ImageException {
        long v = varlong();
        return (v >>> 1) ^ -(v & 1);
    }

    /** A count of items of at least minBytes each, checked against what remains. */
    int count(int minBytes) throws ImageException {
        int n = varint();
        if ((long) n * minBytes > remaining()) {
            throw corrupt("a count of " + n + " past the end");
        }
        return n;
    }

    int u32() throws ImageException {
        if (remaining() < 4) {
            throw corrupt("truncated");
        }
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long u64() throws ImageException {
        return ((long) u32() << 32) | (u32() & 0xFFFFFFFFL);
    }

    byte[] bytes() throws ImageException {
        int n = count(1);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }
}
