package kraken.lua.module;

/**
 * A library table that fills itself on first use (kraken.AF, SOCK, SO: their numbers come from
 * jnr-constants, which a program that never reads them should not load). Whoever walks a fresh
 * state's libraries without using them (kraken.image's index) asks first, and leaves an unfilled
 * one alone.
 */
public interface LazyContents {
    /** Whether the contents were made (by any use, reading or writing). */
    boolean filled();
}
