package kraken.lua.runtime;

import java.io.IOException;
import org.luaj.vm2.lib.jse.JseIoLib;

/** LuaJ's io library, with every file it opens recorded in {@link ConnectionResources}. */
final class TrackedIoLib extends JseIoLib {
    @Override
    protected File openFile(String filename, boolean readMode, boolean appendMode, boolean updateMode,
            boolean binaryMode) throws IOException {
        return tracked(super.openFile(filename, readMode, appendMode, updateMode, binaryMode));
    }

    @Override
    protected File openProgram(String prog, String mode) throws IOException {
        return tracked(super.openProgram(prog, mode));
    }

    @Override
    protected File tmpFile() throws IOException {
        return tracked(super.tmpFile());
    }

    private File tracked(File f) {
        ConnectionResources.track(new CloseFile(f));
        return f;
    }

    private static final class CloseFile implements Runnable {
        private final File file;

        CloseFile(File file) {
            this.file = file;
        }

        @Override
        public void run() {
            try {
                if (!file.isclosed()) {
                    file.close();
                }
            } catch (IOException e) {
                // Closed as far as it can be; the worker's descriptor census decides the rest.
            }
        }
    }
}
