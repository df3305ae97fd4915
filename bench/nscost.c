/*
 * What building the confine walls costs a worker's start, apart from the noise of a JVM's:
 * N children each make the namespaces a worker gets (kraken_walls.c's steps: a network
 * namespace; a mount namespace made read-only and private by one recursive mount_setattr, and a
 * tmpfs on /tmp), then exit; prints the children's CPU per child (wait4's rusage), against
 * children that make none. The kernel tears a network namespace down later, in its kworker
 * threads, where no process's CPU shows it: not counted here (kworkers come and go with their
 * counts, so their share cannot be read back reliably). Needs root.
 *   nscost N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static double run(int n, int net, int files) {
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            if (net && unshare(CLONE_NEWNET) < 0) _exit(1);
            if (files) {
                struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE };
                if (unshare(CLONE_NEWNS) < 0
                        || syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) < 0
                        || mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m,nr_inodes=16384") < 0) {
                    _exit(1);
                }
            }
            _exit(0);
        }
        int st;
        waitpid(p, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "nscost: a child failed\n"); exit(1); }
    }
    getrusage(RUSAGE_CHILDREN, &after);
    double us = (after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1e6
            + (after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec - before.ru_stime.tv_usec);
    return us / n / 1000.0;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 500;
    double none = run(n, 0, 0), net = run(n, 1, 0), files = run(n, 0, 1), both = run(n, 1, 1);
    printf("none_ms=%.3f net_ms=%.3f files_ms=%.3f both_ms=%.3f\n", none, net, files, both);
    return 0;
}
