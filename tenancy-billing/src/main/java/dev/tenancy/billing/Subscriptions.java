package dev.tenancy.billing;

import dev.tenancy.Actor;
import dev.tenancy.ReadOnlyScopeException;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantOperation;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditEntry;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.internal.Jdbc;
import dev.tenancy.internal.PostgresListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Subscriptions and billing overrides in the platform database (tables {@code
 * tenancy.tenancy_subscriptions} and {@code tenancy.tenancy_billing_overrides}). Every change commits together with
 * its audit event (actor, reason, before and after).
 *
 * <pre>{@code
 * Subscriptions subs = billing.subscriptions();
 * subs.subscribe(acme, "professional", BillingCycle.MONTHLY, 14, admin, "Signed up");
 * subs.grant(acme, BillingOverride.PercentOff.of("15"), today, null, sales, "Enterprise deal, 15 % off list");
 * subs.grant(acme, new BillingOverride.ExtendedTrial(14), today, null, csm, "POC needs more time");
 * Terms terms = subs.terms(acme);                    // plan + overrides as they apply today
 * }</pre>
 *
 * <p>With a tenant catalog ({@link Billing.Builder#catalog}), subscribing and changing plans also
 * set the tenant's tier in the catalog to the plan's tier, which tenancy-flags' plan rules read
 * (a tenant the catalog does not know is left alone). The subscription commits first; should the
 * catalog then fail, the error says so, and {@link #changePlan} to the tenant's current plan sets
 * the tier without changing the subscription.
 *
 * <p>Status changes: trial to active, expired or cancelled; active to past due or cancelled; past
 * due to active or cancelled; cancelled or expired to active (reactivation). Anything else is
 * refused with an error that names both statuses. {@link #convertTrials} is the idempotent job
 * that ends trials.
 */
public final class Subscriptions {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<SubscriptionStatus, Set<SubscriptionStatus>> ALLOWED = Map.of(
            SubscriptionStatus.TRIAL,
            EnumSet.of(SubscriptionStatus.ACTIVE, SubscriptionStatus.EXPIRED, SubscriptionStatus.CANCELLED),
            SubscriptionStatus.ACTIVE,
            EnumSet.of(SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELLED),
            SubscriptionStatus.PAST_DUE,
            EnumSet.of(SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED),
            SubscriptionStatus.CANCELLED,
            EnumSet.of(SubscriptionStatus.ACTIVE),
            SubscriptionStatus.EXPIRED,
            EnumSet.of(SubscriptionStatus.ACTIVE));

    /** The PostgreSQL channel on which a tenant whose terms changed is announced (payload: its id). */
    static final String TERMS_CHANNEL = "tenancy_billing_terms";

    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

    private final BillingDatabase db;
    private final DataSource dataSource;
    private final List<Consumer<TenantId>> termsListeners = new CopyOnWriteArrayList<>();
    private final PlanCatalog plans;
    private final TenantCatalog catalog; // null: tiers are not kept in a catalog
    private final InstantSource clock;
    private final ZoneId zone;
    private final String fallbackPlan; // null: none
    private final TrialExpiry trialExpiry;

    private Subscriptions(Builder b) {
        this.db = new BillingDatabase(b.dataSource, b.audit);
        this.dataSource = b.dataSource;
        this.plans =
                Objects.requireNonNull(b.plans, "plans: subscriptions refer to plan versions; pass the PlanCatalog");
        this.catalog = b.catalog;
        this.clock = b.clock;
        this.zone = b.zone;
        this.fallbackPlan = b.fallbackPlan;
        this.trialExpiry = b.trialExpiry;
    }

    static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Today in the billing time zone. */
    public LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), zone);
    }

    PlanCatalog plans() {
        return plans;
    }

    boolean hasCatalog() {
        return catalog != null;
    }

    /**
     * Subscribes {@code tenant} to the current version of {@code planKey}, starting today, with a
     * trial of {@code trialDays} days (0 for none; billing periods are anchored on the trial's end),
     * paying by card with automatic charges.
     *
     * @throws IllegalStateException when the tenant already has a subscription (use {@link #changePlan})
     */
    public Subscription subscribe(
            TenantId tenant, String planKey, BillingCycle cycle, int trialDays, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("subscribe to a plan");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(cycle, "cycle");
        if (trialDays < 0 || trialDays > 365) {
            throw new IllegalArgumentException("A trial lasts 0 to 365 days, was " + trialDays);
        }
        String why = BillingDatabase.requireReason(reason, "Subscribing '" + tenant + "'");
        PlanVersion plan = requirePlan(planKey);
        requirePlanChangeable(tenant);
        LocalDate today = today();
        LocalDate trialEnd = trialDays == 0 ? null : today.plusDays(trialDays);
        LocalDate anchor = trialEnd == null ? today : trialEnd;
        Subscription s = new Subscription(
                tenant,
                plan.key(),
                plan.version(),
                trialEnd == null ? SubscriptionStatus.ACTIVE : SubscriptionStatus.TRIAL,
                cycle,
                anchor,
                anchor.getDayOfMonth(),
                trialEnd,
                today,
                null,
                true,
                PaymentMethod.CARD,
                now());
        Subscription subscribed;
        try {
            subscribed = db.change("subscribe '" + tenant + "'", (c, audit) -> {
                insert(c, s);
                announce(c, tenant);
                audit.add(entry(
                        "create",
                        s,
                        actor,
                        Map.of(
                                "plan",
                                plan.ref(),
                                "cycle",
                                cycle.label(),
                                "status",
                                s.status().db(),
                                "reason",
                                why)));
                return s;
            });
        } catch (dev.tenancy.StorageException e) {
            if (Jdbc.isUniqueViolation(e)) {
                throw new IllegalStateException(
                        "Tenant '" + tenant + "' already has a subscription: use changePlan to move it to '" + planKey
                                + "'",
                        e);
            }
            throw e;
        }
        tellListeners(tenant);
        alignTier(tenant, plan, actor);
        return subscribed;
    }

    /**
     * Moves the subscription to the current version of {@code planKey} (an upgrade, a downgrade, or
     * off a grandfathered version).
     *
     * @throws dev.tenancy.TenantOperationRefusedException when the catalog's status of the tenant
     *     does not allow {@link TenantOperation#CHANGE_PLAN} (archived, rejected, purged)
     * @throws IllegalStateException when the subscription is cancelled or expired: reactivate it
     *     first ({@link #transition} to active)
     */
    public Subscription changePlan(TenantId tenant, String planKey, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("change the plan");
        String why = BillingDatabase.requireReason(reason, "Changing the plan of '" + tenant + "'");
        PlanVersion plan = requirePlan(planKey);
        requirePlanChangeable(tenant);
        Subscription changed = update(tenant, actor, "change_plan", why, s -> {
            if (!s.status().live()) {
                throw new IllegalStateException("The subscription of '" + tenant + "' is "
                        + s.status().db() + ": reactivate it (transition to active) before changing its plan to '"
                        + planKey + "'");
            }
            return s.planKey().equals(plan.key()) && s.planVersion() == plan.version() ? null : onPlan(s, plan);
        });
        alignTier(tenant, plan, actor);
        return changed;
    }

    /**
     * A limit override is for a metric some published plan limits: an override of a metric nothing
     * counts (a typo, {@code api_call}) would be stored and never apply.
     */
    private void requireKnownMetric(TenantId tenant, String metric) {
        java.util.SortedSet<String> known = new java.util.TreeSet<>();
        for (PlanVersion version : plans.currentPlans()) {
            known.addAll(version.plan().limits().keySet());
        }
        subscription(tenant)
                .ifPresent(s -> known.addAll(plans.version(s.planKey(), s.planVersion())
                        .plan()
                        .limits()
                        .keySet()));
        if (!known.contains(metric)) {
            throw new IllegalArgumentException("No plan limits metric '" + metric + "', so a limit override of it"
                    + " would never apply; the metrics plans limit are " + known);
        }
    }

    /** With a catalog that knows {@code tenant}: its status allows {@link TenantOperation#CHANGE_PLAN}. */
    private void requirePlanChangeable(TenantId tenant) {
        if (catalog != null) {
            catalog.find(tenant).ifPresent(TenantOperation.CHANGE_PLAN::require);
        }
    }

    /**
     * Ends the subscription of {@code tenant} when the catalog has offboarded it (archived,
     * rejected or purged) and it is still running (trial, active, past due): it is cancelled as of
     * today, so it is never invoiced again and leaves MRR and ARR at once, and the churn between two
     * snapshots counts it. Archiving ends a subscription at once rather than at its period's end:
     * an archived tenant is read-only and no longer served, so its remaining paid days buy nothing.
     * Restoring the tenant does not restore the subscription: reactivate it ({@link #transition} to
     * active). Idempotent: any number of nodes may call it for the same change; one records it.
     *
     * @return whether this call ended it
     * @throws IllegalStateException without a catalog
     */
    public boolean endIfOffboarded(TenantId tenant, Actor actor) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(actor, "actor");
        if (catalog == null) {
            throw new IllegalStateException(
                    "Subscriptions follow the tenant lifecycle only with a catalog: Billing.Builder.catalog");
        }
        Optional<Tenant> known = catalog.find(tenant);
        if (known.isEmpty() || !OFFBOARDED.contains(known.get().status())) {
            return false;
        }
        if (subscription(tenant).filter(s -> s.status().live()).isEmpty()) {
            return false; // none, or ended already
        }
        TenantStatus status = known.get().status();
        boolean[] ended = {false};
        update(tenant, actor, "transition", "Tenant " + status.key(), s -> {
            if (!s.status().live()) {
                return null; // ended meanwhile, here or on another node
            }
            ended[0] = true;
            return s.inStatus(SubscriptionStatus.CANCELLED, today(), now());
        });
        return ended[0];
    }

    /**
     * {@link #endIfOffboarded} for every running subscription: what the subscription cycle runs
     * before it invoices, and what catches up on changes {@link #followCatalog} missed.
     *
     * @return the tenants whose subscription this call ended, in tenant order
     */
    public List<TenantId> endOffboarded(Actor actor) {
        List<TenantId> ended = new ArrayList<>();
        for (SubscriptionStatus status :
                List.of(SubscriptionStatus.TRIAL, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)) {
            for (Subscription s : list(status)) {
                if (endIfOffboarded(s.tenant(), actor)) {
                    ended.add(s.tenant());
                }
            }
        }
        ended.sort(java.util.Comparator.comparing(TenantId::value));
        return ended;
    }

    /**
     * Ends subscriptions as the catalog offboards their tenants ({@link #endIfOffboarded}), from its
     * change notifications: at once for changes made through it, and on PostgreSQL for changes
     * any node commits; when notifications may have been missed, every subscription is looked at
     * ({@link #endOffboarded}). The starter calls it; close the result to stop.
     *
     * @throws IllegalStateException without a catalog, or with one that does not notify
     */
    public AutoCloseable followCatalog(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        if (!(catalog instanceof dev.tenancy.catalog.CatalogChangeNotifications notifying)) {
            throw new IllegalStateException("Subscriptions follow the tenant lifecycle from a catalog's change"
                    + " notifications; " + (catalog == null ? "no catalog was given" : catalog + " sends none")
                    + ": call endOffboarded on a schedule instead");
        }
        return notifying.subscribe(tenant -> {
            try {
                if (tenant == null) {
                    endOffboarded(actor);
                } else {
                    endIfOffboarded(tenant, actor);
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "Could not end the subscription of offboarded tenant '{}'; the next subscription cycle will",
                        tenant,
                        e);
            }
        });
    }

    /** The catalog statuses in which a tenant's subscription ends. */
    private static final Set<TenantStatus> OFFBOARDED =
            EnumSet.of(TenantStatus.ARCHIVED, TenantStatus.REJECTED, TenantStatus.PURGED);

    /**
     * Sets the catalog's tier of {@code tenant} to {@code plan}'s, after the subscription change has
     * committed; nothing without a catalog, for a tenant it does not know, or when the tier is already
     * that.
     */
    private void alignTier(TenantId tenant, PlanVersion plan, Actor actor) {
        if (catalog == null) {
            return;
        }
        String tier = plan.plan().tier();
        try {
            Optional<Tenant> known = catalog.find(tenant);
            if (known.isPresent() && !known.get().tier().equals(tier)) {
                catalog.update(tenant, TenantUpdate.builder().tier(tier).build(), actor);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Tenant '" + tenant + "' is now subscribed to plan '" + plan.ref()
                            + "', but its tier in the tenant catalog could not be set to '" + tier
                            + "' (feature flags' plan rules read that tier): " + e.getMessage() + ". Call changePlan("
                            + tenant + ", \"" + plan.key()
                            + "\", ...) again to set it; on the current version it changes"
                            + " nothing else",
                    e);
        }
    }

    private Subscription onPlan(Subscription s, PlanVersion plan) {
        return s.onPlan(plan.key(), plan.version(), now());
    }

    /**
     * Moves every live subscription (trial, active, past due) on an older version of {@code
     * planKey} to its current version: after a price change, when the grandfathered customers'
     * notice period is over. Each tenant moves in its own transaction with its own audit event
     * ({@code change_plan}, the versions in the metadata), so a crash midway leaves every tenant
     * on one version or the other and a rerun moves the rest; a tenant already current is left
     * alone.
     *
     * @return the tenants moved by this call, in tenant order
     * @throws IllegalArgumentException when no version of {@code planKey} is published
     */
    public List<TenantId> moveToCurrentVersion(String planKey, Actor actor, String reason) {
        String why = BillingDatabase.requireReason(reason, "Moving the subscriptions of plan '" + planKey + "'");
        Objects.requireNonNull(actor, "actor");
        PlanVersion plan = requirePlan(planKey);
        List<TenantId> older = db.read("find subscriptions on older versions of '" + planKey + "'", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT tenant_id FROM tenancy.tenancy_subscriptions"
                    + " WHERE plan_key = ? AND plan_version < ? AND status IN (?, ?, ?) ORDER BY tenant_id")) {
                s.setString(1, plan.key());
                s.setInt(2, plan.version());
                s.setString(3, SubscriptionStatus.TRIAL.db());
                s.setString(4, SubscriptionStatus.ACTIVE.db());
                s.setString(5, SubscriptionStatus.PAST_DUE.db());
                List<TenantId> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(TenantId.of(rs.getString(1)));
                    }
                }
                return out;
            }
        });
        List<TenantId> moved = new ArrayList<>();
        for (TenantId tenant : older) {
            boolean[] changed = {false};
            update(tenant, actor, "change_plan", why, s -> {
                if (!s.planKey().equals(plan.key())
                        || s.planVersion() >= plan.version()
                        || !s.status().live()) {
                    return null; // changed meanwhile: not ours to move
                }
                changed[0] = true;
                return onPlan(s, plan);
            });
            if (changed[0]) {
                moved.add(tenant);
                alignTier(tenant, plan, actor);
            }
        }
        return moved;
    }

    /** Changes the stored billing cycle, keeping the anchor. */
    public Subscription changeCycle(TenantId tenant, BillingCycle cycle, int anchorDay, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("change the billing cycle");
        String why = BillingDatabase.requireReason(reason, "Changing the billing cycle of '" + tenant + "'");
        new BillingSchedule(cycle, today(), anchorDay); // validates
        return update(tenant, actor, "change_cycle", why, s -> s.onSchedule(cycle, s.anchor(), anchorDay, now()));
    }

    /** Sets how the tenant pays and whether invoices are charged automatically. */
    public Subscription changePayment(
            TenantId tenant, PaymentMethod method, boolean autoCharge, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("change the payment method");
        Objects.requireNonNull(method, "method");
        String why = BillingDatabase.requireReason(reason, "Changing the payment of '" + tenant + "'");
        return update(tenant, actor, "change_payment", why, s -> s.payingBy(method, autoCharge, now()));
    }

    /**
     * Moves the subscription to {@code target}.
     *
     * @throws IllegalStateException naming both statuses when the change is not allowed
     */
    public Subscription transition(TenantId tenant, SubscriptionStatus target, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("change the subscription");
        Objects.requireNonNull(target, "target");
        String why = BillingDatabase.requireReason(reason, "Changing the status of '" + tenant + "'");
        return update(tenant, actor, "transition", why, s -> {
            if (s.status() == target) {
                return null;
            }
            if (!ALLOWED.get(s.status()).contains(target)) {
                throw new IllegalStateException("Subscription of '" + tenant + "' cannot go from "
                        + s.status().db()
                        + " to " + target.db() + ": allowed from " + s.status().db() + " are "
                        + ALLOWED.get(s.status()).stream()
                                .map(SubscriptionStatus::db)
                                .sorted()
                                .toList());
            }
            boolean ends = target == SubscriptionStatus.CANCELLED || target == SubscriptionStatus.EXPIRED;
            return s.inStatus(target, ends ? today() : null, now());
        });
    }

    /**
     * Ends every trial whose end (with extensions) is on or before {@code today}: it converts to
     * active when the tenant can pay (automatic charges on, or invoice, ACH or wire), else it expires.
     * Idempotent: a second run finds nothing to do.
     *
     * @return how many converted and how many expired
     */
    public TrialRun convertTrials(LocalDate today, Actor actor) {
        int converted = 0;
        int expired = 0;
        for (Subscription s : list(SubscriptionStatus.TRIAL)) {
            Terms t = terms(s.tenant(), today).orElse(null);
            if (t == null || t.trialEndsOn() == null || t.trialEndsOn().isAfter(today)) {
                continue;
            }
            boolean canPay = s.autoCharge() || t.paymentMethod() != PaymentMethod.CARD;
            SubscriptionStatus target = canPay ? SubscriptionStatus.ACTIVE : SubscriptionStatus.EXPIRED;
            Subscription after = update(s.tenant(), actor, "trial_end", "Trial ended on " + t.trialEndsOn(), cur -> {
                if (cur.status() != SubscriptionStatus.TRIAL) {
                    return null; // another node converted it meanwhile
                }
                Instant at = now();
                return canPay
                        ? cur.inStatus(target, null, at)
                                .onSchedule(
                                        cur.cycle(),
                                        t.trialEndsOn(),
                                        t.trialEndsOn().getDayOfMonth(),
                                        at)
                        : cur.inStatus(target, today, at);
            });
            if (after.status() == SubscriptionStatus.ACTIVE && target == SubscriptionStatus.ACTIVE) {
                converted++;
            } else if (after.status() == SubscriptionStatus.EXPIRED && target == SubscriptionStatus.EXPIRED) {
                expired++;
                expireTenant(s.tenant(), t.trialEndsOn(), actor);
            }
        }
        return new TrialRun(converted, expired);
    }

    /**
     * A trial ended without a way to pay: the tenant is suspended ({@link TrialExpiry#SUSPEND}) or
     * falls back to the fallback plan's tier at once.
     */
    private void expireTenant(TenantId tenant, LocalDate trialEnd, Actor actor) {
        if (catalog == null) {
            return;
        }
        Optional<Tenant> known = catalog.find(tenant);
        if (known.isEmpty()) {
            return;
        }
        if (trialExpiry == TrialExpiry.SUSPEND) {
            if (known.get().status().canMoveTo(TenantStatus.SUSPENDED)) {
                catalog.transition(
                        tenant, TenantStatus.SUSPENDED, actor, "Trial ended on " + trialEnd + " without a way to pay");
            }
            return;
        }
        PlanVersion fallback = fallback();
        if (fallback != null
                && TenantOperation.CHANGE_PLAN.allowedIn(known.get().status())) {
            alignTier(tenant, fallback, actor);
        }
    }

    /** What {@link #convertTrials} did. */
    public record TrialRun(int converted, int expired) {}

    /**
     * Grants {@code override} to {@code tenant} from {@code from} until {@code until} (exclusive,
     * {@code null} for open-ended).
     *
     * @throws IllegalArgumentException when the dates are reversed or the override is invalid
     * @throws IllegalStateException when the tenant has no subscription
     */
    public Grant grant(
            TenantId tenant, BillingOverride override, LocalDate from, LocalDate until, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("grant a billing override");
        Objects.requireNonNull(override, "override");
        Objects.requireNonNull(actor, "actor");
        String why = BillingDatabase.requireReason(reason, "Granting " + override.kind() + " to '" + tenant + "'");
        LocalDate start = from == null ? today() : from;
        new Grant(0, tenant, override, start, until, why, actor.id(), now(), false); // validates
        if (override instanceof BillingOverride.LimitOverride l) {
            requireKnownMetric(tenant, l.metric());
            if (l.limit().overagePrice() != null) {
                requireSameCurrency(tenant, l.limit().overagePrice());
            }
        }
        if (override instanceof BillingOverride.FixedPrice f) {
            requireSameCurrency(tenant, f.monthly());
        }
        Grant granted = db.change("grant " + override.kind() + " to '" + tenant + "'", (c, audit) -> {
            if (find(c, tenant, false).isEmpty()) {
                throw new IllegalStateException(
                        "Tenant '" + tenant + "' has no subscription: subscribe it before granting overrides");
            }
            Instant at = now();
            long id;
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO tenancy.tenancy_billing_overrides (tenant_id, kind, payload, valid_from, valid_until, reason,"
                            + " set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                s.setString(1, tenant.value());
                s.setString(2, override.kind());
                s.setString(3, OverrideJson.write(override));
                s.setObject(4, start);
                s.setObject(5, until);
                s.setString(6, why);
                s.setString(7, actor.id());
                s.setObject(8, Jdbc.utc(at));
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            Grant g = new Grant(id, tenant, override, start, until, why, actor.id(), at, false);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("kind", override.kind());
            meta.put("override", OverrideJson.write(override));
            meta.put("from", start.toString());
            meta.put("until", until == null ? null : until.toString());
            meta.put("reason", why);
            audit.add(AuditEntry.of("grant", "billing_override", Long.toString(id), tenant, actor, meta));
            announce(c, tenant);
            return g;
        });
        tellListeners(tenant);
        return granted;
    }

    private void requireSameCurrency(TenantId tenant, Money money) {
        subscription(tenant).ifPresent(s -> {
            PlanVersion p = plans.version(s.planKey(), s.planVersion());
            if (!p.plan().monthlyPrice().currency().equals(money.currency())) {
                throw new IllegalArgumentException("The override is in " + money.currency() + " but '" + tenant
                        + "' is billed in " + p.plan().monthlyPrice().currency() + ": use that currency");
            }
        });
    }

    /** Revokes a grant; revoking twice is a no-op. */
    public void revoke(long grantId, Actor actor, String reason) {
        ReadOnlyScopeException.refuseIfReadOnly("revoke a billing grant");
        String why = BillingDatabase.requireReason(reason, "Revoking override " + grantId);
        TenantId revoked = db.change("revoke override " + grantId, (c, audit) -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_billing_overrides SET revoked_at = ?"
                    + " WHERE id = ? AND revoked_at IS NULL")) {
                s.setObject(1, Jdbc.utc(now()));
                s.setLong(2, grantId);
                if (s.executeUpdate() == 0) {
                    return null;
                }
            }
            String tenant;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT tenant_id FROM tenancy.tenancy_billing_overrides WHERE id = ?")) {
                s.setLong(1, grantId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    tenant = rs.getString(1);
                }
            }
            audit.add(AuditEntry.of(
                    "revoke",
                    "billing_override",
                    Long.toString(grantId),
                    TenantId.of(tenant),
                    actor,
                    Map.of("reason", why)));
            announce(c, TenantId.of(tenant));
            return TenantId.of(tenant);
        });
        if (revoked != null) {
            tellListeners(revoked);
        }
    }

    /** Every grant of {@code tenant}, revoked ones included, oldest first. */
    public List<Grant> grants(TenantId tenant) {
        return db.read(
                "read the overrides of '" + tenant + "'",
                c -> grants(c, tenant.value()).getOrDefault(tenant, List.of()));
    }

    public Optional<Subscription> subscription(TenantId tenant) {
        return db.read("read the subscription of '" + tenant + "'", c -> find(c, tenant, false));
    }

    /** The terms as they apply today. */
    public Optional<Terms> terms(TenantId tenant) {
        return terms(tenant, today());
    }

    /** The terms as they apply on {@code day}. */
    public Optional<Terms> terms(TenantId tenant, LocalDate day) {
        record Read(Subscription subscription, List<Grant> grants) {}
        Read r = db.read("read the terms of '" + tenant + "'", c -> {
            Optional<Subscription> s = find(c, tenant, false);
            return s.isEmpty()
                    ? null
                    : new Read(s.get(), grants(c, tenant.value()).getOrDefault(tenant, List.of()));
        });
        if (r == null) {
            return Optional.empty();
        }
        // the plan version after the connection is back: never two connections at once per call
        PlanVersion plan =
                plans.version(r.subscription().planKey(), r.subscription().planVersion());
        return Optional.ofNullable(Terms.of(r.subscription(), plan, r.grants(), day, fallback()));
    }

    /** The current version of the fallback plan, or null when there is none. */
    private PlanVersion fallback() {
        return fallbackPlan == null ? null : plans.current(fallbackPlan).orElse(null);
    }

    /**
     * Sets the catalog tier of every tenant whose subscription has ended and whose paid period is
     * over to the fallback plan's (what feature flags' plan rules read), so that its features fall
     * back with its limits. The starter's {@code trial-conversion} job runs it daily; idempotent.
     *
     * @return the tenants whose tier this call changed
     */
    public List<TenantId> applyFallbacks(LocalDate day, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        PlanVersion fallback = fallback();
        if (catalog == null || fallback == null) {
            return List.of();
        }
        List<TenantId> changed = new ArrayList<>();
        for (SubscriptionStatus status : List.of(SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)) {
            for (Subscription s : list(status)) {
                LocalDate paid = Terms.paidThrough(s);
                if (paid == null || !day.isAfter(paid)) {
                    continue;
                }
                Optional<Tenant> known = catalog.find(s.tenant());
                if (known.isPresent()
                        && TenantOperation.CHANGE_PLAN.allowedIn(known.get().status())
                        && !known.get().tier().equals(fallback.plan().tier())) {
                    alignTier(s.tenant(), fallback, actor);
                    changed.add(s.tenant());
                }
            }
        }
        return changed;
    }

    /** The terms of every subscription on {@code day}, read in two queries (for the billing cycle and analytics). */
    public List<Terms> allTerms(LocalDate day) {
        return accounts().stream().map(a -> a.termsOn(day)).toList();
    }

    /** A subscription with its plan version and every grant, from which terms on any day follow. */
    record Account(Subscription subscription, PlanVersion plan, List<Grant> grants) {
        Terms termsOn(LocalDate day) {
            return Terms.of(subscription, plan, grants, day);
        }
    }

    /** Every subscription with its plan and grants, in two queries. */
    List<Account> accounts() {
        Map<TenantId, List<Grant>> grants = new HashMap<>();
        List<Subscription> subs = db.read("read all subscriptions", c -> {
            grants.putAll(grants(c, null));
            List<Subscription> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT * FROM tenancy.tenancy_subscriptions ORDER BY tenant_id")) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
        List<Account> out = new ArrayList<>(subs.size());
        for (Subscription sub : subs) {
            out.add(new Account(
                    sub,
                    plans.version(sub.planKey(), sub.planVersion()),
                    grants.getOrDefault(sub.tenant(), List.of())));
        }
        return out;
    }

    /** Subscriptions in {@code status}, by tenant. */
    public List<Subscription> list(SubscriptionStatus status) {
        return db.read("list subscriptions", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT * FROM tenancy.tenancy_subscriptions WHERE status = ? ORDER BY tenant_id")) {
                s.setString(1, status.db());
                List<Subscription> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Calls {@code listener} with each tenant whose subscription or overrides changed, after the
     * change committed: at once for changes made through this instance, and on PostgreSQL for
     * changes committed through any instance on the database (every node), over LISTEN/NOTIFY on
     * a dedicated connection; {@code null} when changes may have been missed. Closing the result
     * unsubscribes. {@link UsageMeter} listens, so that a raised limit applies without waiting for
     * its terms to age.
     */
    AutoCloseable onTermsChanged(Consumer<TenantId> listener) {
        termsListeners.add(listener);
        PostgresListener remote = db.postgres
                ? new PostgresListener(
                        dataSource,
                        dev.tenancy.internal.Channels.name(dataSource, TERMS_CHANNEL),
                        "tenancy-billing-terms",
                        payload -> listener.accept(payload == null ? null : TenantId.of(payload)))
                : null;
        return () -> {
            termsListeners.remove(listener);
            if (remote != null) {
                remote.close();
            }
        };
    }

    /**
     * On PostgreSQL, announces {@code tenant}'s new terms to every node's meter: the notification
     * goes out when the change's transaction commits, and not at all if it rolls back.
     */
    private void announce(Connection c, TenantId tenant) throws SQLException {
        if (db.postgres) {
            try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                notify.setString(1, dev.tenancy.internal.Channels.name(dataSource, TERMS_CHANNEL));
                notify.setString(2, tenant.value());
                notify.execute();
            }
        }
    }

    /** Tells this instance's listeners, after the change committed. */
    private void tellListeners(TenantId tenant) {
        for (Consumer<TenantId> listener : termsListeners) {
            try {
                listener.accept(tenant);
            } catch (RuntimeException e) {
                LOG.warn("A listener to the terms of '{}' failed", tenant, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private interface Edit {
        Subscription apply(Subscription current);
    }

    private Subscription update(TenantId tenant, Actor actor, String action, String why, Edit edit) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(actor, "actor");
        Subscription updated = db.change(action + " '" + tenant + "'", (c, audit) -> {
            Subscription before = find(c, tenant, true)
                    .orElseThrow(() -> new IllegalStateException(
                            "Tenant '" + tenant + "' has no subscription: subscribe it first"));
            Subscription after = edit.apply(before);
            if (after == null) {
                return before;
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE tenancy.tenancy_subscriptions SET plan_key = ?,"
                    + " plan_version = ?, status = ?, cycle_months = ?, anchor_date = ?, anchor_day = ?,"
                    + " trial_ends_on = ?, started_on = ?, ended_on = ?, auto_charge = ?, payment_method = ?,"
                    + " updated_at = ? WHERE tenant_id = ?")) {
                bind(s, after);
                s.executeUpdate();
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("reason", why);
            diff(before, after, meta);
            audit.add(entry(action, after, actor, meta));
            announce(c, tenant);
            return after;
        });
        tellListeners(tenant);
        return updated;
    }

    private static void diff(Subscription a, Subscription b, Map<String, Object> meta) {
        if (!a.planKey().equals(b.planKey()) || a.planVersion() != b.planVersion()) {
            meta.put("plan", a.planKey() + "@" + a.planVersion() + " -> " + b.planKey() + "@" + b.planVersion());
        }
        if (a.status() != b.status()) {
            meta.put("status", a.status().db() + " -> " + b.status().db());
        }
        if (!a.cycle().equals(b.cycle()) || a.anchorDay() != b.anchorDay()) {
            meta.put(
                    "cycle",
                    a.cycle().label() + "/" + a.anchorDay() + " -> " + b.cycle().label() + "/" + b.anchorDay());
        }
        if (a.paymentMethod() != b.paymentMethod() || a.autoCharge() != b.autoCharge()) {
            meta.put(
                    "payment",
                    a.paymentMethod() + (a.autoCharge() ? " auto" : "") + " -> " + b.paymentMethod()
                            + (b.autoCharge() ? " auto" : ""));
        }
    }

    private static AuditEntry entry(String action, Subscription s, Actor actor, Map<String, ?> meta) {
        return AuditEntry.of(action, "subscription", s.tenant().value(), s.tenant(), actor, meta);
    }

    private PlanVersion requirePlan(String planKey) {
        return plans.current(Objects.requireNonNull(planKey, "planKey"))
                .orElseThrow(() -> new IllegalArgumentException("Plan '" + planKey
                        + "' does not exist: publish it first (known: "
                        + plans.currentPlans().stream().map(PlanVersion::key).toList() + ")"));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static void insert(Connection c, Subscription s) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO tenancy.tenancy_subscriptions (plan_key, plan_version,"
                        + " status, cycle_months, anchor_date, anchor_day, trial_ends_on, started_on, ended_on, auto_charge,"
                        + " payment_method, updated_at, tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(p, s);
            p.executeUpdate();
        }
    }

    private static void bind(PreparedStatement p, Subscription s) throws SQLException {
        p.setString(1, s.planKey());
        p.setInt(2, s.planVersion());
        p.setString(3, s.status().db());
        p.setInt(4, s.cycle().months());
        p.setObject(5, s.anchor());
        p.setInt(6, s.anchorDay());
        p.setObject(7, s.trialEndsOn());
        p.setObject(8, s.startedOn());
        p.setObject(9, s.endedOn());
        p.setBoolean(10, s.autoCharge());
        p.setString(11, s.paymentMethod().name());
        p.setObject(12, Jdbc.utc(s.updatedAt()));
        p.setString(13, s.tenant().value());
    }

    private static Optional<Subscription> find(Connection c, TenantId tenant, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT * FROM tenancy.tenancy_subscriptions WHERE tenant_id = ?" + (lock ? " FOR UPDATE" : ""))) {
            s.setString(1, tenant.value());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    static Subscription read(ResultSet rs) throws SQLException {
        return new Subscription(
                TenantId.of(rs.getString("tenant_id")),
                rs.getString("plan_key"),
                rs.getInt("plan_version"),
                SubscriptionStatus.fromDb(rs.getString("status")),
                BillingCycle.custom(rs.getInt("cycle_months")),
                rs.getObject("anchor_date", LocalDate.class),
                rs.getInt("anchor_day"),
                rs.getObject("trial_ends_on", LocalDate.class),
                rs.getObject("started_on", LocalDate.class),
                rs.getObject("ended_on", LocalDate.class),
                rs.getBoolean("auto_charge"),
                PaymentMethod.valueOf(rs.getString("payment_method")),
                Jdbc.instant(rs, "updated_at"));
    }

    private static Map<TenantId, List<Grant>> grants(Connection c, String tenant) throws SQLException {
        String sql = "SELECT * FROM tenancy.tenancy_billing_overrides" + (tenant == null ? "" : " WHERE tenant_id = ?")
                + " ORDER BY id";
        Map<TenantId, List<Grant>> out = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (tenant != null) {
                s.setString(1, tenant);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    TenantId t = TenantId.of(rs.getString("tenant_id"));
                    out.computeIfAbsent(t, k -> new ArrayList<>())
                            .add(new Grant(
                                    rs.getLong("id"),
                                    t,
                                    OverrideJson.read(rs.getString("kind"), rs.getString("payload")),
                                    rs.getObject("valid_from", LocalDate.class),
                                    rs.getObject("valid_until", LocalDate.class),
                                    rs.getString("reason"),
                                    rs.getString("set_by"),
                                    Jdbc.instant(rs, "set_at"),
                                    rs.getObject("revoked_at") != null));
                }
            }
        }
        return out;
    }

    /** Builds {@link Subscriptions}. */
    static final class Builder {
        private final DataSource dataSource;
        private AuditLog audit;
        private PlanCatalog plans;
        private TenantCatalog catalog;
        private InstantSource clock = InstantSource.system();
        private ZoneId zone = ZoneOffset.UTC;
        private String fallbackPlan = "free";
        private TrialExpiry trialExpiry = TrialExpiry.FALL_BACK;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** See {@link Billing.Builder#fallbackPlan}. */
        public Builder fallbackPlan(String planKey) {
            this.fallbackPlan = planKey;
            return this;
        }

        /** See {@link Billing.Builder#onTrialExpiry}. */
        public Builder onTrialExpiry(TrialExpiry trialExpiry) {
            this.trialExpiry = Objects.requireNonNull(trialExpiry, "trialExpiry");
            return this;
        }

        /** Required: the plan versions subscriptions hold. */
        public Builder plans(PlanCatalog plans) {
            this.plans = plans;
            return this;
        }

        /** Where tenants' tiers follow their plans; {@code null} (the default) for none. */
        public Builder catalog(TenantCatalog catalog) {
            this.catalog = catalog;
            return this;
        }

        /** Required: where every change is recorded. */
        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The zone whose calendar days bill (UTC by default). */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        public Subscriptions build() {
            return new Subscriptions(this);
        }
    }
}
