/*
 * The C peer of bench/fork-server.lua: the program every user writes (docs/lua-api.md), one fork() per
 * connection, as a plain C Unix server would serve it. The child sends ">", reads one line,
 * prints the two lines the program prints, sends "Ok\n\r\n" and exits; the parent reaps its
 * children with waitpid (so their CPU is charged to it) and never blocks on one.
 * Usage: fork-server PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(int c, const struct sockaddr_in *peer) {
    char line[4096];
    size_t n = 0;
    printf("Connection from %s:%d\n", inet_ntoa(peer->sin_addr), ntohs(peer->sin_port));
    if (write(c, ">", 1) != 1) return;
    while (n < sizeof line - 1) {
        ssize_t r = read(c, line + n, 1);
        if (r <= 0 || line[n] == '\n') break;
        n++;
    }
    line[n] = 0;
    if (n > 0 && line[n - 1] == '\r') line[n - 1] = 0;
    printf("Received: %s\n", line);
    fflush(stdout);
    (void) !write(c, "Ok\n\r\n", 5);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: fork-server PORT\n"); return 2; }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short) atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 1024) < 0) { perror("fork-server"); return 1; }
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (;;) {
        struct pollfd p = {s, POLLIN, 0};
        poll(&p, 1, 100); /* a short wait lets the loop reap children while no connection comes */
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        if (!(p.revents & POLLIN)) continue;
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int c = accept(s, (struct sockaddr *) &peer, &len);
        if (c < 0) continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(s);
            serve(c, &peer);
            close(c);
            _exit(0);
        }
        if (pid < 0) perror("fork-server: fork");
        close(c);
    }
}
