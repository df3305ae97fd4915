package kraken.image;

import java.util.Arrays;

/** The bytes of an image as they are written, refused as soon as they pass the limit. */
final class ImageOut {
    private final long limit;
    private byte[] buf = new byte[8192];
    private int size;

    ImageOut(long limit) {
        this.limit = limit;
    }

    private void room(int n) throws ImageException {
        long need = (long) size + n;
        if (need > limit) {
            throw new ImageException("kraken.loop: the state is too large to copy into the workers:"
                    + " its image passes " + limit + " bytes, what the workers' heap allows"
                    + " (kraken.limits.memory)");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, buf.length * 2L)));
        }
    }

    void u8(int b) throws ImageException {
        room(1);
        buf[size++] = (byte) b;
    }

    void varint(long v) throws ImageException {
        room(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    void zigzag(long v) throws ImageException {
        varint((v << 1) ^ (v >> 63));
    }

    void u32(int v) throws ImageException {
        room(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    void u64(long v) throws ImageException {
        u32((int) (v >>> 32));
        u32((int) v);
    }

    void bytes(byte[] b, int off, int len) throws ImageException {
        varint(len);
        room(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    void bytesRaw(byte[] b) throws ImageException {
        room(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    /** Where the next byte goes, for {@link #patch32}. */
    int position() {
        return size;
    }

    /** Overwrites the u32 written at position at. */
    void patch32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
