/*
 * What the workers' system-call filter costs a program: runs CMD under the very filter a live
 * worker has (copied from it with PTRACE_SECCOMP_GET_FILTER, so nothing here restates the rules)
 * or under none, and prints wall_ms= cpu_ms= rc= as proctool time does. Needs root.
 *   filtertime WORKER_PID CMD [ARGS]   CMD under WORKER_PID's filter
 *   filtertime 0 CMD [ARGS]            CMD with no filter (the same fork and exec)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: filtertime WORKER_PID|0 CMD [ARGS]\n");
        return 2;
    }
    pid_t from = (pid_t) atoi(argv[1]);
    struct sock_filter *code = NULL;
    long len = 0;
    if (from > 0) {
        /* Seize and interrupt: the filter can be read only from a stopped tracee. */
        if (ptrace(PTRACE_SEIZE, from, NULL, NULL) < 0) { perror("filtertime: PTRACE_SEIZE"); return 1; }
        ptrace(PTRACE_INTERRUPT, from, NULL, NULL);
        int st;
        waitpid(from, &st, __WALL);
        len = ptrace(PTRACE_SECCOMP_GET_FILTER, from, (void *) 0, NULL);
        if (len > 0) {
            code = calloc((size_t) len, sizeof *code);
            if (ptrace(PTRACE_SECCOMP_GET_FILTER, from, (void *) 0, code) != len) len = -1;
        }
        int err = errno;
        ptrace(PTRACE_DETACH, from, NULL, NULL);
        if (len <= 0) { errno = err; perror("filtertime: PTRACE_SECCOMP_GET_FILTER"); return 1; }
    }
    double t0 = mono();
    pid_t pid = fork();
    if (pid < 0) { perror("filtertime: fork"); return 1; }
    if (pid == 0) {
        if (code != NULL) {
            struct sock_fprog prog = { .len = (unsigned short) len, .filter = code };
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
                    || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
                perror("filtertime: seccomp");
                _exit(126);
            }
        } else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            _exit(126);
        }
        execvp(argv[2], argv + 2);
        perror("filtertime: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) { perror("filtertime: wait4"); return 1; }
    double wall = (mono() - t0) * 1e3;
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    printf("wall_ms=%.1f cpu_ms=%.1f rc=%d insns=%ld\n", wall, cpu, WIFEXITED(status) ? WEXITSTATUS(status) : 128, len);
    return 0;
}
