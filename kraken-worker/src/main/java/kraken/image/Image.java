package kraken.image;

import static kraken.image.ImageFormat.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.lua.runtime.Libraries;
import kraken.lua.runtime.LuaRuntime;
import kraken.settings.Settings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.Lua51LexState;
import org.luaj.vm2.Prototype;

/**
 * An image read and validated once, decoded into a template: strings, numbers and prototypes
 * (which no Lua code can change) are made here and shared by every copy; tables, closures,
 * upvalue cells and coroutines are made anew by each {@link #instantiate}. Safe against hostile
 * bytes: every length and count is checked against what remains, every reference against the
 * records and their kinds, nothing is recursive; anything wrong is an ImageException.
 */
public final class Image {
    /** The kind of each record (ImageFormat). */
    final byte[] kinds;
    /** Strings by record (shared by every copy); null for other records. */
    final LuaValue[] strings;
    /** Immediate values: a value code c < 0 is constants[-c - 1]; c >= 0 is record c. */
    final LuaValue[] constants;
    /** Prototypes by record (shared by every copy); null for other records. */
    final Prototype[] prototypes;
    /** Per record: Table, Libraries.Path, Closure, Integer (CELL, THREAD: a value code), Prototype. */
    final Object[] data;
    final int[] sharedMetatables = new int[6];
    int application;
    String user;
    final List<Registry.Address> addresses = new ArrayList<>();
    Libraries.Path randomPath;
    long randomState;

    /** A table's record; path is a Libraries.Path for a library table, once read (a RawPath while reading). */
    record Table(int slots, int[] array, int[] pairs, int metatable, Object rawPath) {
        Libraries.Path path() {
            return (Libraries.Path) rawPath;
        }
    }

    /** A path as read: its string keys are still record numbers. */
    record RawPath(int root, Object[] keys) {
        Libraries.Path resolve(LuaValue[] strings) {
            LuaValue[] k = new LuaValue[keys.length];
            for (int i = 0; i < k.length; i++) {
                k[i] = keys[i] instanceof Integer r ? strings[r] : (LuaValue) keys[i];
            }
            return new Libraries.Path(root, k);
        }
    }

    record Closure(int prototype, int[] cells) {}

    private Image(int n, LuaValue[] constants) {
        this.kinds = new byte[n];
        this.strings = new LuaValue[n];
        this.data = new Object[n];
        this.prototypes = new Prototype[n];
        this.constants = constants;
    }

    /** Parses and validates bytes made by {@link ImageWriter#capture}; refuses more than limitBytes. */
    public static Image read(byte[] bytes, long limitBytes) throws ImageException {
        if (bytes.length > limitBytes) {
            throw new ImageException("the image of the state has " + bytes.length + " bytes, more than the "
                    + limitBytes + " the workers' heap allows (kraken.limits.memory)");
        }
        try {
            return new Reader(bytes).read();
        } catch (RuntimeException e) {
            // Every check is explicit; this only keeps a missed one from escaping as anything else.
            throw ImageIn.corrupt(e.toString());
        }
    }

    /**
     * A fresh state (as LuaRuntime.create makes it) filled with a copy of the image; registry
     * receives the application (a new, unstarted coroutine), the addresses and the user.
     */
    public Globals instantiate(Settings settings, Registry registry, LoopHandler loop, Path scriptDir)
            throws ImageException {
        Globals g = LuaRuntime.createForImage(settings, registry, loop, scriptDir);
        try {
            ImageCopy.fill(this, g, registry);
        } catch (RuntimeException e) {
            // A valid image never gets here; a forged one that passed read()'s checks might
            // (a metamethod of the fresh libraries raising, say): it is refused like the rest.
            throw new ImageException("image: " + e);
        }
        return g;
    }

    /** The addresses the script registered. */
    public List<Registry.Address> addresses() {
        return List.copyOf(addresses);
    }

    /** The user the script registered (a name or a decimal uid), or null. */
    public String user() {
        return user;
    }

    public boolean hasApplication() {
        return application >= 0;
    }

    /** Records in the image (for measurements). */
    public int records() {
        return kinds.length;
    }

    LuaValue constant(int code) {
        return constants[-code - 1];
    }

    /** One pass over the bytes, then the checks that need every record. */
    static final class Reader {
        private final ImageIn in;
        private final List<LuaValue> constants = new ArrayList<>(List.of(LuaValue.NIL, LuaValue.FALSE, LuaValue.TRUE));
        private final List<Byte> kinds = new ArrayList<>();
        private final List<Object> data = new ArrayList<>();
        /** References to check once the records are known: record, then a mask of allowed kinds. */
        private int[] refs = new int[64];
        private int nrefs;

        private static final int VALUE = 1 << STRING | 1 << TABLE | 1 << LIB | 1 << LIBTABLE | 1 << CLOSURE
                | 1 << THREAD;

        Reader(byte[] bytes) throws ImageException {
            if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw ImageIn.corrupt("not a Kraken image of this version");
            }
            this.in = new ImageIn(bytes, MAGIC.length);
        }

        Image read() throws ImageException {
            List<LuaString> strings = new ArrayList<>();
            for (int kind = in.u8(); kind != END; kind = in.u8()) {
                kinds.add((byte) kind);
                Object d = null;
                LuaString s = null;
                switch (kind) {
                    case STRING -> s = LuaString.valueUsing(in.bytes());
                    case TABLE -> d = table(null);
                    case LIB -> d = path();
                    case LIBTABLE -> d = table(path());
                    case CLOSURE -> d = closure();
                    case CELL, THREAD -> d = value();
                    case PROTO -> d = ProtoRecord.read(this);
                    default -> throw ImageIn.corrupt("unknown record kind " + kind);
                }
                strings.add(s);
                data.add(d);
            }
            int[] shared = new int[6];
            for (int i = 0; i < 6; i++) {
                shared[i] = value(1 << TABLE | 1 << LIB | 1 << LIBTABLE);
                if (shared[i] < -1) {
                    throw ImageIn.corrupt("a shared metatable that is not a table");
                }
            }
            int application = value(1 << THREAD);
            if (application < -1) {
                throw ImageIn.corrupt("the application is not a coroutine");
            }
            String user = in.u8() == 0 ? null : text();
            List<Registry.Address> addresses = new ArrayList<>();
            for (int n = in.count(3); n > 0; n--) {
                String host = text();
                long port = in.zigzag();
                if (port < 0 || port > 65535) {
                    throw ImageIn.corrupt("port " + port);
                }
                String path = in.u8() == 0 ? null : text();
                addresses.add(new Registry.Address(host, (int) port, path));
            }
            RawPath randomPath = null;
            long randomState = 0;
            if (in.u8() != 0) {
                randomPath = path();
                randomState = in.u64();
            }
            if (in.remaining() != 0) {
                throw ImageIn.corrupt(in.remaining() + " bytes after the end");
            }
            int n = kinds.size();
            Image image = new Image(n, constants.toArray(new LuaValue[0]));
            for (int i = 0; i < n; i++) {
                image.kinds[i] = kinds.get(i);
                image.strings[i] = strings.get(i);
            }
            checkReferences(image.kinds);
            for (int i = 0; i < n; i++) {
                Object d = data.get(i);
                if (d instanceof RawPath p) {
                    d = p.resolve(image.strings);
                } else if (d instanceof Table t && t.rawPath() instanceof RawPath p) {
                    d = new Table(t.slots(), t.array(), t.pairs(), t.metatable(), p.resolve(image.strings));
                }
                image.data[i] = d;
            }
            ProtoRecord.build(image);
            System.arraycopy(shared, 0, image.sharedMetatables, 0, 6);
            image.application = application;
            image.user = user;
            image.addresses.addAll(addresses);
            image.randomPath = randomPath == null ? null : randomPath.resolve(image.strings);
            image.randomState = randomState;
            return image;
        }

        private void expect(int ref, int mask) {
            if (nrefs + 2 > refs.length) {
                refs = Arrays.copyOf(refs, refs.length * 2);
            }
            refs[nrefs++] = ref;
            refs[nrefs++] = mask;
        }

        private void checkReferences(byte[] k) throws ImageException {
            for (int i = 0; i < nrefs; i += 2) {
                int r = refs[i];
                if (r >= k.length) {
                    throw ImageIn.corrupt("reference " + r + " past the " + k.length + " records");
                }
                if ((refs[i + 1] & 1 << k[r]) == 0) {
                    throw ImageIn.corrupt("record " + r + " is of the wrong kind for its use");
                }
            }
        }

        /** A value code (see Image.constants). */
        int value() throws ImageException {
            return value(VALUE);
        }

        int value(int mask) throws ImageException {
            switch (in.u8()) {
                case NIL:
                    return -1;
                case FALSE:
                    return -2;
                case TRUE:
                    return -3;
                case INT: {
                    long v = in.zigzag();
                    if (v != (int) v) {
                        throw ImageIn.corrupt("integer out of range");
                    }
                    constants.add(LuaValue.valueOf((int) v));
                    return -constants.size();
                }
                case DOUBLE:
                    constants.add(LuaValue.valueOf(Double.longBitsToDouble(in.u64())));
                    return -constants.size();
                case REF:
                    return ref(mask);
                case VARARG_TABLE:
                    constants.add(Lua51LexState.VarargTable.INSTANCE);
                    return -constants.size();
                default:
                    throw ImageIn.corrupt("unknown value tag");
            }
        }

        int ref(int mask) throws ImageException {
            int r = in.varint();
            expect(r, mask);
            return r;
        }

        int string() throws ImageException {
            return ref(1 << STRING);
        }

        /** 0 for none, else a string reference + 1, as the writer's optional strings. */
        int optionalString() throws ImageException {
            int r = in.varint();
            if (r > 0) {
                expect(r - 1, 1 << STRING);
            }
            return r - 1;
        }

        String text() throws ImageException {
            return new String(in.bytes(), StandardCharsets.UTF_8);
        }

        ImageIn in() {
            return in;
        }

        private Table table(RawPath path) throws ImageException {
            int slots = in.count(1);
            int pairs = in.u32();
            if (pairs < 0 || (long) pairs * 2 > in.remaining()) {
                throw ImageIn.corrupt("a count of " + pairs + " past the end");
            }
            int mt = value(1 << TABLE | 1 << LIB | 1 << LIBTABLE);
            if (mt < -1) {
                throw ImageIn.corrupt("a metatable that is not a table");
            }
            int[] array = new int[slots];
            for (int i = 0; i < slots; i++) {
                array[i] = value();
            }
            int[] kv = new int[pairs * 2];
            for (int i = 0; i < kv.length; i += 2) {
                kv[i] = value();
                if (kv[i] == -1 || kv[i] < 0 && Double.isNaN(constants.get(-kv[i] - 1).todouble())
                        && constants.get(-kv[i] - 1).isnumber()) {
                    throw ImageIn.corrupt("a table key that is nil or NaN");
                }
                kv[i + 1] = value();
            }
            return new Table(slots, array, kv, mt, path);
        }

        private RawPath path() throws ImageException {
            int root = in.varint();
            if (root >= Libraries.ROOTS.length) {
                throw ImageIn.corrupt("unknown library root " + root);
            }
            int n = in.count(2);
            if (n > MAX_PATH) {
                throw ImageIn.corrupt("a library path of " + n + " steps");
            }
            Object[] keys = new Object[n];
            for (int i = 0; i < n; i++) {
                switch (in.u8()) {
                    case SEGMENT_METATABLE -> keys[i] = Libraries.METATABLE;
                    case SEGMENT_STRING -> keys[i] = string();
                    case SEGMENT_INT -> {
                        long v = in.zigzag();
                        if (v != (int) v) {
                            throw ImageIn.corrupt("integer out of range");
                        }
                        keys[i] = LuaValue.valueOf((int) v);
                    }
                    default -> throw ImageIn.corrupt("unknown path segment");
                }
            }
            return new RawPath(root, keys);
        }

        private Closure closure() throws ImageException {
            int proto = ref(1 << PROTO);
            int n = in.count(1);
            int[] cells = new int[n];
            for (int i = 0; i < n; i++) {
                int c = in.varint();
                if (c > 0) {
                    expect(c - 1, 1 << CELL);
                }
                cells[i] = c - 1;
            }
            return new Closure(proto, cells);
        }
    }
}
