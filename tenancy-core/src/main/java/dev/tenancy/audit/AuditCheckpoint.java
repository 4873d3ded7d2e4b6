package dev.tenancy.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * The audit chain's head at one moment, kept outside the database ({@link AuditCheckpoints}): event
 * {@code sequence} existed then with hash {@code hash}. {@link AuditLog#verify()} fails when the log
 * no longer holds that event with that hash, which is how events cut off the end (with the head
 * row rewound) or a truncated table are noticed.
 *
 * @param sequence the last event's sequence number (0: the log was empty)
 * @param hash that event's hash
 * @param takenAt when the checkpoint was taken
 */
public record AuditCheckpoint(long sequence, String hash, Instant takenAt) {
    public AuditCheckpoint {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(takenAt, "takenAt");
        if (sequence < 0) {
            throw new IllegalArgumentException("A checkpoint's sequence cannot be negative, was " + sequence);
        }
    }
}
