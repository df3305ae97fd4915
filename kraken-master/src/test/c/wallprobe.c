/*
 * What a hostile script's helper program would try against the walls around a worker
 * (WallsTest starts it from a connection's script through io.popen). Prints one line per
 * attempt: "name 0" when the call succeeded, "name ERRNO-NAME" when it failed, "name signal N"
 * when the kernel killed the attempt. Only calls that an unprivileged user may make on a stock
 * Debian kernel are worth trying: there the filter, not a missing capability, is what refuses.
 *   wallprobe syscalls            the system calls of docs section 10
 *   wallprobe connect PORT        a TCP connection to 127.0.0.1:PORT
 *   wallprobe write PATH          creates PATH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

static void report(const char *name, long r) {
    if (r >= 0) printf("%s 0\n", name);
    else printf("%s %s\n", name, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
    fflush(stdout);
}

/* Runs fn in a child; reports how the child ended (for calls that may kill it). */
static void in_child(const char *name, void (*fn)(void)) {
    pid_t p = fork();
    if (p == 0) { fn(); _exit(0); }
    int st;
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st)) printf("%s signal %d\n", name, WTERMSIG(st));
    else printf("%s exit %d\n", name, WEXITSTATUS(st));
    fflush(stdout);
}

static void i386_getpid(void) {
    /* The i386 entry point from a 64-bit process: another table of system-call numbers. */
    long r;
    __asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    _exit(r > 0 ? 0 : 3);
}

static void x32_getpid(void) {
    long r = syscall(0x40000000L | SYS_getpid);
    _exit(r > 0 ? 0 : 3);
}

static int child_fn(void *arg) { (void) arg; return 0; }

static void syscalls(void) {
    report("unshare-user", unshare(CLONE_NEWUSER));
    report("unshare-net", unshare(CLONE_NEWNET));
    int ns = open("/proc/self/ns/uts", O_RDONLY);
    report("setns", setns(ns, 0));
    close(ns);
    /* clone with a namespace flag (raw, as a program that bypasses glibc would) */
    long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
    if (c == 0) _exit(0);
    if (c > 0) waitpid((pid_t) c, NULL, 0);
    report("clone-newuser", c);
    struct clone_args { unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } ca;
    memset(&ca, 0, sizeof ca);
    ca.exit_signal = SIGCHLD;
    long c3 = syscall(SYS_clone3, &ca, sizeof ca);
    if (c3 == 0) _exit(0);
    if (c3 > 0) waitpid((pid_t) c3, NULL, 0);
    report("clone3", c3);
    /* An ordinary fork still works (what every shell does). */
    pid_t f = fork();
    if (f == 0) _exit(0);
    if (f > 0) waitpid(f, NULL, 0);
    report("fork", f);
    static char stack[65536];
    int cl = clone(child_fn, stack + sizeof stack, SIGCHLD, NULL);
    if (cl > 0) waitpid(cl, NULL, 0);
    report("clone-plain", cl);
    report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
    report("add_key", syscall(SYS_add_key, "user", "kraken-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
    report("request_key", syscall(SYS_request_key, "user", "kraken-probe", NULL, KEY_SPEC_PROCESS_KEYRING));
    /* ptrace of a sibling of the same user: a child it forks (dumpable, same uid). */
    pid_t t = fork();
    if (t == 0) { pause(); _exit(0); }
    report("ptrace-attach", ptrace(PTRACE_ATTACH, t, NULL, NULL));
    char buf[8], src[8] = "abcdefg";
    struct iovec local = { buf, sizeof buf }, remote = { src, sizeof src };
    report("process_vm_readv", syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0));
    kill(t, SIGKILL);
    waitpid(t, NULL, 0);
    union { char b[128]; } attr;
    memset(&attr, 0, sizeof attr);
    report("bpf", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, &attr, sizeof attr));
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_SOFTWARE;
    pe.size = sizeof pe;
    pe.config = PERF_COUNT_SW_TASK_CLOCK;
    pe.exclude_kernel = 1;
    pe.exclude_hv = 1;
    report("perf_event_open", syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
    report("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    struct io_uring_params up;
    memset(&up, 0, sizeof up);
    report("io_uring_setup", syscall(SYS_io_uring_setup, 4, &up));
    struct { unsigned int bytes; int type; unsigned char h[128]; } fh = { .bytes = 128 };
    int mount_id;
    report("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh, &mount_id, 0));
    report("mount", syscall(SYS_mount, "none", "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    report("chroot", chroot("/"));
    report("acct", syscall(SYS_acct, NULL));
    in_child("i386", i386_getpid);
    in_child("x32", x32_getpid);
    FILE *st = fopen("/proc/self/status", "r");
    char line[256];
    while (st && fgets(line, sizeof line, st)) {
        if (strncmp(line, "Seccomp:", 8) == 0) { printf("status %s", line); }
    }
    if (st) fclose(st);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "syscalls") == 0) {
        syscalls();
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "connect") == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short) atoi(argv[2])) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        report("connect", connect(s, (struct sockaddr *) &a, sizeof a));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "write") == 0) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
        report("write", fd >= 0 ? write(fd, "x\n", 2) : -1);
        return 0;
    }
    fprintf(stderr, "usage: wallprobe syscalls | connect PORT | write PATH\n");
    return 2;
}
