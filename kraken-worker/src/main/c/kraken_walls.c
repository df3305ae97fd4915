/*
 * Walls around a worker (docs/walls.md, "Walls around a worker"): the JNI half of
 * kraken.posix.master.Walls (natives declared in MasterNatives). Compiled into libkraken.so
 * with kraken_posix.c.
 *
 * A worker JVM is walled in from its first instruction, not from Java: namespaces made with
 * unshare(2) from a running JVM would cover only the calling thread for some kinds and race
 * with the dozen threads HotSpot has started, and a seccomp filter installed from Java covers
 * only the threads that exist (TSYNC aside) after the JVM already ran code. So the master spawns
 * a worker through a child of its own making (clone with CLONE_VM | CLONE_VFORK, as glibc's
 * posix_spawn does) that, between clone and execve, builds every wall in a fixed order:
 *
 *   1. default signal dispositions, a session of its own        (as posix_spawn did before)
 *   2. network "none":   a network namespace of its own (only a loopback that is down)
 *   3. files "read-only": a mount namespace of its own; every mount in it read-only and private
 *                        (one mount_setattr(2) with AT_RECURSIVE); a fresh tmpfs on /tmp that
 *                        the kernel frees with the namespace
 *   4. the descriptors the worker gets, everything else closed
 *   5. no_new_privs, then the seccomp filter: inherited by every thread the JVM starts and by
 *      every program the worker executes, and impossible to remove
 *   6. execve of the JVM
 *
 * The child shares the master's memory and runs on a stack of its own while the calling thread
 * waits: it makes system calls only (no malloc, no locks). The seccomp program is therefore
 * compiled beforehand, in the master, by libseccomp (walls_prepare), and the child only hands the
 * finished BPF to the kernel. A step that fails is reported back through shared memory with its
 * errno, so the master's message names the wall.
 */
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#define WFN(name) Java_kraken_posix_master_MasterNatives_##name

/* Which walls a spawn builds; the same bits as Walls.NETWORK, FILES and PROBE in Java. */
#define WALL_NETWORK 1
#define WALL_FILES 2
/* Build the walls, then exit 0 instead of executing anything: the master's check at start. */
#define WALL_PROBE 4

/* The step that failed, in the order of Walls.STEPS in Java. */
enum wall_step {
    STEP_NONE, STEP_SIGNALS, STEP_SESSION, STEP_NETNS, STEP_MOUNTNS, STEP_READONLY, STEP_TMP,
    STEP_DESCRIPTORS, STEP_NO_NEW_PRIVS, STEP_SECCOMP, STEP_EXEC
};

/* ---- the system-call filter ---- */

/*
 * What fails with EPERM (docs section 10): namespaces, mounts, root changes, tracing and other
 * processes' memory, BPF, performance events, userfaultfd, the kernel keyring, module and kexec
 * loading, file handles (which walk around mount and path checks), io_uring (a second system-call
 * interface that seccomp does not see), swap, reboot, accounting, quotas and the clock. The new
 * mount API sits with mount. A worker has no capability for most of these already; the filter
 * holds even where a kernel bug or a user namespace would have given one.
 */
static const int denied[] = {
    SCMP_SYS(unshare), SCMP_SYS(setns),
    SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
    SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(move_mount),
    SCMP_SYS(open_tree), SCMP_SYS(mount_setattr),
    SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
    SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
    SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
    SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
    SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
    SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
    SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
    SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(reboot), SCMP_SYS(acct),
    SCMP_SYS(quotactl), SCMP_SYS(quotactl_fd),
    SCMP_SYS(settimeofday), SCMP_SYS(clock_settime), SCMP_SYS(adjtimex), SCMP_SYS(clock_adjtime),
};

/*
 * clone(2)'s flags are its first argument on this architecture; a rule per flag, since
 * libseccomp compares one masked value at a time. CLONE_NEWTIME is left out: in clone's flags
 * its bit belongs to the exit signal (CSIGNAL), and clone3 is refused whole anyway.
 */
static const unsigned long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

static struct sock_filter *filter_code;
static unsigned short filter_len;

/*
 * Compiles the filter for this machine's architecture with libseccomp, once, and keeps the BPF
 * for every spawn. Other architectures' system calls (i386 through int 0x80, x32 on x86-64) kill
 * the process (SIGSYS): a filter written for one table of numbers must not be read with another.
 * clone3 passes its flags in memory that seccomp cannot read, so it fails with ENOSYS, which
 * makes glibc (pthread_create, posix_spawn) fall back to clone, whose flags the filter sees:
 * the same answer systemd and container runtimes give. Returns 0 or -errno; *what names what
 * failed: -1 the filter's attributes, -2 its export, otherwise the system call whose rule it was.
 */
static int build_filter(int *what) {
    *what = -1;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) return -ENOMEM;
    /* libseccomp accepts KILL_PROCESS only when its probe of the kernel succeeds, which a
     * filter around the master (systemd's) can prevent; killing the thread is the fallback. */
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (r != 0) r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL);
    for (size_t i = 0; r == 0 && i < sizeof denied / sizeof denied[0]; i++) {
        *what = denied[i];
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
    }
    for (size_t i = 0; r == 0 && i < sizeof namespace_flags / sizeof namespace_flags[0]; i++) {
        *what = SCMP_SYS(clone);
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
    }
    if (r == 0) {
        *what = SCMP_SYS(clone3);
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    }
    if (r != 0) {
        seccomp_release(ctx);
        return r < 0 ? r : -EINVAL;
    }
    /* libseccomp 2.5 exports to a descriptor only: a memory file, read back. */
    *what = -2;
    int fd = (int) syscall(SYS_memfd_create, "kraken-seccomp", MFD_CLOEXEC);
    if (fd < 0) { r = -errno; seccomp_release(ctx); return r; }
    r = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    off_t size = r == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (r == 0 && (size <= 0 || size % (off_t) sizeof(struct sock_filter) != 0
            || size / (off_t) sizeof(struct sock_filter) > BPF_MAXINSNS)) r = -EINVAL;
    struct sock_filter *code = r == 0 ? malloc((size_t) size) : NULL;
    if (r == 0 && code == NULL) r = -ENOMEM;
    if (r == 0 && pread(fd, code, (size_t) size, 0) != size) r = errno ? -errno : -EIO;
    close(fd);
    if (r != 0) { free(code); return r < 0 ? r : -EINVAL; }
    filter_code = code;
    filter_len = (unsigned short) (size / (off_t) sizeof(struct sock_filter));
    return 0;
}

/*
 * Builds the filter once (the master calls it at start, under its lock). On failure, what[0]
 * gets the text of what failed ("seccomp_attr_set", "seccomp_rule_add(keyctl)").
 */
JNIEXPORT jint JNICALL WFN(wallsPrepare0)(JNIEnv *env, jclass c, jobjectArray what) {
    (void) c;
    if (filter_code != NULL) return 0;
    int step = 0;
    int r = build_filter(&step);
    if (r < 0) {
        char text[96];
        if (step == -1) {
            snprintf(text, sizeof text, "seccomp_attr_set(bad architecture)");
        } else if (step == -2) {
            snprintf(text, sizeof text, "seccomp_export_bpf");
        } else {
            char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, step);
            snprintf(text, sizeof text, "seccomp_rule_add(%s)", name != NULL ? name : "?");
            free(name);
        }
        (*env)->SetObjectArrayElement(env, what, 0, (*env)->NewStringUTF(env, text));
    }
    return r;
}

/* How many BPF instructions the filter has (for the master's log); -EINVAL before prepare. */
JNIEXPORT jint JNICALL WFN(wallsFilterLength0)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return filter_code == NULL ? -EINVAL : filter_len;
}

/* ---- the spawn child ---- */

struct walled_spawn {
    const char *path;
    char **argv;
    char **envp;
    const int *map;
    int nmap;
    int walls;
    const char *tmp_options;
    /* Written by the child, read by the parent once the child has exec'd or exited. */
    volatile int failed_step;
    volatile int failed_errno;
};

/* The kernel's struct sigaction for rt_sigaction(2), without glibc's wrapper. */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static int fail(struct walled_spawn *s, int step) {
    s->failed_errno = errno;
    s->failed_step = step;
    return 127;
}

static int walled_child(void *arg) {
    struct walled_spawn *s = arg;
    /* The master's handlers live in its memory, which this child shares: none may run here. */
    struct kernel_sigaction dfl = { .handler = SIG_DFL };
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8) < 0 && errno != EINVAL) return fail(s, STEP_SIGNALS);
    }
    /* A session of its own: no terminal signal reaches a worker, nor can it feed the master's terminal. */
    if (setsid() < 0) return fail(s, STEP_SESSION);
    if ((s->walls & WALL_NETWORK) && unshare(CLONE_NEWNET) < 0) return fail(s, STEP_NETNS);
    if (s->walls & WALL_FILES) {
        if (unshare(CLONE_NEWNS) < 0) return fail(s, STEP_MOUNTNS);
        /* Private first, in the same call: nothing mounted here may propagate to the host, and
         * nothing the host mounts later appears here writable. */
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE };
        if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) < 0) {
            return fail(s, STEP_READONLY);
        }
        if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, s->tmp_options) < 0) {
            return fail(s, STEP_TMP);
        }
    }
    if (!(s->walls & WALL_PROBE)) {
        int highest = 2;
        for (int i = 0; i + 1 < s->nmap; i += 2) {
            int to = s->map[i], from = s->map[i + 1];
            if (to == from) {
                /* dup2 onto itself keeps close-on-exec: clear it instead. */
                if (fcntl(from, F_SETFD, 0) < 0) return fail(s, STEP_DESCRIPTORS);
            } else if (dup2(from, to) < 0) {
                return fail(s, STEP_DESCRIPTORS);
            }
            if (to > highest) highest = to;
        }
        if (syscall(SYS_close_range, highest + 1, ~0U, 0) < 0) return fail(s, STEP_DESCRIPTORS);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(s, STEP_NO_NEW_PRIVS);
    struct sock_fprog prog = { .len = filter_len, .filter = filter_code };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) return fail(s, STEP_SECCOMP);
    if (s->walls & WALL_PROBE) return 0;
    /* An empty signal mask: the parent blocked everything around clone. */
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    execve(s->path, s->argv, s->envp);
    return fail(s, STEP_EXEC);
}

static void free_cstrings(char **v) {
    if (v == NULL) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

/* A Java String[] as a NULL-terminated, malloc'd C array (NULL when memory ran out). */
static char **to_cstrings(JNIEnv *env, jobjectArray arr) {
    jsize n = (*env)->GetArrayLength(env, arr);
    char **out = calloc((size_t) n + 1, sizeof *out);
    if (out == NULL) return NULL;
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring) (*env)->GetObjectArrayElement(env, arr, i);
        const char *u = (*env)->GetStringUTFChars(env, s, NULL);
        out[i] = strdup(u);
        (*env)->ReleaseStringUTFChars(env, s, u);
        (*env)->DeleteLocalRef(env, s);
        if (out[i] == NULL) {
            free_cstrings(out);
            return NULL;
        }
    }
    return out;
}

/*
 * Starts path with argv and envp inside the walls; fdMap as for spawn0 (pairs of child fd,
 * parent fd). With WALL_PROBE nothing is executed: the child builds the walls and exits, and
 * this waits for it. Returns the pid (0 for a probe that succeeded) or -errno; failure[0] gets
 * the step that failed, failure[1] its errno. The filter must have been prepared.
 */
JNIEXPORT jint JNICALL WFN(spawnWalled0)(JNIEnv *env, jclass c, jstring path, jobjectArray argv, jobjectArray envp,
                                         jintArray fdMap, jint walls, jstring tmpOptions, jintArray failure) {
    (void) c;
    if (filter_code == NULL) return -EINVAL;
    jint map[64];
    jsize nmap = (*env)->GetArrayLength(env, fdMap);
    if (nmap > 64) nmap = 64;
    (*env)->GetIntArrayRegion(env, fdMap, 0, nmap, map);
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    const char *tmp = (*env)->GetStringUTFChars(env, tmpOptions, NULL);
    struct walled_spawn s = {
        .path = p, .argv = to_cstrings(env, argv), .envp = to_cstrings(env, envp),
        .map = (const int *) map, .nmap = nmap, .walls = walls, .tmp_options = tmp,
    };
    size_t stack_size = 256 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    int result;
    if (s.argv == NULL || s.envp == NULL || stack == MAP_FAILED) {
        result = -ENOMEM;
    } else {
        sigset_t all, old;
        sigfillset(&all);
        /* No signal may run a handler in the child before it has reset them all. */
        pthread_sigmask(SIG_BLOCK, &all, &old);
        /* A probe exits with no signal to its parent: waitpid(-1) elsewhere in the master (the
         * orphan reaper) never sees it, and only the __WCLONE wait below collects it. */
        int exit_signal = (walls & WALL_PROBE) ? 0 : SIGCHLD;
        pid_t pid = clone(walled_child, (char *) stack + stack_size, CLONE_VM | CLONE_VFORK | exit_signal, &s);
        int clone_errno = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (pid < 0) {
            result = -clone_errno;
        } else if (s.failed_step != STEP_NONE) {
            /* The child exited after a failed step; reap it here, its status says nothing more. */
            int st;
            while (waitpid(pid, &st, (walls & WALL_PROBE) ? __WCLONE : 0) < 0 && errno == EINTR) {}
            result = -(s.failed_errno != 0 ? s.failed_errno : EIO);
        } else if (walls & WALL_PROBE) {
            int st = 0, r;
            do { r = waitpid(pid, &st, __WCLONE); } while (r < 0 && errno == EINTR);
            result = r < 0 ? -errno : (WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO);
        } else {
            result = pid;
        }
    }
    jint f[2] = { s.failed_step, s.failed_errno };
    (*env)->SetIntArrayRegion(env, failure, 0, 2, f);
    if (stack != MAP_FAILED) munmap(stack, stack_size);
    free_cstrings(s.argv);
    free_cstrings(s.envp);
    (*env)->ReleaseStringUTFChars(env, tmpOptions, tmp);
    (*env)->ReleaseStringUTFChars(env, path, p);
    return result;
}
