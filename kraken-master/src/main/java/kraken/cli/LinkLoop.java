package kraken.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import kraken.image.ImageException;
import kraken.image.ImageLimits;
import kraken.image.ImageWriter;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.master.LaunchPlan;
import kraken.posix.Fd;
import kraken.protocol.ScriptProtocol;
import kraken.settings.Settings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() in the script process: captures the state as the image every connection copies
 * (kraken.image) and reports it, with what the script registered, to the master, which checks it, binds and serves; returns the master's
 * result when its loop has ended (true, or nil and the message), and the script goes on.
 */
final class LinkLoop implements LoopHandler {
    private final Fd link;
    private final ProgramRecord record;
    private final Settings settings;
    /** The script's state, for the image of it taken at kraken.loop(). */
    private Globals globals;

    LinkLoop(Fd link, ProgramRecord record, Settings settings) {
        this.link = link;
        this.record = record;
        this.settings = settings;
    }

    void attach(Globals g) {
        this.globals = g;
    }

    @Override
    public Varargs loop(Registry registry) {
        if (registry.application() == null) {
            return fail("no application registered (call kraken.registerApplication first)");
        }
        byte[] image;
        try {
            image = ImageWriter.capture(globals, registry, ImageLimits.forHeap(settings));
        } catch (ImageException e) {
            return fail(e.getMessage());
        }
        List<ScriptProtocol.Address> addresses = new ArrayList<>();
        for (Registry.Address a : registry.addresses()) {
            addresses.add(new ScriptProtocol.Address(a.host(), a.port(), a.path()));
        }
        LaunchPlan plan = record.plan(image);
        ScriptProtocol.Loop report = new ScriptProtocol.Loop(addresses, registry.application().tojstring(),
                registry.user(), plan.scriptDir() == null ? null : plan.scriptDir().toString(), image.length);
        // What the program printed so far comes before anything the workers print.
        System.out.flush();
        try {
            ScriptProtocol.sendLoop(link, report, image);
        } catch (IOException e) {
            return fail("kraken.loop: the state cannot be handed to the master: " + e.getMessage());
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
