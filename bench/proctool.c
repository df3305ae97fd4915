/*
 * Measuring helper for bench/run.sh: reads /proc exactly, so the shell does not parse it.
 *
 *   proctool cpu PID        tree_ms=  root_ms=  procs=   CPU of PID's whole process tree:
 *                           utime+stime+cutime+cstime of PID and of every live descendant;
 *                           root_ms is utime+stime of PID alone
 *   proctool pss PID        tree_kb=  root_kb=  procs=   PSS (smaps_rollup) of the tree
 *   proctool list PID       one line per descendant: pid ppid comm pss_kb
 *   proctool cmdline PID    PID's command line, arguments joined by spaces
 *   proctool freeport       a TCP port free on 127.0.0.1 at this moment
 *   proctool time CMD ARGS  runs CMD, prints wall_ms= cpu_ms= rc= (CPU from wait4's rusage)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct proc {
    int pid, ppid;
    char comm[64];
    unsigned long long utime, stime, cutime, cstime;
};

static struct proc *procs;
static int nprocs, cap;

static int read_stat(int pid, struct proc *p) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    if (!open || !close || close < open) return -1;
    size_t len = (size_t)(close - open - 1);
    if (len >= sizeof p->comm) len = sizeof p->comm - 1;
    memcpy(p->comm, open + 1, len);
    p->comm[len] = 0;
    p->pid = pid;
    /* Fields after the command name: state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime ... */
    char state;
    long long skip;
    int got = sscanf(close + 2, "%c %d %lld %lld %lld %lld %lld %lld %lld %lld %lld %llu %llu %llu %llu",
                     &state, &p->ppid, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip,
                     &p->utime, &p->stime, &p->cutime, &p->cstime);
    return got == 15 ? 0 : -1;
}

static void scan(void) {
    DIR *d = opendir("/proc");
    if (!d) { perror("proctool: /proc"); exit(2); }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        if (nprocs == cap) {
            cap = cap ? cap * 2 : 1024;
            procs = realloc(procs, sizeof *procs * (size_t)cap);
            if (!procs) exit(2);
        }
        if (read_stat(atoi(e->d_name), &procs[nprocs]) == 0) nprocs++;
    }
    closedir(d);
}

/* Marks PID and its descendants; returns how many. in_tree[i] set for procs[i]. */
static int mark_tree(int root, char *in_tree) {
    int count = 0, changed = 1;
    for (int i = 0; i < nprocs; i++) {
        in_tree[i] = procs[i].pid == root;
        count += in_tree[i];
    }
    if (!count) return 0;
    while (changed) {
        changed = 0;
        for (int i = 0; i < nprocs; i++) {
            if (in_tree[i]) continue;
            for (int j = 0; j < nprocs; j++) {
                if (in_tree[j] && procs[j].pid == procs[i].ppid) {
                    in_tree[i] = 1;
                    count++;
                    changed = 1;
                    break;
                }
            }
        }
    }
    return count;
}

static long pss_kb(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Pss:", 4) == 0) {
            kb = strtol(line + 4, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static int tree_or_die(int root, char **in_tree) {
    scan();
    *in_tree = calloc((size_t)nprocs + 1, 1);
    if (!*in_tree) exit(2);
    int n = mark_tree(root, *in_tree);
    if (!n) {
        fprintf(stderr, "proctool: no process %d\n", root);
        exit(1);
    }
    return n;
}

static int cmd_cpu(int root) {
    char *in_tree;
    int n = tree_or_die(root, &in_tree);
    double ms_per_tick = 1000.0 / (double)sysconf(_SC_CLK_TCK);
    unsigned long long tree = 0, self = 0;
    for (int i = 0; i < nprocs; i++) {
        if (!in_tree[i]) continue;
        struct proc *p = &procs[i];
        tree += p->utime + p->stime + p->cutime + p->cstime;
        if (p->pid == root) self = p->utime + p->stime;
    }
    printf("tree_ms=%.0f root_ms=%.0f procs=%d\n", tree * ms_per_tick, self * ms_per_tick, n);
    return 0;
}

static int cmd_pss(int root) {
    char *in_tree;
    int n = tree_or_die(root, &in_tree);
    long tree = 0, self = 0;
    for (int i = 0; i < nprocs; i++) {
        if (!in_tree[i]) continue;
        long kb = pss_kb(procs[i].pid);
        if (kb < 0) continue;
        tree += kb;
        if (procs[i].pid == root) self = kb;
    }
    printf("tree_kb=%ld root_kb=%ld procs=%d\n", tree, self, n);
    return 0;
}

static int cmd_list(int root) {
    char *in_tree;
    tree_or_die(root, &in_tree);
    for (int i = 0; i < nprocs; i++) {
        if (in_tree[i] && procs[i].pid != root)
            printf("%d %d %s %ld\n", procs[i].pid, procs[i].ppid, procs[i].comm, pss_kb(procs[i].pid));
    }
    return 0;
}

static int cmd_freeport(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
        perror("proctool: freeport");
        return 1;
    }
    printf("%d\n", ntohs(sa.sin_port));
    close(fd);
    return 0;
}

static int cmd_cmdline(int pid) {
    char path[64], buf[65536];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    FILE *f = fopen(path, "r");
    if (!f) { perror("proctool: cmdline"); return 1; }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    for (size_t i = 0; i + 1 < n; i++) if (buf[i] == 0) buf[i] = ' ';
    buf[n] = 0;
    printf("%s\n", buf);
    return 0;
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_time(char **argv) {
    double t0 = mono();
    pid_t pid = fork();
    if (pid < 0) { perror("proctool: fork"); return 1; }
    if (pid == 0) {
        execvp(argv[0], argv);
        perror("proctool: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) { perror("proctool: wait4"); return 1; }
    double wall = (mono() - t0) * 1e3;
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    printf("wall_ms=%.1f cpu_ms=%.1f rc=%d\n", wall, cpu, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "cpu") == 0) return cmd_cpu(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "pss") == 0) return cmd_pss(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "list") == 0) return cmd_list(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "cmdline") == 0) return cmd_cmdline(atoi(argv[2]));
    if (argc >= 2 && strcmp(argv[1], "freeport") == 0) return cmd_freeport();
    if (argc >= 3 && strcmp(argv[1], "time") == 0) return cmd_time(argv + 2);
    fprintf(stderr, "usage: proctool cpu|pss|list|cmdline PID | freeport | time CMD [ARGS]\n");
    return 2;
}
