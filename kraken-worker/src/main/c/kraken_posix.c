/*
 * The JNI half of kraken.posix.Natives and kraken.posix.master.MasterNatives: the only native
 * code in Kraken.
 *
 * Every function returns a non-negative result or -errno; Natives.java (MasterNatives.java) turns a
 * negative result into a PosixException, so errno never reaches other code.
 * Calls that can block retry on EINTR here, because the JVM delivers its own
 * signals to arbitrary threads. Every descriptor is created close-on-exec.
 *
 * Sections follow the Java facades: support, sockets, descriptors and passing them, this
 * process, users and privileges; then what only the master calls (event polling, processes).
 * The walls a worker is spawned into are in kraken_walls.c.
 */
#include <jni.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <time.h>

#define FN(name) Java_kraken_posix_Natives_##name
#define MFN(name) Java_kraken_posix_master_MasterNatives_##name
#define RET(expr) do { int r_; do { r_ = (expr); } while (r_ < 0 && errno == EINTR); return r_ < 0 ? -errno : r_; } while (0)

/* ==== support: errors, platform constants, socket addresses ==== */

JNIEXPORT jstring JNICALL FN(strerror0)(JNIEnv *env, jclass c, jint err) {
    (void) c;
    char buf[256];
    /* GNU strerror_r may return a static string instead of filling buf. */
    const char *s = strerror_r(err, buf, sizeof buf);
    return (*env)->NewStringUTF(env, s);
}

/* The platform's numbers for the names Posix.java needs, in the order of its Constant enum. */
JNIEXPORT jintArray JNICALL FN(constants0)(JNIEnv *env, jclass c) {
    (void) c;
    static const jint values[] = {
        EAGAIN, EWOULDBLOCK, EINTR, EPIPE, ECONNRESET, EBADF, ECHILD, ENOMEM, ETIMEDOUT, ENOTCONN,
        SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO, SO_LINGER, SO_REUSEADDR, SO_ERROR,
        SOCK_STREAM, SOCK_SEQPACKET, AF_INET, AF_INET6, AF_UNIX,
        POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL,
        SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD,
        RLIMIT_CPU, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE,
        IPPROTO_IPV6, IPV6_V6ONLY, SIGXCPU,
        EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP,
        SOCK_DGRAM, SO_TYPE, SO_ACCEPTCONN, MSG_PEEK, MSG_DONTWAIT, ECONNREFUSED, ENOENT, EADDRINUSE,
    };
    jsize n = (jsize) (sizeof values / sizeof values[0]);
    jintArray out = (*env)->NewIntArray(env, n);
    (*env)->SetIntArrayRegion(env, out, 0, n, values);
    return out;
}

/* Fills a sockaddr from 4 or 16 address bytes; returns its length or -EAFNOSUPPORT. */
static socklen_t to_sockaddr(JNIEnv *env, jbyteArray addr, jint port, struct sockaddr_storage *ss) {
    jsize n = (*env)->GetArrayLength(env, addr);
    memset(ss, 0, sizeof *ss);
    if (n == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *) ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((unsigned short) port);
        (*env)->GetByteArrayRegion(env, addr, 0, 4, (jbyte *) &in->sin_addr);
        return sizeof *in;
    }
    if (n == 16) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((unsigned short) port);
        (*env)->GetByteArrayRegion(env, addr, 0, 16, (jbyte *) &in6->sin6_addr);
        return sizeof *in6;
    }
    return 0;
}

/*
 * Copies an address out: addr gets 4 or 16 bytes (IP) or the sun_path bytes (AF_UNIX, a leading
 * NUL for an abstract name); info[0] their count, info[1] the port, info[2] the family.
 */
static void from_sockaddr(JNIEnv *env, const struct sockaddr_storage *ss, socklen_t len, jbyteArray addr, jintArray info) {
    jint out[3] = {0, 0, ss->ss_family};
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) ss;
        (*env)->SetByteArrayRegion(env, addr, 0, 4, (const jbyte *) &in->sin_addr);
        out[0] = 4;
        out[1] = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) ss;
        (*env)->SetByteArrayRegion(env, addr, 0, 16, (const jbyte *) &in6->sin6_addr);
        out[0] = 16;
        out[1] = ntohs(in6->sin6_port);
    } else if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *) ss;
        size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
        if (n > sizeof un->sun_path) n = sizeof un->sun_path;
        /* A path name may come with its terminating NUL; an abstract name is counted exactly. */
        if (n > 0 && un->sun_path[0] != 0) n = strnlen(un->sun_path, n);
        (*env)->SetByteArrayRegion(env, addr, 0, (jsize) n, (const jbyte *) un->sun_path);
        out[0] = (jint) n;
    }
    (*env)->SetIntArrayRegion(env, info, 0, 3, out);
}

/* Fills a sockaddr_un from path bytes (a leading NUL: an abstract name); returns its length or 0. */
static socklen_t to_sockaddr_un(JNIEnv *env, jbyteArray path, struct sockaddr_un *un) {
    jsize n = (*env)->GetArrayLength(env, path);
    memset(un, 0, sizeof *un);
    if (n <= 0 || n >= (jsize) sizeof un->sun_path) return 0;
    un->sun_family = AF_UNIX;
    (*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *) un->sun_path);
    /* A path name is NUL-terminated; an abstract name is exactly its bytes. */
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + (size_t) n + (un->sun_path[0] != 0 ? 1 : 0));
}

/* ==== sockets (kraken.posix.Sockets) ==== */

JNIEXPORT jint JNICALL FN(socket0)(JNIEnv *env, jclass c, jint domain, jint type, jint proto) {
    (void) env; (void) c;
    RET(socket(domain, type | SOCK_CLOEXEC, proto));
}

JNIEXPORT jint JNICALL FN(bind0)(JNIEnv *env, jclass c, jint fd, jbyteArray addr, jint port) {
    (void) c;
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(env, addr, port, &ss);
    if (len == 0) return -EAFNOSUPPORT;
    RET(bind(fd, (struct sockaddr *) &ss, len));
}

JNIEXPORT jint JNICALL FN(connect0)(JNIEnv *env, jclass c, jint fd, jbyteArray addr, jint port) {
    (void) c;
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(env, addr, port, &ss);
    if (len == 0) return -EAFNOSUPPORT;
    /* A connect interrupted by a signal continues in the background: wait for it with poll. */
    if (connect(fd, (struct sockaddr *) &ss, len) == 0) return 0;
    if (errno != EINTR) return -errno;
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    while (poll(&p, 1, -1) < 0) if (errno != EINTR) return -errno;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) return -errno;
    return -err;
}

JNIEXPORT jint JNICALL FN(bindUnix0)(JNIEnv *env, jclass c, jint fd, jbyteArray path) {
    (void) c;
    struct sockaddr_un un;
    socklen_t len = to_sockaddr_un(env, path, &un);
    if (len == 0) return -ENAMETOOLONG;
    RET(bind(fd, (struct sockaddr *) &un, len));
}

JNIEXPORT jint JNICALL FN(connectUnix0)(JNIEnv *env, jclass c, jint fd, jbyteArray path) {
    (void) c;
    struct sockaddr_un un;
    socklen_t len = to_sockaddr_un(env, path, &un);
    if (len == 0) return -ENAMETOOLONG;
    RET(connect(fd, (struct sockaddr *) &un, len));
}

/* One datagram to an AF_UNIX address, never blocking and never raising SIGPIPE (sd_notify). */
JNIEXPORT jint JNICALL FN(sendtoUnix0)(JNIEnv *env, jclass c, jint fd, jbyteArray data, jint len, jbyteArray path) {
    (void) c;
    char tmp[4096];
    if (len > (jint) sizeof tmp) return -EMSGSIZE;
    (*env)->GetByteArrayRegion(env, data, 0, len, (jbyte *) tmp);
    struct sockaddr_un un;
    socklen_t alen = to_sockaddr_un(env, path, &un);
    if (alen == 0) return -ENAMETOOLONG;
    ssize_t n;
    do { n = sendto(fd, tmp, (size_t) len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &un, alen); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (jint) n;
}

/* recv(2) with flags (MSG_PEEK, MSG_DONTWAIT): the PROXY header reader takes exactly the header. */
JNIEXPORT jint JNICALL FN(recvFlags0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off, jint len, jint flags) {
    (void) c;
    char tmp[4096];
    if (len > (jint) sizeof tmp) len = sizeof tmp;
    ssize_t n;
    do { n = recv(fd, tmp, (size_t) len, flags); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    (*env)->SetByteArrayRegion(env, buf, off, (jsize) n, (const jbyte *) tmp);
    return (jint) n;
}

JNIEXPORT jint JNICALL FN(listen0)(JNIEnv *env, jclass c, jint fd, jint backlog) {
    (void) env; (void) c;
    RET(listen(fd, backlog));
}

JNIEXPORT jint JNICALL FN(accept0)(JNIEnv *env, jclass c, jint fd, jbyteArray addr, jintArray info) {
    (void) c;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int r;
    do { r = accept4(fd, (struct sockaddr *) &ss, &len, SOCK_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    from_sockaddr(env, &ss, len, addr, info);
    return r;
}

static jint name_of(JNIEnv *env, jint fd, jbyteArray addr, jintArray info, int peer) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    int r = peer ? getpeername(fd, (struct sockaddr *) &ss, &len) : getsockname(fd, (struct sockaddr *) &ss, &len);
    if (r < 0) return -errno;
    from_sockaddr(env, &ss, len, addr, info);
    return 0;
}

JNIEXPORT jint JNICALL FN(getsockname0)(JNIEnv *env, jclass c, jint fd, jbyteArray addr, jintArray info) {
    (void) c;
    return name_of(env, fd, addr, info, 0);
}

JNIEXPORT jint JNICALL FN(getpeername0)(JNIEnv *env, jclass c, jint fd, jbyteArray addr, jintArray info) {
    (void) c;
    return name_of(env, fd, addr, info, 1);
}

JNIEXPORT jint JNICALL FN(recv0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off, jint len) {
    (void) c;
    char tmp[65536];
    if (len > (jint) sizeof tmp) len = sizeof tmp;
    ssize_t n;
    do { n = recv(fd, tmp, (size_t) len, 0); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    (*env)->SetByteArrayRegion(env, buf, off, (jsize) n, (const jbyte *) tmp);
    return (jint) n;
}

JNIEXPORT jint JNICALL FN(send0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint off, jint len) {
    (void) c;
    char tmp[65536];
    if (len > (jint) sizeof tmp) len = sizeof tmp;
    (*env)->GetByteArrayRegion(env, buf, off, len, (jbyte *) tmp);
    ssize_t n;
    /* MSG_NOSIGNAL: a peer that went away is an EPIPE for this call, not a SIGPIPE for the JVM. */
    do { n = send(fd, tmp, (size_t) len, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (jint) n;
}

JNIEXPORT jint JNICALL FN(setsockoptInt0)(JNIEnv *env, jclass c, jint fd, jint level, jint opt, jint value) {
    (void) env; (void) c;
    RET(setsockopt(fd, level, opt, &value, sizeof value));
}

JNIEXPORT jint JNICALL FN(getsockoptInt0)(JNIEnv *env, jclass c, jint fd, jint level, jint opt, jintArray out) {
    (void) c;
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, opt, &v, &len) < 0) return -errno;
    jint jv = v;
    (*env)->SetIntArrayRegion(env, out, 0, 1, &jv);
    return 0;
}

JNIEXPORT jint JNICALL FN(setLinger0)(JNIEnv *env, jclass c, jint fd, jboolean on, jint seconds) {
    (void) env; (void) c;
    struct linger l = { .l_onoff = on ? 1 : 0, .l_linger = seconds };
    RET(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
}

JNIEXPORT jint JNICALL FN(getLinger0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    struct linger l;
    socklen_t len = sizeof l;
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0) return -errno;
    return l.l_onoff ? 1 : 0;
}

JNIEXPORT jint JNICALL FN(setTimeout0)(JNIEnv *env, jclass c, jint fd, jint opt, jlong micros) {
    (void) env; (void) c;
    struct timeval tv = { .tv_sec = micros / 1000000, .tv_usec = micros % 1000000 };
    RET(setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv));
}

JNIEXPORT jlong JNICALL FN(getTimeout0)(JNIEnv *env, jclass c, jint fd, jint opt) {
    (void) env; (void) c;
    struct timeval tv;
    socklen_t len = sizeof tv;
    if (getsockopt(fd, SOL_SOCKET, opt, &tv, &len) < 0) return -errno;
    return (jlong) tv.tv_sec * 1000000 + tv.tv_usec;
}

JNIEXPORT jint JNICALL FN(setNonBlocking0)(JNIEnv *env, jclass c, jint fd, jboolean on) {
    (void) env; (void) c;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -errno;
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    RET(fcntl(fd, F_SETFL, flags));
}

#include <netinet/tcp.h>

/*
 * A listening TCP socket's accept queue, for the status page: out[0] the connections the kernel
 * completed that wait for accept(2), out[1] the backlog they may fill. For a socket in LISTEN,
 * Linux reports sk_ack_backlog as tcpi_unacked and sk_max_ack_backlog as tcpi_sacked: one call,
 * where /proc/net/tcp would mean reading every socket of the machine. -EINVAL when not listening.
 */
JNIEXPORT jint JNICALL FN(listenQueue0)(JNIEnv *env, jclass c, jint fd, jintArray out) {
    (void) c;
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return -errno;
    if (ti.tcpi_state != TCP_LISTEN) return -EINVAL;
    jint v[2] = { (jint) ti.tcpi_unacked, (jint) ti.tcpi_sacked };
    (*env)->SetIntArrayRegion(env, out, 0, 2, v);
    return 0;
}

/* ==== descriptors and passing them (kraken.posix.Descriptors) ==== */

JNIEXPORT jint JNICALL FN(close0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    /* close() must not be retried on EINTR on Linux: the descriptor is gone either way. */
    return close(fd) < 0 && errno != EINTR ? -errno : 0;
}

JNIEXPORT jint JNICALL FN(socketpair0)(JNIEnv *env, jclass c, jint type, jintArray out) {
    (void) c;
    int sv[2];
    if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) return -errno;
    jint jsv[2] = { sv[0], sv[1] };
    (*env)->SetIntArrayRegion(env, out, 0, 2, jsv);
    return 0;
}

JNIEXPORT jint JNICALL FN(sendmsg0)(JNIEnv *env, jclass c, jint fd, jbyteArray data, jint len, jint passFd) {
    (void) c;
    char tmp[65536];
    if (len > (jint) sizeof tmp) return -EMSGSIZE;
    (*env)->GetByteArrayRegion(env, data, 0, len, (jbyte *) tmp);
    struct iovec iov = { .iov_base = tmp, .iov_len = (size_t) len };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (passFd >= 0) {
        memset(&ctl, 0, sizeof ctl);
        msg.msg_control = ctl.buf;
        msg.msg_controllen = sizeof ctl.buf;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &passFd, sizeof(int));
    }
    ssize_t n;
    do { n = sendmsg(fd, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (jint) n;
}

/* Receives one message into buf; fdOut[0] gets a passed descriptor or -1. Returns the byte count. */
JNIEXPORT jint JNICALL FN(recvmsg0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jintArray fdOut) {
    (void) c;
    char tmp[65536];
    jsize cap = (*env)->GetArrayLength(env, buf);
    if (cap > (jsize) sizeof tmp) cap = sizeof tmp;
    struct iovec iov = { .iov_base = tmp, .iov_len = (size_t) cap };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * 4)]; } ctl;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    ssize_t n;
    do { n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    jint got = -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        int count = (int) ((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count; i++) {
            int f;
            memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
            /* Keep the first descriptor; any extra one a peer smuggled in is closed, never leaked. */
            if (got < 0) got = f; else close(f);
        }
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (got >= 0) close(got);
        return -EMSGSIZE;
    }
    (*env)->SetByteArrayRegion(env, buf, 0, (jsize) n, (const jbyte *) tmp);
    (*env)->SetIntArrayRegion(env, fdOut, 0, 1, &got);
    return (jint) n;
}

JNIEXPORT jint JNICALL FN(poll0)(JNIEnv *env, jclass c, jintArray fds, jshortArray events, jshortArray revents, jint count, jint timeoutMs) {
    (void) c;
    struct pollfd stack[64];
    struct pollfd *p = count <= 64 ? stack : malloc(sizeof *p * (size_t) count);
    if (p == NULL) return -ENOMEM;
    jint *f = (*env)->GetIntArrayElements(env, fds, NULL);
    jshort *e = (*env)->GetShortArrayElements(env, events, NULL);
    for (int i = 0; i < count; i++) { p[i].fd = f[i]; p[i].events = e[i]; p[i].revents = 0; }
    (*env)->ReleaseIntArrayElements(env, fds, f, JNI_ABORT);
    (*env)->ReleaseShortArrayElements(env, events, e, JNI_ABORT);
    /* An interrupted poll returns 0 ready descriptors: the caller's loop re-polls with a fresh deadline. */
    int r = poll(p, (nfds_t) count, timeoutMs);
    if (r < 0 && errno == EINTR) r = 0;
    if (r >= 0) {
        jshort *re = (*env)->GetShortArrayElements(env, revents, NULL);
        for (int i = 0; i < count; i++) re[i] = p[i].revents;
        (*env)->ReleaseShortArrayElements(env, revents, re, 0);
    }
    int err = errno;
    if (p != stack) free(p);
    return r < 0 ? -err : r;
}

/* A close-on-exec pipe; the read end is non-blocking, the write end too when nonBlockingWrite. */
JNIEXPORT jint JNICALL FN(pipe0)(JNIEnv *env, jclass c, jintArray out, jboolean nonBlockingWrite) {
    (void) c;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -errno;
    if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 || (nonBlockingWrite && fcntl(p[1], F_SETFL, O_NONBLOCK) < 0)) {
        int err = errno;
        close(p[0]);
        close(p[1]);
        return -err;
    }
    jint jp[2] = { p[0], p[1] };
    (*env)->SetIntArrayRegion(env, out, 0, 2, jp);
    return 0;
}

JNIEXPORT jint JNICALL FN(write0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint len) {
    (void) c;
    char tmp[4096];
    if (len > (jint) sizeof tmp) len = sizeof tmp;
    (*env)->GetByteArrayRegion(env, buf, 0, len, (jbyte *) tmp);
    RET((int) write(fd, tmp, (size_t) len));
}

JNIEXPORT jint JNICALL FN(read0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint len) {
    (void) c;
    char tmp[4096];
    if (len > (jint) sizeof tmp) len = sizeof tmp;
    ssize_t n;
    do { n = read(fd, tmp, (size_t) len); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    (*env)->SetByteArrayRegion(env, buf, 0, (jsize) n, (const jbyte *) tmp);
    return (jint) n;
}

/* Sets FD_CLOEXEC on a descriptor the master inherited (socket activation). */
JNIEXPORT jint JNICALL FN(setCloseOnExec0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -errno;
    RET(fcntl(fd, F_SETFD, flags | FD_CLOEXEC));
}

/* Whether fd is open (fcntl F_GETFD succeeds): 1 or 0. */
JNIEXPORT jint JNICALL FN(isOpen0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return fcntl(fd, F_GETFD) >= 0 ? 1 : 0;
}

/* ---- Sealed memory files: the state image (kraken.image) travels to a worker beside HELLO ----
 * A HELLO message is at most 64 KiB; the image can be megabytes. The master writes it once into a
 * memfd, seals it (no write, grow or shrink, no more seals), and passes the descriptor with every
 * HELLO; a worker checks the seals before it trusts the size and the bytes not to change under it.
 * The three natives below are this concern alone, kept together.
 */
#ifndef MFD_CLOEXEC
#include <sys/mman.h>
#endif
#include <linux/memfd.h>
#include <sys/stat.h>
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#define KRAKEN_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* A close-on-exec memfd holding data[0..len), sealed; the descriptor or -errno. */
JNIEXPORT jint JNICALL FN(sealedMemfd0)(JNIEnv *env, jclass c, jbyteArray name, jbyteArray data, jint len) {
    (void) c;
    char cname[64];
    jsize nlen = (*env)->GetArrayLength(env, name);
    if (nlen > (jsize) sizeof cname - 1) nlen = sizeof cname - 1;
    (*env)->GetByteArrayRegion(env, name, 0, nlen, (jbyte *) cname);
    cname[nlen] = 0;
    int fd = (int) syscall(SYS_memfd_create, cname, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -errno;
    jbyte *bytes = (*env)->GetByteArrayElements(env, data, NULL);
    if (bytes == NULL) { close(fd); return -ENOMEM; }
    jint done = 0;
    while (done < len) {
        ssize_t w = write(fd, bytes + done, (size_t) (len - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            (*env)->ReleaseByteArrayElements(env, data, bytes, JNI_ABORT);
            close(fd);
            return -err;
        }
        done += (jint) w;
    }
    (*env)->ReleaseByteArrayElements(env, data, bytes, JNI_ABORT);
    if (fcntl(fd, F_ADD_SEALS, KRAKEN_SEALS) < 0) { int err = errno; close(fd); return -err; }
    return fd;
}

/* The size of fd when it carries every seal above; -EPERM when a seal is missing, else -errno. */
JNIEXPORT jlong JNICALL FN(sealedSize0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0) return -errno;
    if ((seals & KRAKEN_SEALS) != KRAKEN_SEALS) return -EPERM;
    struct stat st;
    if (fstat(fd, &st) < 0) return -errno;
    return (jlong) st.st_size;
}

/* Reads len bytes at offset 0 of fd into buf (pread: the offset is nobody's state); bytes read or -errno. */
JNIEXPORT jint JNICALL FN(preadAll0)(JNIEnv *env, jclass c, jint fd, jbyteArray buf, jint len) {
    (void) c;
    jbyte *bytes = (*env)->GetByteArrayElements(env, buf, NULL);
    if (bytes == NULL) return -ENOMEM;
    jint done = 0;
    while (done < len) {
        ssize_t r = pread(fd, bytes + done, (size_t) (len - done), done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { int err = errno; (*env)->ReleaseByteArrayElements(env, buf, bytes, JNI_ABORT); return -err; }
        if (r == 0) break;
        done += (jint) r;
    }
    (*env)->ReleaseByteArrayElements(env, buf, bytes, 0);
    return done;
}

/* ==== this process (kraken.posix.ThisProcess) ==== */

JNIEXPORT jint JNICALL FN(getpid0)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return getpid();
}

JNIEXPORT jint JNICALL FN(isatty0)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return isatty(fd) ? 1 : 0;
}

JNIEXPORT jint JNICALL FN(setrlimit0)(JNIEnv *env, jclass c, jint resource, jlong soft, jlong hard) {
    (void) env; (void) c;
    struct rlimit rl = { .rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t) soft, .rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t) hard };
    RET(setrlimit(resource, &rl));
}

/* out gets {soft, hard}; -1 stands for RLIM_INFINITY. */
JNIEXPORT jint JNICALL FN(getrlimit0)(JNIEnv *env, jclass c, jint resource, jlongArray out) {
    (void) c;
    struct rlimit rl;
    if (getrlimit(resource, &rl) < 0) return -errno;
    jlong v[2] = { rl.rlim_cur == RLIM_INFINITY ? -1 : (jlong) rl.rlim_cur,
                   rl.rlim_max == RLIM_INFINITY ? -1 : (jlong) rl.rlim_max };
    (*env)->SetLongArrayRegion(env, out, 0, 2, v);
    return 0;
}

/* ids gets {process group, session} of the calling process. */
JNIEXPORT jint JNICALL FN(getpgsid0)(JNIEnv *env, jclass c, jintArray ids) {
    (void) c;
    pid_t pg = getpgid(0), sid = getsid(0);
    if (pg < 0 || sid < 0) return -errno;
    jint v[2] = { (jint) pg, (jint) sid };
    (*env)->SetIntArrayRegion(env, ids, 0, 2, v);
    return 0;
}

/* CPU time of the whole process (every thread), in nanoseconds. */
JNIEXPORT jlong JNICALL FN(processCpuNanos0)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) return -errno;
    return (jlong) ts.tv_sec * 1000000000L + ts.tv_nsec;
}

JNIEXPORT jint JNICALL FN(setParentDeathSignal0)(JNIEnv *env, jclass c, jint sig) {
    (void) env; (void) c;
    RET(prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0));
}

JNIEXPORT jint JNICALL FN(unsetenv0)(JNIEnv *env, jclass c, jstring name) {
    (void) c;
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    int r = unsetenv(n);
    int err = errno;
    (*env)->ReleaseStringUTFChars(env, name, n);
    return r < 0 ? -err : 0;
}

/* Leaves the process at once: no atexit handlers, no JVM shutdown (the master already has the outcome). */
JNIEXPORT void JNICALL FN(exitNow0)(JNIEnv *env, jclass c, jint status) {
    (void) env; (void) c;
    _exit(status);
}

/* ==== users and privileges (kraken.posix.Privileges) ==== */

JNIEXPORT jint JNICALL FN(setgroups0)(JNIEnv *env, jclass c, jintArray groups) {
    (void) c;
    jsize n = (*env)->GetArrayLength(env, groups);
    gid_t g[256];
    if (n > 256) return -EINVAL;
    jint tmp[256];
    (*env)->GetIntArrayRegion(env, groups, 0, n, tmp);
    for (jsize i = 0; i < n; i++) g[i] = (gid_t) tmp[i];
    RET(setgroups((size_t) n, g));
}

JNIEXPORT jint JNICALL FN(setgid0)(JNIEnv *env, jclass c, jint gid) {
    (void) env; (void) c;
    /* glibc applies set*id to every thread of the JVM, not only the calling one. */
    RET(setresgid((gid_t) gid, (gid_t) gid, (gid_t) gid));
}

JNIEXPORT jint JNICALL FN(setuid0)(JNIEnv *env, jclass c, jint uid) {
    (void) env; (void) c;
    RET(setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid));
}

/* ids gets {real, effective, saved} user ids then the same for groups. */
JNIEXPORT jint JNICALL FN(getresids0)(JNIEnv *env, jclass c, jintArray ids) {
    (void) c;
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0) return -errno;
    jint out[6] = { (jint) r, (jint) e, (jint) s, (jint) gr, (jint) ge, (jint) gs };
    (*env)->SetIntArrayRegion(env, ids, 0, 6, out);
    return 0;
}

JNIEXPORT jintArray JNICALL FN(getgroups0)(JNIEnv *env, jclass c) {
    (void) c;
    gid_t g[256];
    int n = getgroups(256, g);
    if (n < 0) return NULL;
    jintArray out = (*env)->NewIntArray(env, n);
    for (int i = 0; i < n; i++) { jint v = (jint) g[i]; (*env)->SetIntArrayRegion(env, out, i, 1, &v); }
    return out;
}

/* A user as {name, uid, gid, group ids...}, by name (or, when name is null, by uid); null if none. */
JNIEXPORT jobjectArray JNICALL FN(getpw0)(JNIEnv *env, jclass c, jstring name, jint uid) {
    (void) c;
    struct passwd pw, *res = NULL;
    char buf[16384];
    if (name != NULL) {
        const char *n = (*env)->GetStringUTFChars(env, name, NULL);
        getpwnam_r(n, &pw, buf, sizeof buf, &res);
        (*env)->ReleaseStringUTFChars(env, name, n);
    } else {
        getpwuid_r((uid_t) uid, &pw, buf, sizeof buf, &res);
    }
    if (res == NULL) return NULL;
    gid_t groups[256];
    int ng = 256;
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ng) < 0) ng = 256;
    jclass str = (*env)->FindClass(env, "java/lang/String");
    jobjectArray out = (*env)->NewObjectArray(env, 3 + ng, str, NULL);
    char num[32];
    (*env)->SetObjectArrayElement(env, out, 0, (*env)->NewStringUTF(env, pw.pw_name));
    snprintf(num, sizeof num, "%u", (unsigned) pw.pw_uid);
    (*env)->SetObjectArrayElement(env, out, 1, (*env)->NewStringUTF(env, num));
    snprintf(num, sizeof num, "%u", (unsigned) pw.pw_gid);
    (*env)->SetObjectArrayElement(env, out, 2, (*env)->NewStringUTF(env, num));
    for (int i = 0; i < ng; i++) {
        snprintf(num, sizeof num, "%u", (unsigned) groups[i]);
        (*env)->SetObjectArrayElement(env, out, 3 + i, (*env)->NewStringUTF(env, num));
    }
    return out;
}

/* ---- worker hardening (docs/hostile-input.md) ---- */

/* Returns prctl's answer for PR_GET_NO_NEW_PRIVS (0 or 1) or PR_GET_DUMPABLE (0, 1, 2). */
JNIEXPORT jint JNICALL FN(getPrctl0)(JNIEnv *env, jclass c, jint which) {
    (void) env; (void) c;
    RET(prctl(which == 0 ? PR_GET_NO_NEW_PRIVS : PR_GET_DUMPABLE, 0, 0, 0, 0));
}

JNIEXPORT jint JNICALL FN(setDumpable0)(JNIEnv *env, jclass c, jboolean on) {
    (void) env; (void) c;
    RET(prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0));
}

/*
 * no_new_privs and the capability sets are attributes of each thread, not of the process, and
 * a JVM has a dozen threads before any Java code runs (the launcher's first thread, which
 * /proc/PID/status shows, GC, JIT, reference handling...). So every thread hardens itself: the
 * calling one directly, every other one in a handler of HARDEN_SIGNAL that it is sent. Threads
 * started later inherit the attributes from the thread that creates them.
 */
#define HARDEN_SIGNAL (SIGRTMIN + 6)
static int harden_drop_bset;

static int harden_done;

static int harden_error;

/* Async-signal-safe: system calls only. Lowers the inheritable set without touching the
 * permitted and effective ones, which the coming setresuid still needs in every thread. */
static int harden_this_thread(void) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -errno;
    if (harden_drop_bset) {
        for (int cap = 0; cap < 64; cap++) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                if (errno == EINVAL && cap > 0) break; /* past the kernel's last capability */
                return -errno;
            }
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
    }
    struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) return -errno;
    d[0].inheritable = 0;
    d[1].inheritable = 0;
    if (syscall(SYS_capset, &h, d) < 0) return -errno;
    return 0;
}

static void harden_handler(int sig) {
    (void) sig;
    int saved = errno;
    int r = harden_this_thread();
    if (r < 0) __atomic_store_n(&harden_error, -r, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&harden_done, 1, __ATOMIC_SEQ_CST);
    errno = saved;
}

/* Whether /proc/self/task/TID/status shows the thread hardened. */
static int thread_hardened(const char *tid) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/self/task/%s/status", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 1 : 0; /* a thread that ended needs nothing */
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    if (strstr(buf, "NoNewPrivs:\t1\n") == NULL) return 0;
    if (strstr(buf, "CapInh:\t0000000000000000\n") == NULL) return 0;
    if (harden_drop_bset && strstr(buf, "CapBnd:\t0000000000000000\n") == NULL) return 0;
    return 1;
}

/*
 * Sets no_new_privs, empties the inheritable set and, when dropBset, the bounding and ambient
 * sets (this needs CAP_SETPCAP: call it before the uid switch) in every thread of the process.
 * Returns 0 once every thread is verified through /proc, or -errno.
 */
JNIEXPORT jint JNICALL FN(hardenAllThreads0)(JNIEnv *env, jclass c, jboolean dropBset) {
    (void) env; (void) c;
    harden_drop_bset = dropBset ? 1 : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = harden_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(HARDEN_SIGNAL, &sa, NULL) < 0) return -errno;
    int r = harden_this_thread();
    if (r < 0) return r;
    pid_t self = (pid_t) syscall(SYS_gettid);
    for (int pass = 0; pass < 10; pass++) {
        DIR *d = opendir("/proc/self/task");
        if (d == NULL) return -errno;
        int sent = 0, pending = 0;
        __atomic_store_n(&harden_done, 0, __ATOMIC_SEQ_CST);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            pid_t tid = (pid_t) atoi(e->d_name);
            if (tid == self || thread_hardened(e->d_name)) continue;
            pending++;
            if (syscall(SYS_tgkill, getpid(), tid, HARDEN_SIGNAL) == 0) sent++;
        }
        closedir(d);
        if (pending == 0) return 0;
        /* Wait up to 2 s for the handlers, then look again: a thread may have been started meanwhile. */
        for (int i = 0; i < 2000 && __atomic_load_n(&harden_done, __ATOMIC_SEQ_CST) < sent; i++) {
            struct timespec ms = { 0, 1000000 };
            nanosleep(&ms, NULL);
        }
        int err = __atomic_load_n(&harden_error, __ATOMIC_SEQ_CST);
        if (err != 0) return -err;
    }
    return -EAGAIN;
}

/* ==== master only: event polling (kraken.posix.master.Epoll) ==== */

JNIEXPORT jint JNICALL MFN(epollCreate0)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    RET(epoll_create1(EPOLL_CLOEXEC));
}

/* op is EPOLL_CTL_ADD (0), EPOLL_CTL_MOD (1) or EPOLL_CTL_DEL (2); data comes back with each event. */
JNIEXPORT jint JNICALL MFN(epollCtl0)(JNIEnv *env, jclass c, jint epfd, jint op, jint fd, jint events, jlong data) {
    (void) env; (void) c;
    static const int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
    if (op < 0 || op > 2) return -EINVAL;
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = (uint32_t) events;
    ev.data.u64 = (uint64_t) data;
    RET(epoll_ctl(epfd, ops[op], fd, &ev));
}

/* Waits for up to max events; data[i] and events[i] describe each. An interrupted wait returns 0. */
JNIEXPORT jint JNICALL MFN(epollWait0)(JNIEnv *env, jclass c, jint epfd, jlongArray data, jintArray events, jint max, jint timeoutMs) {
    (void) c;
    struct epoll_event stack[64];
    if (max > 64) max = 64;
    if (max <= 0) return -EINVAL;
    int r = epoll_wait(epfd, stack, max, timeoutMs);
    if (r < 0) return errno == EINTR ? 0 : -errno;
    jlong d[64];
    jint e[64];
    for (int i = 0; i < r; i++) { d[i] = (jlong) stack[i].data.u64; e[i] = (jint) stack[i].events; }
    (*env)->SetLongArrayRegion(env, data, 0, r, d);
    (*env)->SetIntArrayRegion(env, events, 0, r, e);
    return r;
}

/* ==== master only: processes (kraken.posix.master.Processes) ==== */

/* status[0] gets the raw wait status. Returns the pid, 0 when nohang and nothing exited. */
JNIEXPORT jint JNICALL MFN(waitpid0)(JNIEnv *env, jclass c, jint pid, jintArray status, jboolean nohang) {
    (void) c;
    int st = 0, r;
    do { r = waitpid(pid, &st, nohang ? WNOHANG : 0); } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    jint js = st;
    (*env)->SetIntArrayRegion(env, status, 0, 1, &js);
    return r;
}

JNIEXPORT jint JNICALL MFN(kill0)(JNIEnv *env, jclass c, jint pid, jint sig) {
    (void) env; (void) c;
    RET(kill(pid, sig));
}

JNIEXPORT jint JNICALL MFN(pidfdOpen0)(JNIEnv *env, jclass c, jint pid) {
    (void) env; (void) c;
    /* pidfd_open(2) descriptors are always close-on-exec. */
    RET((int) syscall(SYS_pidfd_open, pid, 0));
}

/*
 * Puts back the default action of a signal that was ignored when the process started (nohup,
 * a shell's background job): the JVM installs no handler for a signal it finds ignored.
 * Returns 1 when it was ignored, 0 when it was not.
 */
JNIEXPORT jint JNICALL MFN(unignoreSignal0)(JNIEnv *env, jclass c, jint sig) {
    (void) env; (void) c;
    struct sigaction old;
    if (sigaction(sig, NULL, &old) < 0) return -errno;
    if (old.sa_handler != SIG_IGN || (old.sa_flags & SA_SIGINFO)) return 0;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (sigaction(sig, &dfl, NULL) < 0) return -errno;
    return 1;
}

/*
 * Kills every process of uid, from a short-lived child that becomes that uid: kill(-1) then
 * reaches exactly the processes that uid may signal (its own), and the kernel walks the process
 * list under a lock, so a fork bomb of that uid cannot outrun it. kill(-1) succeeds even when
 * it was allowed to signal nothing, so whether anything is left is asked of the kernel's own
 * count of the uid's tasks: with RLIMIT_NPROC at 2 the child (one task of the uid) can create a
 * second only if it is the uid's sole task. Zombies and threads count, as they should.
 * The children share the master's memory (CLONE_VM | CLONE_VFORK: no copy of the JVM's page
 * tables) and make raw system calls only; the calling thread waits the microseconds they live.
 * Returns 0 when the uid has no process left, 1 when some remain (signalled, maybe still dying),
 * or -errno.
 */
static int probe_child(void *arg) {
    (void) arg;
    return 0;
}

struct kill_uid { int uid; char *probe_stack_top; };

static int kill_uid_child(void *arg) {
    struct kill_uid *k = arg;
    int uid = k->uid;
    if (syscall(SYS_setresgid, uid, uid, uid) < 0 || syscall(SYS_setresuid, uid, uid, uid) < 0) return 3;
    syscall(SYS_kill, -1, SIGKILL);
    struct rlimit rl = { .rlim_cur = 2, .rlim_max = 2 };
    if (syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &rl, NULL) < 0) return 4;
    int pid = clone(probe_child, k->probe_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    if (pid < 0) return errno == EAGAIN ? 1 : 2;
    int st;
    while (syscall(SYS_wait4, pid, &st, 0, NULL) < 0 && errno == EINTR) {}
    return 0;
}

JNIEXPORT jint JNICALL MFN(killUid0)(JNIEnv *env, jclass c, jint uid) {
    (void) env; (void) c;
    if (uid <= 0) return -EINVAL;
    size_t size = 64 * 1024;
    char *stack = malloc(2 * size);
    if (stack == NULL) return -ENOMEM;
    struct kill_uid k = { .uid = uid, .probe_stack_top = stack + size };
    int pid = clone(kill_uid_child, stack + 2 * size, CLONE_VM | CLONE_VFORK | SIGCHLD, &k);
    if (pid < 0) { int err = errno; free(stack); return -err; }
    int st = 0, r;
    do { r = waitpid(pid, &st, 0); } while (r < 0 && errno == EINTR);
    free(stack);
    if (r < 0) return -errno;
    if (!WIFEXITED(st)) return -ECHILD;
    switch (WEXITSTATUS(st)) {
        case 0: return 0;
        case 1: return 1;
        case 3: return -EPERM;
        default: return -EIO;
    }
}

/* Orphaned descendants (what a worker left running) are reparented to the master, which reaps them. */
JNIEXPORT jint JNICALL MFN(setChildSubreaper0)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    RET(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
}
