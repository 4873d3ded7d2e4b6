package dev.tenancy.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The rollout hash is a public contract: these vectors must never change between releases. */
class RolloutTest {

    @Test
    void pinnedVectors() {
        assertThat(Rollout.tenantBucket("advanced-analytics", "acme")).isEqualTo(4744);
        assertThat(Rollout.tenantBucket("advanced-analytics", "globex")).isEqualTo(7275);
        assertThat(Rollout.tenantBucket("new-editor", "acme")).isEqualTo(978);
        assertThat(Rollout.tenantBucket("a", "b")).isEqualTo(5565);
        assertThat(Rollout.tenantBucket("reports", "tenant-0001")).isEqualTo(7289);
        assertThat(Rollout.userBucket("advanced-analytics", "acme", "user-42")).isEqualTo(9775);
        assertThat(Rollout.userBucket("advanced-analytics", "acme", "ünïcødé-👤"))
                .isEqualTo(8972);
        assertThat(Rollout.userBucket("new-inbox", "acme", "")).isEqualTo(6282);
    }

    @Property
    void raisingAPercentage_onlyAddsTenants(
            @ForAll @StringLength(min = 1, max = 40) String tenant,
            @ForAll @IntRange(max = 10_000) int lower,
            @ForAll @IntRange(max = 10_000) int higher) {
        int bucket = Rollout.tenantBucket("some-flag", tenant);
        if (lower <= higher && Rollout.within(bucket, lower)) {
            assertThat(Rollout.within(bucket, higher)).isTrue();
        }
    }

    @Property
    void bucketsAreInRange(@ForAll String flag, @ForAll String tenant, @ForAll String user) {
        assertThat(Rollout.tenantBucket(flag, tenant)).isBetween(0, Rollout.BUCKETS - 1);
        assertThat(Rollout.userBucket(flag, tenant, user)).isBetween(0, Rollout.BUCKETS - 1);
    }

    @Property
    void theBucket_isTheMixedHashModuloTheBuckets_readUnsigned(@ForAll long state) {
        assertThat(Rollout.bucket(state)).isEqualTo((int) Long.remainderUnsigned(Rollout.mix(state), Rollout.BUCKETS));
    }

    @Test
    void theBucket_atTheEdgesOfTheUnsignedRange() {
        for (long mixed : new long[] {0, 1, 9_999, 10_000, Long.MAX_VALUE, Long.MIN_VALUE, -1, -10_000}) {
            long state = unmix(mixed);
            assertThat(Rollout.mix(state)).isEqualTo(mixed);
            assertThat(Rollout.bucket(state)).isEqualTo((int) Long.remainderUnsigned(mixed, Rollout.BUCKETS));
        }
    }

    /** The inverse of SplitMix64's mixer, to reach chosen mixed values. */
    private static long unmix(long z) {
        z = (z ^ (z >>> 31) ^ (z >>> 62)) * 0x319642b2d24d8ec3L;
        z = (z ^ (z >>> 27) ^ (z >>> 54)) * 0x96de1b173f119089L;
        return z ^ (z >>> 30) ^ (z >>> 60);
    }

    @Test
    void aQuarterRollout_picksAboutAQuarter_andEachFlagItsOwnQuarter() {
        long first = IntStream.range(0, 20_000)
                .filter(i -> Rollout.within(Rollout.tenantBucket("flag-one", "tenant-" + i), 2_500))
                .count();
        long both = IntStream.range(0, 20_000)
                .filter(i -> Rollout.within(Rollout.tenantBucket("flag-one", "tenant-" + i), 2_500)
                        && Rollout.within(Rollout.tenantBucket("flag-two", "tenant-" + i), 2_500))
                .count();
        assertThat(first).isBetween(4_700L, 5_300L);
        assertThat(both).as("independent flags overlap in about 1/16").isBetween(1_050L, 1_450L);
    }

    @Test
    void aQuarterUserRollout_picksAboutAQuarterOfSequentialIds_andEachFlagItsOwn() {
        long first = IntStream.range(0, 20_000)
                .filter(i -> Rollout.within(Rollout.userBucket("flag-one", "acme", "user-" + i), 2_500))
                .count();
        long both = IntStream.range(0, 20_000)
                .filter(i -> Rollout.within(Rollout.userBucket("flag-one", "acme", "user-" + i), 2_500)
                        && Rollout.within(Rollout.userBucket("flag-two", "acme", "user-" + i), 2_500))
                .count();
        assertThat(first).isBetween(4_700L, 5_300L);
        assertThat(both).as("independent flags overlap in about 1/16").isBetween(1_050L, 1_450L);
    }

    @Test
    void theSameUserInAnotherTenant_isDrawnAgain() {
        long moved = IntStream.range(0, 10_000)
                .filter(i ->
                        Rollout.userBucket("f", "acme", "user-" + i) != Rollout.userBucket("f", "globex", "user-" + i))
                .count();
        assertThat(moved).isGreaterThan(9_900L);
    }
}
