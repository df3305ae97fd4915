package kraken.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.master.LaunchPlan;
import kraken.posix.Fd;
import kraken.protocol.ScriptProtocol;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() in the script process: reports what the script registered, and how workers
 * rebuild its state, to the master, which checks it, binds and serves; returns the master's
 * result when its loop has ended (true, or nil and the message), and the script goes on.
 */
final class LinkLoop implements LoopHandler {
    private final Fd link;
    private final ProgramRecord record;
    /** The script's state, for the image of it taken at kraken.loop(). */
    private Globals globals;

    LinkLoop(Fd link, ProgramRecord record) {
        this.link = link;
        this.record = record;
    }

    void attach(Globals g) {
        this.globals = g;
    }

    @Override
    public Varargs loop(Registry registry) {
        LaunchPlan plan = record.plan();
        List<ScriptProtocol.Address> addresses = new ArrayList<>();
        for (Registry.Address a : registry.addresses()) {
            addresses.add(new ScriptProtocol.Address(a.host(), a.port(), a.path()));
        }
        ScriptProtocol.Loop report = new ScriptProtocol.Loop(addresses,
                registry.application() == null ? null : registry.application().tojstring(), registry.user(),
                plan.program(), plan.scriptName(), plan.argTable(), plan.argBase(),
                plan.scriptDir() == null ? null : plan.scriptDir().toString());
        // What the program printed so far comes before anything the workers print.
        System.out.flush();
        try {
            ScriptProtocol.sendLoop(link, report);
        } catch (IOException e) {
            return fail("kraken.loop: the program cannot be handed to the master: " + e.getMessage());
        }
        ScriptProtocol.Result r;
        try {
            r = ScriptProtocol.receiveResult(link);
        } catch (IOException e) {
            return fail("kraken.loop: " + e.getMessage());
        }
        if (r == null) {
            return fail("kraken.loop: the master is gone");
        }
        return r.ok() ? LuaValue.TRUE : fail(r.message());
    }

    private static Varargs fail(String message) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(message));
    }
}
