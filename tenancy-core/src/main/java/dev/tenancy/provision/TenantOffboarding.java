package dev.tenancy.provision;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tenancy.Actor;
import dev.tenancy.IllegalTenantTransitionException;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantOperation;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.internal.Json;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.jdbc.TenantStorage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;

/**
 * The end of a tenant's life: after it is archived, {@link #export} writes its data out (one JSON
 * lines file per table), and {@link #purge} removes it (drops the schema or database, or deletes
 * the tenant's rows from the {@linkplain Builder#sharedTable shared tables}) and moves it to
 * {@link TenantStatus#PURGED}, audited through the catalog. Its custom domains are removed too, and
 * whatever else the platform keeps about it through {@link Builder#onPurge} (its invitations, its
 * settings).
 *
 * <p>Purge is refused before the retention period has passed since the tenant's record last
 * changed while archived (never earlier than since it was archived) unless forced, is refused for a
 * tenant that is not archived or rejected, and is idempotent: purging a purged tenant does nothing.
 *
 * <p>Tenants registered with an expiry (sandboxes, demos, preview environments: {@link
 * dev.tenancy.catalog.TenantRegistration.Builder#expiresAt}) end by themselves: {@link #expire},
 * run on a schedule, archives each one whose expiry has come and purges it once the {@linkplain
 * Builder#expiryGrace expiry grace} has passed (none by default). The retention period does not
 * apply to them: their data was declared disposable when they were registered.
 */
public final class TenantOffboarding {
    private final TenantCatalog catalog;
    private final TenantDataSource dataSource;
    private final Ledger ledger;
    private final List<SharedTable> sharedTables;
    private final Duration retention;
    private final InstantSource clock;
    private final List<PurgeStep> onPurge;
    private final Duration expiryGrace;

    private TenantOffboarding(Builder b) {
        this.catalog = b.catalog;
        this.dataSource = b.dataSource;
        this.ledger = new Ledger(b.platform, b.clock);
        this.sharedTables = List.copyOf(b.sharedTables);
        this.retention = b.retention;
        this.clock = b.clock;
        this.onPurge = List.copyOf(b.onPurge);
        this.expiryGrace = b.expiryGrace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes every table of {@code id}'s data to {@code directory} (created if missing), one {@code
     * <table>.jsonl} file each with one JSON object per row; returns the row count per table.
     *
     * @throws dev.tenancy.TenantOperationRefusedException unless the tenant is archived ({@link
     *     TenantOperation#EXPORT}): an active tenant's data is still changing, a purged one's is gone
     */
    public Map<String, Long> export(TenantId id, Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not export tenant '" + id + "' to " + directory, e);
        }
        return export(id, directory.toString(), name -> Files.newBufferedWriter(directory.resolve(name), UTF_8));
    }

    /**
     * Writes every table of {@code id}'s data to {@code out} as a ZIP archive, one {@code
     * <table>.jsonl} entry each with one JSON object per row, for a download; returns the row count
     * per table. {@code out} is finished but not closed.
     *
     * @throws dev.tenancy.TenantOperationRefusedException unless the tenant is archived ({@link
     *     TenantOperation#EXPORT}); nothing is written then
     */
    public Map<String, Long> export(TenantId id, OutputStream out) {
        Objects.requireNonNull(out, "out");
        ZipOutputStream zip = new ZipOutputStream(out, UTF_8);
        Map<String, Long> counts = export(id, "a ZIP archive", name -> {
            zip.putNextEntry(new ZipEntry(name));
            return new BufferedWriter(new OutputStreamWriter(zip, UTF_8)) {
                @Override
                public void close() throws IOException {
                    flush();
                    zip.closeEntry(); // the entry, not the archive
                }
            };
        });
        try {
            zip.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not export tenant '" + id + "'", e);
        }
        return counts;
    }

    /** Opens the writer of one table's {@code <table>.jsonl}. */
    @FunctionalInterface
    private interface TableFiles {
        BufferedWriter open(String fileName) throws IOException;
    }

    private Map<String, Long> export(TenantId id, String where, TableFiles files) {
        Tenant tenant = require(id);
        TenantOperation.EXPORT.require(tenant);
        TenantStorage storage = storage(tenant);
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = storage.connect(tenant)) {
            c.setReadOnly(true);
            for (TenantTable table : TenantTable.of(c, storage, tenant, sharedTables)) {
                // H2 reports unquoted names in upper case: name files as the SQL that created them did.
                String name = table.name().equals(table.name().toUpperCase(Locale.ROOT))
                        ? table.name().toLowerCase(Locale.ROOT)
                        : table.name();
                try (BufferedWriter out = files.open(name + ".jsonl")) {
                    counts.put(name, exportTable(c, table, tenant, out));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not export tenant '" + id + "' to " + where, e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not export tenant '" + id + "': " + e.getMessage(), e);
        }
        return counts;
    }

    /**
     * Removes {@code id}'s data and marks it purged.
     *
     * @param force purge before the retention period has passed
     * @return the tenant, purged
     * @throws IllegalStateException when the tenant is not archived or rejected, or the retention
     *     period has not passed and {@code force} is false; nothing is removed then
     */
    public Tenant purge(TenantId id, Actor actor, boolean force) {
        Objects.requireNonNull(actor, "actor");
        Tenant tenant = require(id);
        if (tenant.status() == TenantStatus.PURGED) {
            return tenant;
        }
        if (!TenantOperation.PURGE.allowedIn(tenant.status())) {
            throw new IllegalStateException("Tenant '" + id + "' is "
                    + tenant.status().key() + "; only archived or rejected tenants are purged (archive it first)");
        }
        Instant allowedFrom = tenant.updatedAt().plus(retention);
        if (!force && clock.instant().isBefore(allowedFrom)) {
            throw new IllegalStateException("Tenant '" + id + "' is within its retention period until " + allowedFrom
                    + " (" + describe(retention) + " after " + tenant.updatedAt() + "); purge with force to override");
        }
        return purgeNow(tenant, actor, force ? "forced purge: " : "purged: ");
    }

    /**
     * Purges every archived tenant whose retention period has passed since it was archived (what
     * {@link #purge} allows without force), each audited through the catalog. Run it on a schedule
     * (the starter's {@code retention-purge} job does, on one node at a time). A tenant restored or
     * purged meanwhile is left alone; one tenant's failure does not stop the others.
     */
    public RetentionReport purgeRetained(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        Instant now = clock.instant();
        List<TenantId> due = new ArrayList<>();
        Page<Tenant> page;
        int offset = 0;
        do {
            page = catalog.list(TenantQuery.builder()
                    .status(TenantStatus.ARCHIVED)
                    .sort(TenantQuery.Sort.CREATED, false)
                    .offset(offset)
                    .limit(TenantQuery.MAX_LIMIT)
                    .build());
            for (Tenant t : page.items()) {
                if (!now.isBefore(t.updatedAt().plus(retention))) {
                    due.add(t.id());
                }
            }
            offset += page.items().size();
        } while (!page.items().isEmpty() && offset < page.total());
        List<TenantId> purged = new ArrayList<>();
        Map<TenantId, String> failed = new LinkedHashMap<>();
        for (TenantId id : due) {
            try {
                Tenant tenant = require(id);
                if (tenant.status() == TenantStatus.ARCHIVED
                        && !now.isBefore(tenant.updatedAt().plus(retention))) {
                    purgeNow(tenant, actor, "retention of " + describe(retention) + " passed, purged: ");
                    purged.add(id);
                }
            } catch (RuntimeException e) {
                failed.put(id, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        return new RetentionReport(purged, failed);
    }

    /**
     * Ends the life of every tenant whose expiry has come: one pending approval is rejected, an
     * active or suspended one archived (read-only at most, as every archived tenant); once the
     * {@linkplain Builder#expiryGrace expiry grace} has passed since its expiry, a {@linkplain
     * Tenant#SANDBOX sandbox} is purged (its data and records removed as by {@link #purge}). Any
     * other tenant that was given an expiry stays archived: it is purged only through {@link #purge},
     * after the retention, like any offboarding. Each step is audited through the catalog
     * with the expiry as its reason.
     *
     * <p>Run it on a schedule: a tenant is served until the first sweep after its expiry. Sweeps are
     * resumable and may run on several nodes at once: each step locks the tenant's row, and a
     * tenant another sweep has moved on is taken from where it now is. One tenant's failure does
     * not stop the others; it is reported and retried by the next sweep.
     */
    public ExpiryReport expire(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        Instant now = clock.instant();
        List<TenantId> expired = new ArrayList<>();
        Page<Tenant> page;
        int offset = 0;
        do {
            page = catalog.list(TenantQuery.builder()
                    .expiringBefore(now.plusNanos(1)) // expired at or before now
                    .status(TenantStatus.PENDING_APPROVAL, TenantStatus.ACTIVE, TenantStatus.SUSPENDED)
                    .status(TenantStatus.ARCHIVED, TenantStatus.REJECTED)
                    .sort(TenantQuery.Sort.CREATED, false)
                    .offset(offset)
                    .limit(TenantQuery.MAX_LIMIT)
                    .build());
            page.items().forEach(t -> expired.add(t.id()));
            offset += page.items().size();
        } while (!page.items().isEmpty() && offset < page.total());
        List<TenantId> retired = new ArrayList<>();
        List<TenantId> purged = new ArrayList<>();
        Map<TenantId, String> failed = new LinkedHashMap<>();
        for (TenantId id : expired) {
            try {
                expire(id, actor, now, retired, purged);
            } catch (RuntimeException e) {
                failed.put(id, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        return new ExpiryReport(retired, purged, failed);
    }

    private void expire(TenantId id, Actor actor, Instant now, List<TenantId> retired, List<TenantId> purged) {
        for (int attempt = 0; ; attempt++) {
            Tenant tenant = require(id);
            if (!tenant.isExpiredAt(now) || tenant.status() == TenantStatus.PURGED) {
                return; // extended, kept for good, or purged by another sweep meanwhile
            }
            String reason = "expired at " + tenant.expiresAt();
            try {
                switch (tenant.status()) {
                    case PENDING_APPROVAL -> {
                        catalog.transition(id, TenantStatus.REJECTED, actor, reason);
                        retired.add(id);
                    }
                    case ACTIVE, SUSPENDED -> {
                        catalog.transition(id, TenantStatus.ARCHIVED, actor, reason);
                        retired.add(id);
                    }
                    case ARCHIVED, REJECTED -> {
                        if (!tenant.isSandbox()
                                || now.isBefore(tenant.expiresAt().plus(expiryGrace))) {
                            return; // only a sandbox is purged by its expiry; others go through offboarding
                        }
                        purgeNow(tenant, actor, reason + ", purged: ");
                        purged.add(id);
                        return;
                    }
                    case PURGED -> {
                        return;
                    }
                }
            } catch (IllegalTenantTransitionException e) {
                if (attempt >= 2) {
                    throw e; // moved on by others three times over: leave it to the next sweep
                }
            }
        }
    }

    private Tenant purgeNow(Tenant tenant, Actor actor, String reasonPrefix) {
        TenantId id = tenant.id();
        String removed;
        try {
            removed = remove(tenant);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not purge tenant '" + id + "': " + e.getMessage() + "; nothing was marked, retry the purge",
                    e);
        }
        for (PurgeStep step : onPurge) {
            step.purge(id, actor);
        }
        for (var domain : catalog.domains(id)) {
            catalog.removeDomain(domain.domain(), actor);
        }
        ledger.forget(id);
        return catalog.transition(id, TenantStatus.PURGED, actor, reasonPrefix + removed);
    }

    private String remove(Tenant tenant) throws SQLException {
        TenantStorage storage = storage(tenant);
        if (tenant.isolation() != IsolationModel.SHARED) {
            storage.drop(tenant);
            return tenant.isolation() == IsolationModel.SCHEMA
                    ? "dropped schema " + tenant.id().schemaName()
                    : "dropped database " + tenant.id().databaseName();
        }
        long rows = 0;
        try (Connection c = storage.connect(tenant)) {
            c.setAutoCommit(false);
            try {
                for (SharedTable table : sharedTables) {
                    try (PreparedStatement s = c.prepareStatement(
                            "DELETE FROM " + table.table() + " WHERE " + table.tenantColumn() + " = ?")) {
                        s.setString(1, tenant.id().value());
                        rows += s.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return "deleted " + rows + " shared rows from " + sharedTables.size() + " tables";
    }

    private static long exportTable(Connection c, TenantTable table, Tenant tenant, BufferedWriter out)
            throws SQLException, IOException {
        long rows = 0;
        try (PreparedStatement s = c.prepareStatement(table.select())) {
            if (table.shared() != null) {
                s.setString(1, tenant.id().value());
            }
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), jsonValue(rs.getObject(i)));
                    }
                    out.write(Json.write(row));
                    out.newLine();
                    rows++;
                }
            }
        }
        return rows;
    }

    private static Object jsonValue(Object value) throws SQLException {
        return switch (value) {
            case null -> null;
            case Timestamp t -> t.toInstant().toString();
            case java.sql.Date d -> d.toLocalDate().toString();
            case java.sql.Time t -> t.toLocalTime().toString();
            case Temporal t -> t.toString();
            case Clob clob -> clob.getSubString(1, (int) clob.length());
            case java.util.UUID u -> u.toString();
            default -> value;
        };
    }

    private static String describe(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? d.toDays() + " days" : d.toString();
    }

    private TenantStorage storage(Tenant tenant) {
        return dataSource.storage(tenant);
    }

    private Tenant require(TenantId id) {
        return catalog.find(id).orElseThrow(() -> new UnknownTenantException(id.value()));
    }

    /** What a purge also removes: one kind of record the platform keeps about the tenant. */
    @FunctionalInterface
    public interface PurgeStep {
        /** Removes {@code tenant}'s records, as {@code actor}; idempotent. */
        void purge(TenantId tenant, Actor actor);
    }

    /** Builds a {@link TenantOffboarding}. */
    public static final class Builder {
        private TenantCatalog catalog;
        private TenantDataSource dataSource;
        private DataSource platform;
        private final List<SharedTable> sharedTables = new ArrayList<>();
        private Duration retention = Duration.ofDays(30);
        private InstantSource clock = InstantSource.system();
        private final List<PurgeStep> onPurge = new ArrayList<>();
        private Duration expiryGrace = Duration.ZERO;

        private Builder() {}

        /**
         * Also run {@code step} when a tenant is purged, after its data is removed and before it is
         * marked purged: the control plane's own records of it, such as {@code invitations::forget}
         * and {@code settings::forget}. Steps must be idempotent: a purge that fails after some ran
         * is retried whole. The tenant's custom domains are always removed.
         */
        public Builder onPurge(PurgeStep step) {
            onPurge.add(Objects.requireNonNull(step, "step"));
            return this;
        }

        /** Where tenants are read and marked purged; required. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /** The routing data source whose servers the tenants live on; required. */
        public Builder dataSource(TenantDataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The platform database, whose ledgers forget purged tenants; required. */
        public Builder platform(DataSource platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
            return this;
        }

        /** A shared-model table and its tenant column; shared tenants are exported and purged from these. */
        public Builder sharedTable(String table, String tenantColumn) {
            sharedTables.add(SharedTable.of(table, tenantColumn));
            return this;
        }

        /** How long archived data is kept before a purge is allowed without force (default 30 days). */
        public Builder retention(Duration retention) {
            if (retention.isNegative()) {
                throw new IllegalArgumentException("retention must not be negative, was " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * How long an expired tenant's data is kept (archived: read-only at most) before {@link
         * #expire} purges it; none by default, so the sweep that archives it purges it too.
         */
        public Builder expiryGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("expiry grace must not be negative, was " + grace);
            }
            this.expiryGrace = grace;
            return this;
        }

        /** The clock retention is measured by. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TenantOffboarding build() {
            if (catalog == null || dataSource == null || platform == null) {
                throw new IllegalStateException(
                        "TenantOffboarding needs catalog(...), dataSource(...) and platform(...)");
            }
            return new TenantOffboarding(this);
        }
    }
}
