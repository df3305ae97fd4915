package kraken.image;

import static kraken.image.ImageFormat.*;

import kraken.lua.module.Registry;
import kraken.lua.runtime.Libraries;
import kraken.lua.runtime.SharedMetatables;
import kraken.lua51.Lua51Random;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;

/**
 * Fills a fresh state with a copy of an image, in phases so that cycles need nothing special:
 * every object is made first (library objects found by path in the fresh state, before any of
 * them is changed), then contents are set with rawset (so keys that hash by identity hash by the
 * copies'), then metatables (so weak modes apply to the filled tables). Nothing here recurses.
 */
final class ImageCopy {
    private ImageCopy() {}

    static void fill(Image image, Globals g, Registry registry) throws ImageException {
        int n = image.kinds.length;
        LuaValue[] roots = Libraries.roots(g);
        LuaValue[] o = image.strings.clone();
        UpValue[] cells = new UpValue[n];
        // The fresh state's own coroutine.create counts the copy against kraken.limits.coroutines
        // and wraps it as any coroutine of the state; found before the script's changes are put in.
        LuaValue create = g.rawget("coroutine").rawget("create");
        Lua51Random random = image.randomPath == null ? null
                : Lua51Random.of(Libraries.resolve(image.randomPath, roots));
        for (int i = 0; i < n; i++) {
            switch (image.kinds[i]) {
                case LIB -> o[i] = library((Libraries.Path) image.data[i], roots);
                case LIBTABLE -> {
                    Image.Table t = (Image.Table) image.data[i];
                    o[i] = library(t.path(), roots);
                    if (!o[i].istable()) {
                        throw new ImageException("image: library table " + t.path() + " is not a table here");
                    }
                }
                case TABLE -> {
                    Image.Table t = (Image.Table) image.data[i];
                    o[i] = new LuaTable(t.slots(), t.pairs().length / 2);
                }
                case CLOSURE -> o[i] = new LuaClosure(image.prototypes[((Image.Closure) image.data[i]).prototype()], g);
                case CELL -> cells[i] = new UpValue(new LuaValue[1], 0);
                default -> { }
            }
        }
        for (int i = 0; i < n; i++) {
            if (image.kinds[i] == THREAD) {
                LuaValue f = value(image, o, (Integer) image.data[i]);
                if (!f.isfunction() || !create.isfunction()) {
                    throw new ImageException("image: a coroutine without a function");
                }
                try {
                    o[i] = create.call(f);
                } catch (LuaError e) {
                    throw new ImageException("image: " + e.getMessage());
                }
            }
        }
        for (int i = 0; i < n; i++) {
            switch (image.kinds[i]) {
                case CELL -> cells[i].setValue(value(image, o, (Integer) image.data[i]));
                case CLOSURE -> {
                    int[] refs = ((Image.Closure) image.data[i]).cells();
                    UpValue[] ups = new UpValue[refs.length];
                    for (int u = 0; u < refs.length; u++) {
                        ups[u] = refs[u] < 0 ? new UpValue(new LuaValue[] {LuaValue.NIL}, 0) : cells[refs[u]];
                    }
                    ((LuaClosure) o[i]).upValues = ups;
                }
                case TABLE -> contents((LuaTable) o[i], (Image.Table) image.data[i], image, o);
                case LIBTABLE -> {
                    LuaTable t = (LuaTable) o[i];
                    for (LuaValue k : t.keys()) {
                        t.rawset(k, LuaValue.NIL);
                    }
                    contents(t, (Image.Table) image.data[i], image, o);
                }
                default -> { }
            }
        }
        for (int i = 0; i < n; i++) {
            if (image.kinds[i] == TABLE || image.kinds[i] == LIBTABLE) {
                int mt = ((Image.Table) image.data[i]).metatable();
                if (mt >= 0 || image.kinds[i] == LIBTABLE) {
                    LuaValue m = value(image, o, mt);
                    if (!m.isnil() && !m.istable()) {
                        throw new ImageException("image: a metatable that is not a table");
                    }
                    o[i].setmetatable(m.isnil() ? null : m);
                }
            }
        }
        LuaValue[] shared = new LuaValue[6];
        for (int i = 0; i < 6; i++) {
            LuaValue m = value(image, o, image.sharedMetatables[i]);
            if (!m.isnil() && !m.istable()) {
                throw new ImageException("image: a shared metatable that is not a table");
            }
            shared[i] = m.isnil() ? null : m;
        }
        SharedMetatables.install(shared);
        if (image.application >= 0) {
            registry.setApplication((LuaThread) o[image.application]);
        }
        registry.setUser(image.user);
        for (Registry.Address a : image.addresses) {
            registry.addAddress(a);
        }
        if (random != null) {
            random.restore(image.randomState);
        }
    }

    private static LuaValue library(Libraries.Path path, LuaValue[] roots) throws ImageException {
        LuaValue v = Libraries.resolve(path, roots);
        if (v == null) {
            throw new ImageException("image: the library object " + path + " does not exist in this state"
                    + " (were the workers' settings, kraken.sandbox, the same?)");
        }
        return v;
    }

    private static void contents(LuaTable t, Image.Table rec, Image image, LuaValue[] o) {
        int[] a = rec.array();
        for (int k = 0; k < a.length; k++) {
            if (a[k] != -1) {
                t.rawset(k + 1, value(image, o, a[k]));
            }
        }
        int[] kv = rec.pairs();
        for (int k = 0; k < kv.length; k += 2) {
            t.rawset(value(image, o, kv[k]), value(image, o, kv[k + 1]));
        }
    }

    private static LuaValue value(Image image, LuaValue[] o, int code) {
        return code < 0 ? image.constant(code) : o[code];
    }
}
