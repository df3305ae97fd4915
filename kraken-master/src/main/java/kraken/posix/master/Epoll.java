package kraken.posix.master;

import kraken.posix.PosixException;

/** epoll(7), which only the master's event loop uses. */
public final class Epoll {
    private Epoll() {}

    /** A new close-on-exec epoll instance. */
    public static int epollCreate() throws PosixException {
        return PosixException.check("epoll_create1", MasterNatives.epollCreate0());
    }

    /** Watches fd for events; data comes back with each of its events. */
    public static void epollAdd(int epfd, int fd, int events, long data) throws PosixException {
        PosixException.check("epoll_ctl", MasterNatives.epollCtl0(epfd, 0, fd, events, data));
    }

    public static void epollModify(int epfd, int fd, int events, long data) throws PosixException {
        PosixException.check("epoll_ctl", MasterNatives.epollCtl0(epfd, 1, fd, events, data));
    }

    public static void epollDelete(int epfd, int fd) throws PosixException {
        PosixException.check("epoll_ctl", MasterNatives.epollCtl0(epfd, 2, fd, 0, 0));
    }

    /**
     * Waits up to timeoutMs (-1: no limit) for at most min(max, 64) events; returns their count
     * (0 on timeout or a signal), each event's data in data[i] and its bits in events[i].
     */
    public static int epollWait(int epfd, long[] data, int[] events, int max, int timeoutMs) throws PosixException {
        return PosixException.check("epoll_wait", MasterNatives.epollWait0(epfd, data, events, max, timeoutMs));
    }
}
