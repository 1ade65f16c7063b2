package dev.kurz.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The SQLite data directory belongs to one process: two nodes on one file would each fold the
 * other's click log into the rollups and count every click twice. The guard is an OS lock on
 * {@code kurz.lock}, held for the life of the process; the OS drops it when the process dies,
 * so the file a crashed process leaves behind never blocks the next start.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE = "kurz.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or fails at once with a one-line {@link StartupException} when another process holds it. */
    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
                channel.close();
                throw new StartupException("another Kurz process" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " is using the data directory " + dataDir.toAbsolutePath().normalize()
                        + " (KURZ_DATA_DIR): stop it first, or give this one a directory of its own");
            }
            // The pid is only for the message above; the lock, not the file's content, is what counts.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS drops the lock with the process anyway
        }
    }
}
