package kraken.image;

/**
 * The layout of an image. After an 8-byte magic, records follow in the order of their index
 * (0, 1, 2, ...), each a kind byte and its fields, until END; then the trailer. Numbers are
 * unsigned LEB128 varints unless said otherwise; a value is a tag byte and its payload; a
 * reference is a record's index. Records may refer forward (cycles are allowed among tables and
 * closures; prototypes must not nest in a cycle).
 *
 * <pre>
 *   value     = NIL | FALSE | TRUE | INT zigzag-varint | DOUBLE 8 bytes (IEEE, big-endian) | REF ref
 *             | VARARG_TABLE (the 5.1 compiler's arg-table builder, a constant of vararg prototypes)
 *   STRING    varint length, bytes
 *   TABLE     varint array slots, u32 pairs, value metatable, array values, pairs as key value
 *   LIB       path                                (a library object of a fresh state)
 *   LIBTABLE  path, then as TABLE                 (a library table the script changed: refilled)
 *   CLOSURE   ref prototype, varint n, n x (0 | ref cell + 1)
 *   CELL      value                               (an upvalue; closures that share one share it)
 *   PROTO     varint linedefined, lastlinedefined, numparams, is_vararg, maxstacksize,
 *             (0 | ref source + 1), varint n + n x u32 code, varint n + n x value constants,
 *             varint n + n x ref nested, varint n + n x zigzag lineinfo,
 *             varint n + n x (ref name, varint startpc, varint endpc) locvars,
 *             varint n + n x ((0 | ref name + 1), u8 instack, varint idx) upvalues
 *   THREAD    value function                      (a coroutine that has not started)
 *   path      varint root (Libraries.ROOTS), varint n, n x (0 metatable | 1 ref string | 2 zigzag int)
 *   trailer   6 x value shared metatables (string, number, boolean, nil, function, thread),
 *             value application, (0 | 1 + bytes) user, varint n + n x (bytes host, zigzag port,
 *             (0 | 1 + bytes) path) addresses, (0 | 1 + path + 8 bytes) math.random's state
 *   bytes     varint length, bytes
 * </pre>
 */
final class ImageFormat {
    private ImageFormat() {}

    static final byte[] MAGIC = {'K', 'R', 'K', 'I', 'M', 'G', 0, 1};

    static final int NIL = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    static final int INT = 3;
    static final int DOUBLE = 4;
    static final int REF = 5;
    /**
     * The 5.1 compiler's builder of a vararg function's `arg` table: a Java constant in the
     * prototypes it compiles (docs/lua-api.md), stateless, so the same one in every copy.
     */
    static final int VARARG_TABLE = 6;

    static final int END = 0;
    static final int STRING = 1;
    static final int TABLE = 2;
    static final int LIB = 3;
    static final int LIBTABLE = 4;
    static final int CLOSURE = 5;
    static final int CELL = 6;
    static final int PROTO = 7;
    static final int THREAD = 8;

    static final int SEGMENT_METATABLE = 0;
    static final int SEGMENT_STRING = 1;
    static final int SEGMENT_INT = 2;

    /** A library path is a short walk from a root; anything longer is not ours. */
    static final int MAX_PATH = 64;
    /** LuaC's own bound on a function's registers is 250. */
    static final int MAX_STACK = 256;
    /** LuaC refuses functions nested deeper than 200 (LUAI_MAXCCALLS); string.dump recurses over them. */
    static final int MAX_NESTING = 250;
}
