/*
 * A ceiling, not a contender: the protocol of the program every user writes (docs/lua-api.md) served by P preforked C processes
 * that accept on one shared listening socket and are reused for every connection. It shows what
 * the load client can measure on this machine (PERFORMANCE.md's "4 preforked C processes").
 *
 *   prefork-server PORT [PROCESSES]      listens on 127.0.0.1:PORT; TERM stops it and its children
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(int fd) {
    char buf[4096];
    size_t got = 0;
    if (send(fd, ">", 1, MSG_NOSIGNAL) != 1) return;
    for (;;) {  /* one line, as receive() reads it */
        ssize_t r = read(fd, buf + got, sizeof buf - got);
        if (r <= 0) return;
        got += (size_t)r;
        if (memchr(buf, '\n', got) || got == sizeof buf) break;
    }
    send(fd, "Ok\n\r\n", 5, MSG_NOSIGNAL);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: prefork-server PORT [PROCESSES]\n"); return 2; }
    int port = atoi(argv[1]), procs = argc > 2 ? atoi(argv[2]) : 4;
    if (port < 1 || port > 65535 || procs < 1 || procs > 64) { fprintf(stderr, "prefork-server: bad arguments\n"); return 2; }
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1024) < 0) { perror("prefork-server"); return 1; }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < procs; i++) {
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);  /* never outlive the parent */
            for (;;) {
                int fd = accept(ls, NULL, NULL);
                if (fd < 0) continue;
                serve(fd);
                close(fd);
            }
        }
    }
    signal(SIGTERM, SIG_DFL);
    while (wait(NULL) > 0) {}
    return 0;
}
