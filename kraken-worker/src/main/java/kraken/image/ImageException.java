package kraken.image;

/**
 * Why a state cannot become an image (a value that cannot be copied, named with where it is
 * reachable from; an image over its size limit), or why bytes are not a valid image. The
 * message is meant for the script's author, as kraken.loop()'s second result.
 */
public final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message, null, false, false);
    }
}
