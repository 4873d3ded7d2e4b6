package dev.tenancy.billing;

import dev.tenancy.Actor;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The catalog of plans as immutable versions in the platform database (table {@code
 * tenancy.tenancy_plan_versions}). {@link #publish} never changes a version: it adds the next one, and
 * subscriptions keep the version they hold until they are moved. Publishing the same content as the
 * current version is a no-op that returns it.
 *
 * <pre>{@code
 * PlanCatalog plans = billing.plans();
 * plans.publishDefaults(admin);                       // free, standard, professional, business, enterprise
 * PlanVersion pro = plans.current("professional").orElseThrow();
 * }</pre>
 */
public final class PlanCatalog {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Map<String, Object>>> LIMITS = new TypeReference<>() {};
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final BillingDatabase db;
    private final InstantSource clock;
    private final Map<String, PlanVersion> versions = new ConcurrentHashMap<>();

    private PlanCatalog(Builder b) {
        this.db = new BillingDatabase(b.dataSource, b.audit);
        this.clock = b.clock;
    }

    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Publishes {@code plan} as the next version of its key (1 if new), or returns the current
     * version unchanged when it already has exactly this content. Two nodes publishing at once get
     * consecutive versions, never the same one.
     */
    public PlanVersion publish(Plan plan, Actor actor, String reason) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(actor, "actor");
        String why = BillingDatabase.requireReason(reason, "Publishing plan '" + plan.key() + "'");
        for (int attempt = 1; ; attempt++) {
            try {
                return publishOnce(plan, actor, why);
            } catch (dev.tenancy.StorageException e) {
                if (!Jdbc.isUniqueViolation(e) || attempt == 5) {
                    throw e;
                }
                // another node published the same key at once: take the next version number
            }
        }
    }

    private PlanVersion publishOnce(Plan plan, Actor actor, String why) {
        return db.change("publish plan '" + plan.key() + "'", (c, audit) -> {
            Optional<PlanVersion> current = latest(c, plan.key());
            if (current.isPresent() && current.get().plan().equals(plan)) {
                return current.get();
            }
            int next = current.map(v -> v.version() + 1).orElse(1);
            PlanVersion v =
                    new PlanVersion(plan, next, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO tenancy.tenancy_plan_versions (plan_key, version, name,"
                            + " tier, currency, monthly_minor, annual_minor, limits, modules, published_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, plan.key());
                s.setInt(2, next);
                s.setString(3, plan.name());
                s.setString(4, plan.tier());
                s.setString(5, plan.monthlyPrice().currency().getCurrencyCode());
                s.setLong(6, plan.monthlyPrice().minor());
                s.setLong(7, plan.annualPrice().minor());
                s.setString(8, limitsJson(plan.limits()));
                s.setString(
                        9,
                        JSON.writeValueAsString(plan.modules().stream().sorted().toList()));
                s.setObject(10, Jdbc.utc(v.publishedAt()));
                s.executeUpdate();
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("version", next);
            meta.put("monthly", plan.monthlyPrice().toString());
            meta.put("annual", plan.annualPrice().toString());
            meta.put("limits", plan.limits().toString());
            meta.put("reason", why);
            audit.add(AuditEntry.of("publish", "plan", v.ref(), null, actor, meta));
            return v;
        });
    }

    /** Publishes each of {@link DefaultPlans#all()} that has no version yet. */
    public List<PlanVersion> publishDefaults(Actor actor) {
        List<PlanVersion> out = new ArrayList<>();
        for (Plan p : DefaultPlans.all()) {
            out.add(current(p.key()).orElseGet(() -> publish(p, actor, "Default plan")));
        }
        return out;
    }

    /** The newest version of {@code key}. */
    public Optional<PlanVersion> current(String key) {
        return db.read("read plan '" + key + "'", c -> latest(c, key));
    }

    /** One version; versions never change, so this is cached. */
    public PlanVersion version(String key, int version) {
        PlanVersion cached = versions.get(key + "@" + version);
        if (cached != null) {
            return cached;
        }
        PlanVersion v = db.read("read plan " + key + "@" + version, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM tenancy.tenancy_plan_versions WHERE plan_key = ? AND version = ?")) {
                s.setString(1, key);
                s.setInt(2, version);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? read(rs) : null;
                }
            }
        });
        if (v == null) {
            throw new IllegalArgumentException("Plan " + key + "@" + version
                    + " does not exist: publish the plan first, or use current(\"" + key + "\")");
        }
        versions.put(v.ref(), v);
        return v;
    }

    /** Every version of {@code key}, oldest first. */
    public List<PlanVersion> versions(String key) {
        return list("SELECT * FROM tenancy.tenancy_plan_versions WHERE plan_key = ? ORDER BY version", key);
    }

    /** The newest version of every plan, by key. */
    public List<PlanVersion> currentPlans() {
        return list(
                "SELECT * FROM tenancy.tenancy_plan_versions p WHERE version = (SELECT MAX(version) FROM"
                        + " tenancy.tenancy_plan_versions q WHERE q.plan_key = p.plan_key) ORDER BY plan_key",
                null);
    }

    private List<PlanVersion> list(String sql, String key) {
        return db.read("read plans", c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (key != null) {
                    s.setString(1, key);
                }
                List<PlanVersion> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        PlanVersion v = read(rs);
                        versions.putIfAbsent(v.ref(), v);
                        out.add(v);
                    }
                }
                return out;
            }
        });
    }

    private Optional<PlanVersion> latest(Connection c, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT * FROM tenancy.tenancy_plan_versions WHERE plan_key = ? ORDER BY version DESC FETCH FIRST 1 ROWS ONLY")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static String limitsJson(Map<String, Limit> limits) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        limits.forEach((metric, l) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max", l.unlimited() ? null : l.max());
            m.put("enforcement", l.enforcement().name());
            if (l.overagePrice() != null) {
                m.put("overageMinor", l.overagePrice().minor());
                m.put("overageCurrency", l.overagePrice().currency().getCurrencyCode());
            }
            out.put(metric, m);
        });
        return JSON.writeValueAsString(out);
    }

    private static PlanVersion read(ResultSet rs) throws SQLException {
        String currency = rs.getString("currency").trim();
        Map<String, Limit> limits = new LinkedHashMap<>();
        JSON.readValue(rs.getString("limits"), LIMITS).forEach((metric, m) -> {
            Object max = m.get("max");
            Money overage = m.get("overageMinor") == null
                    ? null
                    : Money.of(((Number) m.get("overageMinor")).longValue(), (String) m.get("overageCurrency"));
            limits.put(
                    metric,
                    new Limit(
                            max == null ? Long.MAX_VALUE : ((Number) max).longValue(),
                            Limit.Enforcement.valueOf((String) m.get("enforcement")),
                            overage));
        });
        Plan plan = new Plan(
                rs.getString("plan_key"),
                rs.getString("name"),
                rs.getString("tier"),
                Money.of(rs.getLong("monthly_minor"), currency),
                Money.of(rs.getLong("annual_minor"), currency),
                limits,
                Set.copyOf(JSON.readValue(rs.getString("modules"), STRINGS)));
        return new PlanVersion(plan, rs.getInt("version"), Jdbc.instant(rs, "published_at"));
    }

    /** Builds a {@link PlanCatalog}; installs the billing tables if needed. */
    static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private InstantSource clock = InstantSource.system();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Required: where publications are recorded. */
        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public PlanCatalog build() {
            return new PlanCatalog(this);
        }
    }
}
