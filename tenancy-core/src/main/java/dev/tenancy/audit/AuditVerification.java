package dev.tenancy.audit;

import java.util.OptionalLong;

/**
 * The outcome of {@link AuditLog#verify()}: whether the hash chain is intact and, if not, the first
 * event whose content or position was changed.
 *
 * @param intact whether every event and the chain's head check out
 * @param eventsChecked how many events were read
 * @param firstBrokenSequence the sequence number of the first event that fails, if any
 * @param problem what is wrong with it, in words; empty when intact
 */
public record AuditVerification(boolean intact, long eventsChecked, OptionalLong firstBrokenSequence, String problem) {

    static AuditVerification ok(long checked) {
        return new AuditVerification(true, checked, OptionalLong.empty(), "");
    }

    static AuditVerification broken(long checked, long sequence, String problem) {
        return new AuditVerification(false, checked, OptionalLong.of(sequence), problem);
    }
}
