package dev.kurz.live;

/**
 * One client's connection as the hub sees it (a WebSocket or a Server-Sent Events stream). Every
 * method is called on the connection's own event loop, through {@link #run}.
 */
public interface Transport {
    /** Runs on the connection's event loop. */
    void run(Runnable task);

    /**
     * The event loop the connection lives on, or null when unknown. The hub queues the deliveries
     * to one loop's connections together and runs them in slices (see {@link #runAfterIo}).
     */
    default Object loop() {
        return null;
    }

    /**
     * Runs on the connection's event loop once the loop has served the I/O that is ready: what
     * comes in on its other sockets (redirects) is answered before the task, not after it.
     */
    default void runAfterIo(Runnable task) {
        run(task);
    }

    /** False while the socket's write queue is full: the client is behind. */
    boolean writable();

    void write(String frame);

    /** Called once when the socket can take writes again. */
    void onWritable(Runnable then);

    /** Closes with a reason a client can act on (WebSocket close code; SSE ends the stream). */
    void close(int code, String reason);
}
