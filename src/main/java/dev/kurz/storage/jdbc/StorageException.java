package dev.kurz.storage.jdbc;

/** The database failed or is unreachable: a server-side problem, never the client's. */
public final class StorageException extends RuntimeException {
    StorageException(String what, Throwable cause) {
        super("database error during " + what + ": " + cause.getMessage(), cause);
    }
}
