package kraken.lua51;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Lua 5.1's pattern matcher (lstrlib.c's MatchState), over the bytes of a subject and a pattern.
 * LuaJ's own reads past the pattern's end on malformed patterns, inverts the frontier test (%f),
 * treats bytes above 127 as letters the way Java's Character does, and misses half of %p; 5.1 runs
 * in the C locale, where the classes are ASCII's.
 *
 * As in C, the pattern ends at its first NUL byte, and reading the subject at its end gives 0.
 */
final class PatternMatcher {
    static final int MAX_CAPTURES = 32;
    private static final int CAP_UNFINISHED = -1;
    private static final int CAP_POSITION = -2;
    private static final char ESC = '%';

    private final byte[] s;
    private final int sEnd;
    private final byte[] p;
    private final int pEnd;
    int level;
    private final int[] captureStart = new int[MAX_CAPTURES];
    private final int[] captureLen = new int[MAX_CAPTURES];

    PatternMatcher(byte[] subject, byte[] pattern) {
        this.s = subject;
        this.sEnd = subject.length;
        this.p = pattern;
        int end = 0;
        while (end < pattern.length && pattern[end] != 0) {
            end++;
        }
        this.pEnd = end;
    }

    /** The subject's byte at i, 0 at its end (C strings are NUL-terminated). */
    private int sc(int i) {
        return i < sEnd ? s[i] & 0xff : 0;
    }

    /** The pattern's byte at i, 0 at its end. */
    int pc(int i) {
        return i < pEnd ? p[i] & 0xff : 0;
    }

    /** Whether the pattern has none of the characters that make it more than plain text. */
    boolean plain() {
        for (int i = 0; i < pEnd; i++) {
            if ("^$*+?.([%-".indexOf(p[i]) >= 0) {
                return false;
            }
        }
        return true;
    }

    private int classEnd(int pi) {
        int c = pc(pi++);
        if (c == ESC) {
            if (pi >= pEnd) {
                throw new LuaError("malformed pattern (ends with '%')");
            }
            return pi + 1;
        }
        if (c == '[') {
            if (pc(pi) == '^') {
                pi++;
            }
            do {
                if (pi >= pEnd) {
                    throw new LuaError("malformed pattern (missing ']')");
                }
                if (pc(pi++) == ESC && pi < pEnd) {
                    pi++;
                }
            } while (pc(pi) != ']');
            return pi + 1;
        }
        return pi;
    }

    /** C's ctype classes in the C locale. */
    static boolean matchClass(int c, int cl) {
        boolean res;
        switch (Character.toLowerCase(cl)) {
            case 'a' -> res = isAlpha(c);
            case 'c' -> res = c < 32 || c == 127;
            case 'd' -> res = c >= '0' && c <= '9';
            case 'l' -> res = c >= 'a' && c <= 'z';
            case 'p' -> res = c > 32 && c < 127 && !isAlpha(c) && !(c >= '0' && c <= '9');
            case 's' -> res = c == ' ' || c >= 9 && c <= 13;
            case 'u' -> res = c >= 'A' && c <= 'Z';
            case 'w' -> res = isAlpha(c) || c >= '0' && c <= '9';
            case 'x' -> res = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            case 'z' -> res = c == 0;
            default -> {
                return cl == c;
            }
        }
        return Character.isLowerCase(cl) ? res : !res;
    }

    private static boolean isAlpha(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** @param pi the '[' of the class, @param ec its closing ']' */
    private boolean matchBracketClass(int c, int pi, int ec) {
        boolean sig = true;
        if (pc(pi + 1) == '^') {
            sig = false;
            pi++;
        }
        while (++pi < ec) {
            if (pc(pi) == ESC) {
                pi++;
                if (matchClass(c, pc(pi))) {
                    return sig;
                }
            } else if (pc(pi + 1) == '-' && pi + 2 < ec) {
                pi += 2;
                if (pc(pi - 2) <= c && c <= pc(pi)) {
                    return sig;
                }
            } else if (pc(pi) == c) {
                return sig;
            }
        }
        return !sig;
    }

    private boolean singleMatch(int c, int pi, int ep) {
        return switch (pc(pi)) {
            case '.' -> true;
            case ESC -> matchClass(c, pc(pi + 1));
            case '[' -> matchBracketClass(c, pi, ep - 1);
            default -> pc(pi) == c;
        };
    }

    /** Where a match of the pattern from pi at subject position si ends, or -1. */
    int match(int si, int pi) {
        while (true) {
            switch (pc(pi)) {
                case '(':
                    return pc(pi + 1) == ')' ? startCapture(si, pi + 2, CAP_POSITION) : startCapture(si, pi + 1, CAP_UNFINISHED);
                case ')':
                    return endCapture(si, pi + 1);
                case 0:
                    return si;
                case ESC:
                    if (pc(pi + 1) == 'b') {
                        si = matchBalance(si, pi + 2);
                        if (si < 0) {
                            return -1;
                        }
                        pi += 4;
                        continue;
                    }
                    if (pc(pi + 1) == 'f') {
                        pi += 2;
                        if (pc(pi) != '[') {
                            throw new LuaError("missing '[' after '%f' in pattern");
                        }
                        int ep = classEnd(pi);
                        int previous = si == 0 ? 0 : sc(si - 1);
                        if (matchBracketClass(previous, pi, ep - 1) || !matchBracketClass(sc(si), pi, ep - 1)) {
                            return -1;
                        }
                        pi = ep;
                        continue;
                    }
                    if (pc(pi + 1) >= '0' && pc(pi + 1) <= '9') {
                        si = matchCapture(si, pc(pi + 1));
                        if (si < 0) {
                            return -1;
                        }
                        pi += 2;
                        continue;
                    }
                    break;
                case '$':
                    if (pi + 1 == pEnd) {
                        return si == sEnd ? si : -1;
                    }
                    break;
                default:
                    break;
            }
            int ep = classEnd(pi);
            boolean m = si < sEnd && singleMatch(sc(si), pi, ep);
            switch (pc(ep)) {
                case '?' -> {
                    if (m) {
                        int res = match(si + 1, ep + 1);
                        if (res >= 0) {
                            return res;
                        }
                    }
                    pi = ep + 1;
                }
                case '*' -> {
                    return maxExpand(si, pi, ep);
                }
                case '+' -> {
                    return m ? maxExpand(si + 1, pi, ep) : -1;
                }
                case '-' -> {
                    return minExpand(si, pi, ep);
                }
                default -> {
                    if (!m) {
                        return -1;
                    }
                    si++;
                    pi = ep;
                }
            }
        }
    }

    private int maxExpand(int si, int pi, int ep) {
        int i = 0;
        while (si + i < sEnd && singleMatch(sc(si + i), pi, ep)) {
            i++;
        }
        for (; i >= 0; i--) {
            int res = match(si + i, ep + 1);
            if (res >= 0) {
                return res;
            }
        }
        return -1;
    }

    private int minExpand(int si, int pi, int ep) {
        while (true) {
            int res = match(si, ep + 1);
            if (res >= 0) {
                return res;
            }
            if (si < sEnd && singleMatch(sc(si), pi, ep)) {
                si++;
            } else {
                return -1;
            }
        }
    }

    private int startCapture(int si, int pi, int what) {
        if (level >= MAX_CAPTURES) {
            throw new LuaError("too many captures");
        }
        captureStart[level] = si;
        captureLen[level] = what;
        level++;
        int res = match(si, pi);
        if (res < 0) {
            level--;
        }
        return res;
    }

    private int endCapture(int si, int pi) {
        int l = captureToClose();
        captureLen[l] = si - captureStart[l];
        int res = match(si, pi);
        if (res < 0) {
            captureLen[l] = CAP_UNFINISHED;
        }
        return res;
    }

    private int captureToClose() {
        for (int l = level - 1; l >= 0; l--) {
            if (captureLen[l] == CAP_UNFINISHED) {
                return l;
            }
        }
        throw new LuaError("invalid pattern capture");
    }

    private int matchBalance(int si, int pi) {
        if (pi >= pEnd || pi + 1 >= pEnd) {
            throw new LuaError("unbalanced pattern");
        }
        if (sc(si) != pc(pi)) {
            return -1;
        }
        int b = pc(pi);
        int e = pc(pi + 1);
        int cont = 1;
        while (++si < sEnd) {
            int c = sc(si);
            if (c == e) {
                if (--cont == 0) {
                    return si + 1;
                }
            } else if (c == b) {
                cont++;
            }
        }
        return -1;
    }

    private int matchCapture(int si, int l) {
        l = checkCapture(l);
        int len = captureLen[l];
        if (len < 0 || sEnd - si < len) {
            return -1;
        }
        for (int i = 0; i < len; i++) {
            if (s[captureStart[l] + i] != s[si + i]) {
                return -1;
            }
        }
        return si + len;
    }

    private int checkCapture(int l) {
        l -= '1';
        if (l < 0 || l >= level || captureLen[l] == CAP_UNFINISHED) {
            throw new LuaError("invalid capture index");
        }
        return l;
    }

    /** The subject's bytes from start to end. */
    LuaString matched(int start, int end) {
        return LuaString.valueOf(s, start, end - start);
    }

    /** Capture i of a match from start to end (the whole match when there are no captures and i is 0). */
    LuaValue capture(int i, int start, int end) {
        if (i >= level) {
            if (i == 0) {
                return LuaString.valueOf(s, start, end - start);
            }
            throw new LuaError("invalid capture index");
        }
        int l = captureLen[i];
        if (l == CAP_UNFINISHED) {
            throw new LuaError("unfinished capture");
        }
        if (l == CAP_POSITION) {
            return LuaValue.valueOf(captureStart[i] + 1);
        }
        return LuaString.valueOf(s, captureStart[i], l);
    }

    /** The captures of a match; with wholeMatch, the match itself when the pattern has none. */
    Varargs captures(boolean wholeMatch, int start, int end) {
        int n = level == 0 && wholeMatch ? 1 : level;
        LuaValue[] v = new LuaValue[n];
        for (int i = 0; i < n; i++) {
            v[i] = capture(i, start, end);
        }
        return LuaValue.varargsOf(v);
    }

    /** gsub's replacement string: %0 the match, %1-%9 captures, % before anything else that thing. */
    void appendReplacement(ByteArrayOutputStream out, byte[] repl, int start, int end) {
        for (int i = 0; i < repl.length; i++) {
            byte b = repl[i];
            if (b != ESC) {
                out.write(b);
                continue;
            }
            i++;
            int c = i < repl.length ? repl[i] & 0xff : 0;
            if (c < '0' || c > '9') {
                out.write(c);
            } else if (c == '0') {
                out.write(s, start, end - start);
            } else {
                byte[] t = Lua51Strings.bytes(capture(c - '1', start, end));
                out.write(t, 0, t.length);
            }
        }
    }
}
