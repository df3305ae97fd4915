package kraken.lua.sockets;

import kraken.lua.module.Addresses;
import kraken.lua.module.Registry;
import kraken.lua.runtime.Args;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The methods of socket objects, one nested class each, named as in Lua. Arguments are
 * numbered as in a method call: in {@code s:rawsend(x)}, x is argument #1.
 */
final class SocketMethods {
    private SocketMethods() {}

    /**
     * One metatable for every socket in the JVM. It is protected (getmetatable returns
     * "socket"), so no script can change it and pass the change to the next Lua state.
     */
    static final LuaTable METATABLE = metatable();

    private static LuaTable metatable() {
        LuaTable methods = new LuaTable();
        for (Method m : new Method[] {
            new accept(), new bind(), new close(), new connect(), new getoption(), new setoption(),
            new getip(), new getport(), new gettimeout(), new settimeout(), new listen(),
            new rawrecv(), new rawsend(), new receive(), new send(),
        }) {
            methods.set(m.name(), m);
        }
        LuaTable mt = new LuaTable();
        mt.set(LuaValue.INDEX, methods);
        mt.set(LuaValue.METATABLE, LuaValue.valueOf("socket"));
        return mt;
    }

    /** A method: checks its self, then runs with the arguments after self. */
    abstract static class Method extends VarArgFunction {
        Method() {
            // getName, not getSimpleName: the latter parses class attributes, at every worker start.
            String n = getClass().getName();
            name = n.substring(n.lastIndexOf('$') + 1);
        }

        @Override
        public Varargs invoke(Varargs args) {
            if (!(args.arg1() instanceof LuaSocket s)) {
                throw new LuaError("calling '" + name + "' on bad self (socket expected, got "
                        + Args.typeName(args, 1) + ")");
            }
            return run(s, args.subargs(2));
        }

        abstract Varargs run(LuaSocket s, Varargs args);
    }

    static final class accept extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.accept();
        }
    }

    static final class bind extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            LuaTable t = Args.checkTable(args, 1, name);
            try {
                Registry.Address a = Addresses.parse(t, 0);
                return s.bind(a.host(), a.port());
            } catch (IllegalArgumentException e) {
                return varargsOf(NIL, valueOf(e.getMessage()));
            }
        }
    }

    static final class close extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.close();
        }
    }

    /** Not in the contract (docs/lua-api.md): connect(host, port), so that a script can be its own client. */
    static final class connect extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            String host = Args.checkString(args, 1, name).tojstring();
            int port = Args.checkInt(args, 2, name);
            if (port < 0 || port > 65535) {
                return varargsOf(NIL, valueOf("port must be an integer from 0 to 65535, got " + port));
            }
            return s.connect(host, port);
        }
    }

    static final class getoption extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.getOption(Args.checkInt(args, 1, name));
        }
    }

    static final class setoption extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            int option = Args.checkInt(args, 1, name);
            LuaValue value = args.arg(2);
            if (!value.isboolean() && value.type() != TNUMBER) {
                throw Args.typeError(args, 2, name, "boolean");
            }
            return s.setOption(option, value);
        }
    }

    static final class getip extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.localAddress(false);
        }
    }

    static final class getport extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.localAddress(true);
        }
    }

    static final class gettimeout extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.getTimeout();
        }
    }

    static final class settimeout extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.setTimeout(Args.checkNumber(args, 1, name));
        }
    }

    static final class listen extends Method {
        static final int DEFAULT_BACKLOG = 128;

        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.listen(Args.optInt(args, 1, name, DEFAULT_BACKLOG));
        }
    }

    static final class rawrecv extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            double n = Args.checkNumber(args, 1, name);
            if (!(n >= 1 && n == Math.floor(n))) {
                throw Args.error(1, name, "positive integer expected, got " + args.arg(1).tojstring());
            }
            return s.rawrecv(n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n);
        }
    }

    /** A string, or an integer 0..255 for that one byte. */
    static final class rawsend extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            LuaValue data = args.arg(1);
            if (data.type() == TNUMBER) {
                double b = data.todouble();
                if (!(b >= 0 && b <= 255 && b == Math.floor(b))) {
                    throw Args.error(1, name, "string or integer 0..255 expected, got " + data.tojstring());
                }
                return s.rawsend(new byte[] {(byte) b}, 0, 1);
            }
            if (data.type() != TSTRING) {
                throw Args.typeError(args, 1, name, "string");
            }
            var str = data.checkstring();
            return s.rawsend(str.m_bytes, str.m_offset, str.m_length);
        }
    }

    static final class receive extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.receive();
        }
    }

    static final class send extends Method {
        @Override
        Varargs run(LuaSocket s, Varargs args) {
            return s.send(Args.checkString(args, 1, name));
        }
    }
}
