/*
 * Load client for the protocol of the program every user writes (docs/lua-api.md), only ever to 127.0.0.1.
 *
 * Each connection: connect, read ">", send "hi\n", read until the server closes, check the
 * reply is exactly "Ok\n\r\n". Latency is measured from just before connect() to the close.
 * Every run is bounded: at most -n connections, no new connection after -d seconds, each
 * connection at most -t seconds, and the whole process exits at the hard deadline -T.
 *
 *   client -p PORT [-n N] [-c C] [-d SECONDS] [-t SECONDS] [-T SECONDS] [-o LATENCY_FILE]
 *   client -p PORT -H -n N -s STATUS_FILE [-w SECONDS] [-W SECONDS] [-T SECONDS]
 *
 * Load mode prints one line of key=value pairs:
 *   ok= errors= unfinished= elapsed_s= conn_s= p50_ms= p99_ms= max_ms= client_cpu_ms= err_connect= ...
 * Hold mode (-H) opens N connections at once, waits (at most -w seconds, and at most -W seconds
 * without a new prompt: default 15) until each got ">",
 * writes "held K N" to STATUS_FILE, waits for SIGUSR1 (or the deadline), then finishes every
 * held connection and prints the same line (latencies there are not meaningful).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_IDLE, ST_BUSY, ST_OK, ST_ERR };
enum { E_CONNECT, E_TIMEOUT, E_RESET, E_PROMPT, E_REPLY, E_OTHER, E_KINDS };
static const char *err_names[E_KINDS] = {"connect", "timeout", "reset", "prompt", "reply", "other"};

static const char REPLY[] = "Ok\n\r\n";

static int port;
static long total = 1000;
static int concurrency = 1;
static double duration_s = 0, conn_timeout_s = 10, hard_s = 60, hold_wait_s = 60, stall_s = 15;
static const char *latency_file, *status_file;
static int hold_mode;

static double start_t, stop_new_t, hard_t;
static atomic_long next_index;
static atomic_int threads_done;
static atomic_long err_count[E_KINDS];
static double *latency_ms;
static atomic_char *state;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *msg) {
    fprintf(stderr, "client: %s\n", msg);
    exit(2);
}

static void set_timeouts(int fd, double seconds) {
    if (seconds < 0.001) seconds = 0.001;
    struct timeval tv = {(time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int classify(int e) {
    if (e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT || e == EINPROGRESS) return E_TIMEOUT;
    if (e == ECONNRESET || e == EPIPE) return E_RESET;
    return E_OTHER;
}

/* Opens a socket to 127.0.0.1:port; returns the fd, or -1 with *kind set. */
static int open_conn(double timeout_s, int *kind) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { *kind = E_CONNECT; return -1; }
    set_timeouts(fd, timeout_s);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        *kind = (errno == EINPROGRESS || errno == EAGAIN) ? E_TIMEOUT : E_CONNECT;
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads the prompt: exactly one byte, ">". Returns 0 or an error kind + 1. */
static int read_prompt(int fd) {
    char c;
    ssize_t r;
    do r = read(fd, &c, 1); while (r < 0 && errno == EINTR);
    if (r < 0) return classify(errno) + 1;
    if (r == 0 || c != '>') return E_PROMPT + 1;
    return 0;
}

/* Sends the line, reads until end of stream, checks the reply. Returns 0 or an error kind + 1. */
static int finish_conn(int fd) {
    static const char line[] = "hi\n";
    size_t sent = 0;
    while (sent < sizeof line - 1) {
        ssize_t w = send(fd, line + sent, sizeof line - 1 - sent, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return classify(errno) + 1;
        }
        sent += (size_t)w;
    }
    char buf[64];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, buf + got, sizeof buf - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return classify(errno) + 1;
        }
        if (r == 0) break;
        got += (size_t)r;
        if (got == sizeof buf) return E_REPLY + 1;
    }
    if (got != sizeof REPLY - 1 || memcmp(buf, REPLY, got) != 0) return E_REPLY + 1;
    return 0;
}

static void one_connection(long i) {
    double t0 = now();
    double budget = conn_timeout_s;
    if (hard_t - t0 < budget) budget = hard_t - t0;
    int kind = 0;
    int fd = open_conn(budget, &kind);
    int rc = fd < 0 ? kind + 1 : read_prompt(fd);
    if (rc == 0) rc = finish_conn(fd);
    if (fd >= 0) close(fd);
    if (rc == 0) {
        latency_ms[i] = (now() - t0) * 1e3;
        atomic_store(&state[i], ST_OK);
    } else {
        atomic_fetch_add(&err_count[rc - 1], 1);
        atomic_store(&state[i], ST_ERR);
    }
}

static void *load_thread(void *unused) {
    (void)unused;
    for (;;) {
        long i = atomic_fetch_add(&next_index, 1);
        if (i >= total) break;
        double t = now();
        if (t >= stop_new_t || t >= hard_t) break;
        atomic_store(&state[i], ST_BUSY);
        one_connection(i);
    }
    atomic_fetch_add(&threads_done, 1);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, long n, double p) {
    if (n == 0) return NAN;
    long k = (long)ceil(p * n) - 1;
    if (k < 0) k = 0;
    if (k >= n) k = n - 1;
    return sorted[k];
}

static void report(double elapsed, long held) {
    long ok = 0, busy = 0, errs = 0;
    double *lat = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
    if (!lat) die("out of memory");
    for (long i = 0; i < total; i++) {
        int s = atomic_load(&state[i]);
        if (s == ST_OK) lat[ok++] = latency_ms[i];
        else if (s == ST_BUSY) busy++;
    }
    for (int k = 0; k < E_KINDS; k++) errs += atomic_load(&err_count[k]);
    if (latency_file && !hold_mode) {
        FILE *f = fopen(latency_file, "w");
        if (!f) die("cannot write the latency file");
        for (long i = 0; i < ok; i++) fprintf(f, "%.4f\n", lat[i]);
        fclose(f);
    }
    qsort(lat, (size_t)ok, sizeof(double), cmp_double);
    printf("ok=%ld errors=%ld unfinished=%ld elapsed_s=%.4f conn_s=%.2f p50_ms=%.4f p99_ms=%.4f max_ms=%.4f",
           ok, errs, busy, elapsed, elapsed > 0 ? ok / elapsed : 0.0, percentile(lat, ok, 0.50),
           percentile(lat, ok, 0.99), ok ? lat[ok - 1] : NAN);
    if (held >= 0) printf(" held=%ld", held);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf(" client_cpu_ms=%.1f", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                                      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
    for (int k = 0; k < E_KINDS; k++) printf(" err_%s=%ld", err_names[k], atomic_load(&err_count[k]));
    printf("\n");
    fflush(stdout);
    free(lat);
}

static int run_load(void) {
    pthread_t *th = calloc((size_t)concurrency, sizeof(pthread_t));
    if (!th) die("out of memory");
    int started = 0;
    for (int i = 0; i < concurrency; i++) {
        if (pthread_create(&th[i], NULL, load_thread, NULL) != 0) break;
        pthread_detach(th[i]);
        started++;
    }
    if (started == 0) die("cannot start threads");
    /* Threads stop themselves before the hard deadline thanks to their socket timeouts; this
     * wait is what guarantees it regardless. */
    struct timespec tick = {0, 1000000};
    while (atomic_load(&threads_done) < started && now() < hard_t) nanosleep(&tick, NULL);
    report(now() - start_t, -1);
    fflush(stdout);
    _exit(0);
}

static void write_status(long held) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", status_file);
    FILE *f = fopen(tmp, "w");
    if (!f) die("cannot write the status file");
    fprintf(f, "held %ld %ld\n", held, total);
    fclose(f);
    if (rename(tmp, status_file) != 0) die("cannot rename the status file");
}

static int run_hold(void) {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);

    int *fds = malloc(sizeof(int) * (size_t)total);
    struct pollfd *pfd = malloc(sizeof(struct pollfd) * (size_t)total);
    if (!fds || !pfd) die("out of memory");
    for (long i = 0; i < total; i++) {
        int kind = 0;
        fds[i] = open_conn(hard_t - now(), &kind);
        if (fds[i] < 0) {
            atomic_fetch_add(&err_count[kind], 1);
            atomic_store(&state[i], ST_ERR);
        } else {
            atomic_store(&state[i], ST_BUSY);
        }
    }
    /* Wait for every prompt, without blocking on any one connection. */
    double prompt_deadline = now() + hold_wait_s;
    if (prompt_deadline > hard_t) prompt_deadline = hard_t;
    long held = 0, waiting;
    char *prompted = calloc((size_t)total, 1);
    if (!prompted) die("out of memory");
    double last_progress = now();
    for (;;) {
        waiting = 0;
        for (long i = 0; i < total; i++) {
            if (fds[i] >= 0 && !prompted[i]) {
                pfd[waiting].fd = fds[i];
                pfd[waiting].events = POLLIN;
                pfd[waiting].revents = 0;
                waiting++;
            }
        }
        double left = prompt_deadline - now();
        /* A server that caps its concurrency below N would keep us waiting for nothing. */
        if (now() - last_progress > stall_s && left > 0) break;
        if (left > stall_s) left = stall_s;
        if (waiting == 0 || left <= 0) break;
        int n = poll(pfd, (nfds_t)waiting, (int)(left * 1e3) + 1);
        if (n < 0 && errno != EINTR) die("poll failed");
        for (long j = 0; j < waiting && n > 0; j++) {
            if (!pfd[j].revents) continue;
            for (long i = 0; i < total; i++) {
                if (fds[i] != pfd[j].fd) continue;
                int rc = read_prompt(fds[i]);
                if (rc == 0) {
                    prompted[i] = 1;
                    held++;
                    last_progress = now();
                } else {
                    atomic_fetch_add(&err_count[rc - 1], 1);
                    atomic_store(&state[i], ST_ERR);
                    close(fds[i]);
                    fds[i] = -1;
                }
                break;
            }
        }
    }
    write_status(held);
    double left = hard_t - now();
    if (left > 0) {
        struct timespec ts = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
        sigtimedwait(&usr1, NULL, &ts);
    }
    for (long i = 0; i < total; i++) {
        if (fds[i] < 0) continue;
        int rc = 0;
        if (!prompted[i]) {
            set_timeouts(fds[i], 1.0);
            rc = read_prompt(fds[i]);
        }
        set_timeouts(fds[i], hard_t - now());
        if (rc == 0) rc = finish_conn(fds[i]);
        close(fds[i]);
        if (rc == 0) {
            latency_ms[i] = 0;
            atomic_store(&state[i], ST_OK);
        } else {
            atomic_fetch_add(&err_count[rc - 1], 1);
            atomic_store(&state[i], ST_ERR);
        }
    }
    report(now() - start_t, held);
    return 0;
}

static double arg_double(const char *s, const char *what) {
    char *end;
    double v = strtod(s, &end);
    if (*s == 0 || *end != 0 || !(v >= 0)) {
        fprintf(stderr, "client: bad %s: %s\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    int opt;
    while ((opt = getopt(argc, argv, "p:n:c:d:t:T:o:s:w:W:H")) != -1) {
        switch (opt) {
        case 'p': port = (int)arg_double(optarg, "port"); break;
        case 'n': total = (long)arg_double(optarg, "count"); break;
        case 'c': concurrency = (int)arg_double(optarg, "concurrency"); break;
        case 'd': duration_s = arg_double(optarg, "duration"); break;
        case 't': conn_timeout_s = arg_double(optarg, "timeout"); break;
        case 'T': hard_s = arg_double(optarg, "deadline"); break;
        case 'o': latency_file = optarg; break;
        case 's': status_file = optarg; break;
        case 'w': hold_wait_s = arg_double(optarg, "hold wait"); break;
        case 'W': stall_s = arg_double(optarg, "stall limit"); break;
        case 'H': hold_mode = 1; break;
        default:
            fprintf(stderr, "usage: client -p PORT [-n N] [-c C] [-d S] [-t S] [-T S] [-o FILE] | -H -n N -s FILE [-w S] [-W S]\n");
            return 2;
        }
    }
    if (port < 1 || port > 65535) die("-p PORT (1..65535) is required");
    if (total < 1 || total > 10000000) die("-n must be 1..10000000");
    if (concurrency < 1 || concurrency > 1024) die("-c must be 1..1024");
    if (hard_s <= 0 || hard_s > 3600) die("-T must be in (0, 3600]");
    if (hold_mode && !status_file) die("-H needs -s STATUS_FILE");
    if (hold_mode && total > 10000) die("-H holds at most 10000 connections");
    latency_ms = calloc((size_t)total, sizeof(double));
    state = calloc((size_t)total, sizeof(atomic_char));
    if (!latency_ms || !state) die("out of memory");
    signal(SIGPIPE, SIG_IGN);
    start_t = now();
    hard_t = start_t + hard_s;
    stop_new_t = duration_s > 0 ? start_t + duration_s : hard_t;
    return hold_mode ? run_hold() : run_load();
}
