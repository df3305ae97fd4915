package kraken.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites a jar's classes as Java 8 class files, with stack-map frames computed by ASM.
 *
 * <p>Why: LuaJ 3.0.1 ships Java 1.3 class files (version 47). The JVM's class-data sharing
 * refuses classes older than Java 6, so every worker JVM would load and verify LuaJ's ~180
 * classes from scratch. Retargeted, they go into the worker's archive like our own. The code
 * itself is untouched: same bytecode, newer header, frames added.
 *
 * <p>Usage: RetargetJar IN.jar OUT.jar
 */
public final class RetargetJar {
    private RetargetJar() {}

    /** The entry a retargeted jar carries, so that a second run leaves it as it is. */
    static final String MARK = "META-INF/kraken-retargeted";

    public static void main(String[] args) throws IOException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (in.equals(out) && retargeted(in)) {
            // Left untouched, mtime and all: a class-data archive made from this jar checks the
            // jar's size and time at every JVM start, and would be refused after a rewrite (the
            // build makes one archive per JDK, each after this step).
            System.out.println(in.getFileName() + ": retargeted already; left as it is");
            return;
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        int rewritten = 0;
        int kept = 0;
        try (JarFile jar = new JarFile(in.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {in.toUri().toURL()});
             OutputStream os = Files.newOutputStream(tmp);
             JarOutputStream jos = new JarOutputStream(os)) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream is = jar.getInputStream(e)) {
                    bytes = is.readAllBytes();
                }
                if (e.getName().endsWith(".class")) {
                    try {
                        bytes = retarget(bytes, loader);
                        rewritten++;
                    } catch (TypeNotPresentException missing) {
                        // LuaJ's optional Lua-to-Java compiler needs BCEL, absent here; workers never load it.
                        kept++;
                    }
                }
                if (e.getName().equals(MARK)) {
                    continue;
                }
                JarEntry copy = new JarEntry(e.getName());
                copy.setTime(e.getTime());
                jos.putNextEntry(copy);
                jos.write(bytes);
                jos.closeEntry();
            }
            JarEntry mark = new JarEntry(MARK);
            jos.putNextEntry(mark);
            jos.write("LuaJ's classes rewritten as Java 8 class files by kraken.tools.RetargetJar\n".getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            jos.closeEntry();
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("retargeted " + rewritten + " classes of " + in.getFileName() + " to Java 8 ("
                + kept + " kept as they were)");
    }

    static boolean retargeted(Path jarPath) throws IOException {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            return jar.getEntry(MARK) != null;
        }
    }

    static byte[] retarget(byte[] classFile, ClassLoader loader) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            // Frames need common superclasses; resolve them against the jar itself.
            @Override
            protected ClassLoader getClassLoader() {
                return loader;
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                int v = Math.max(version & 0xffff, Opcodes.V1_8);
                super.visit(v, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }
}
