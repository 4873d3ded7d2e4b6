package dev.tenancy.examples.reference.admin;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.ConsentSource;
import dev.tenancy.access.Impersonation;
import dev.tenancy.access.ImpersonationRequest;
import dev.tenancy.access.Impersonations;
import dev.tenancy.access.Invitation;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.IssuedInvitation;
import dev.tenancy.access.Permission;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.billing.Billing;
import dev.tenancy.billing.BillingOverride;
import dev.tenancy.billing.Grant;
import dev.tenancy.billing.Limit;
import dev.tenancy.billing.Subscription;
import dev.tenancy.billing.Terms;
import dev.tenancy.billing.ThrottleAwareness;
import dev.tenancy.billing.UsageMeter;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.examples.reference.Plans;
import dev.tenancy.flags.FeatureFlags;
import dev.tenancy.flags.FlagDefinition;
import dev.tenancy.flags.FlagEvaluation;
import dev.tenancy.flags.FlagOverride;
import dev.tenancy.flags.FlagStore;
import dev.tenancy.provision.TenantOffboarding;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.settings.TenantSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The platform admin console's API (the admin manual's tenant management, feature flags,
 * impersonation and audit): every call is made by a signed-in staff member, checked against the
 * {@link AccessPolicy} and audited by the library with that actor.
 */
@RestController
@RequestMapping("/admin/api")
public class AdminController {
    private final TenantCatalog catalog;
    private final TenantProvisioner provisioner;
    private final FeatureFlags flags;
    private final FlagStore flagStore;
    private final AuditLog audit;
    private final Impersonations impersonations;
    private final AccessPolicy policy;
    private final Billing billing;
    private final UsageMeter usage;
    private final Plans plans;
    private final Invitations invitations;
    private final TenantSettings settings;
    private final TenantOffboarding offboarding;

    public AdminController(
            TenantCatalog catalog,
            TenantProvisioner provisioner,
            FeatureFlags flags,
            FlagStore flagStore,
            AuditLog audit,
            Impersonations impersonations,
            AccessPolicy policy,
            Billing billing,
            UsageMeter usage,
            Plans plans,
            Invitations invitations,
            TenantSettings settings,
            TenantOffboarding offboarding) {
        this.catalog = catalog;
        this.provisioner = provisioner;
        this.flags = flags;
        this.flagStore = flagStore;
        this.audit = audit;
        this.impersonations = impersonations;
        this.policy = policy;
        this.billing = billing;
        this.usage = usage;
        this.plans = plans;
        this.invitations = invitations;
        this.settings = settings;
        this.offboarding = offboarding;
    }

    /** The staff member signed in, as the library's actor: the user name and its role. */
    static Actor actor(Authentication authentication) {
        String role = authentication.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("ROLE_"))
                .map(authority -> authority.substring("ROLE_".length()))
                .findFirst()
                .orElse("none");
        return Actor.user(authentication.getName(), role);
    }

    @GetMapping("/me")
    Map<String, Object> me(Authentication authentication) {
        Actor actor = actor(authentication);
        return Map.of(
                "user",
                actor.id(),
                "role",
                actor.role(),
                "permissions",
                policy.permissionsOf(actor).stream()
                        .map(Permission::name)
                        .sorted()
                        .toList());
    }

    @GetMapping("/tenants")
    Page<Tenant> tenants(
            Authentication authentication,
            @RequestParam(required = false) String search,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String tier,
            @RequestParam(required = false) Integer expiringWithinDays,
            @RequestParam(defaultValue = "name") String sort,
            @RequestParam(defaultValue = "false") boolean descending,
            @RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "50") int limit) {
        policy.require(actor(authentication), Permission.TENANTS_LIST);
        TenantQuery.Sort by = switch (sort) {
            case "name" -> TenantQuery.Sort.NAME;
            case "created" -> TenantQuery.Sort.CREATED;
            default ->
                throw new IllegalArgumentException("Tenants sort by name or created, not " + sort.length()
                        + "-character '" + (sort.length() > 20 ? sort.substring(0, 20) + "..." : sort) + "'");
        };
        TenantQuery.Builder query =
                TenantQuery.builder().sort(by, descending).offset(offset).limit(limit);
        if (search != null && !search.isBlank()) {
            query.search(search);
        }
        if (status != null && !status.isBlank()) {
            query.status(status(status));
        }
        if (tier != null && !tier.isBlank()) {
            query.tier(tier);
        }
        if (expiringWithinDays != null) {
            query.expiringBefore(Instant.now().plus(Duration.ofDays(expiringWithinDays)));
        }
        return catalog.list(query.build());
    }

    @GetMapping("/tenants/{id}")
    Map<String, Object> tenant(Authentication authentication, @PathVariable String id) {
        policy.require(actor(authentication), Permission.TENANTS_READ);
        TenantId tenant = TenantId.of(id);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("tenant", catalog.require(tenant));
        detail.put("domains", catalog.domains(tenant));
        List<Map<String, Object>> features = new ArrayList<>();
        for (FlagDefinition definition : flagStore.definitions()) {
            FlagEvaluation evaluation = flags.evaluate(definition.key(), tenant, null);
            features.add(Map.of(
                    "key", definition.key(),
                    "description", definition.description() == null ? "" : definition.description(),
                    "category", definition.category().name(),
                    "enabled", evaluation.enabled(),
                    "reason", evaluation.reason().name()));
        }
        detail.put("features", features);
        detail.put("overrides", flagStore.overrides(tenant));
        detail.put("ownerLogin", ownerLogin(tenant));
        detail.put("settings", settings.all(tenant));
        detail.put("team", invitations.ofTenant(tenant));
        if (policy.allows(actor(authentication), Permission.AUDIT_SECURITY_EVENTS_READ)) {
            detail.put(
                    "securityEvents",
                    audit.query(AuditQuery.builder()
                                    .tenant(tenant)
                                    .entityType(SecurityEvents.ENTITY_TYPE)
                                    .limit(20)
                                    .build())
                            .items());
        }
        if (policy.allows(actor(authentication), Permission.BILLING_READ)) {
            detail.put(
                    "subscription", billing.subscriptions().subscription(tenant).orElse(null));
            detail.put("grants", billing.subscriptions().grants(tenant));
            // the plan whose limits apply today: the fallback (free) plan once a subscription has ended
            detail.put(
                    "effectivePlan",
                    billing.subscriptions()
                            .terms(tenant)
                            .map(t -> Map.of("plan", t.plan().key(), "fallback", t.fallback()))
                            .orElse(null));
            detail.put("campaignsThisMonth", usage.check(tenant, Plans.CAMPAIGNS, 1)); // limit, used, remaining
        }
        return detail;
    }

    /** Registers a tenant; with {@code "approve": true} it is provisioned and active at once. */
    @PostMapping("/tenants")
    Tenant register(Authentication authentication, @RequestBody NewTenant body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_CREATE);
        TenantRegistration.Builder registration = TenantRegistration.builder(TenantId.of(body.id()), body.name());
        if (body.tier() != null) {
            registration.tier(body.tier());
        }
        if (body.isolation() != null) {
            registration.isolation(IsolationModel.fromKey(body.isolation()));
        }
        if (body.ownerEmail() != null) {
            registration.ownerEmail(body.ownerEmail());
        }
        Tenant registered = catalog.register(registration.build(), actor);
        if (!Boolean.TRUE.equals(body.approve())) {
            return registered;
        }
        Tenant active = provisioner.provision(registered.id(), actor);
        plans.subscribe(active, actor);
        return active;
    }

    /**
     * The admin manual's "owner login" (its first company admin), set up by invitation rather than
     * by a password sent around: {@code configured} once an owner invitation was accepted, {@code
     * invited} while one is pending, else {@code not_configured}.
     */
    private Map<String, Object> ownerLogin(TenantId tenant) {
        List<Invitation> owners = invitations.ofTenant(tenant).stream()
                .filter(i -> i.role().equals(OWNER_ROLE))
                .toList();
        Map<String, Object> login = new LinkedHashMap<>();
        owners.stream()
                .filter(i -> i.status() == Invitation.Status.ACCEPTED)
                .findFirst()
                .ifPresentOrElse(
                        i -> {
                            login.put("status", "configured");
                            login.put("email", i.email());
                            login.put("userId", i.decidedBy());
                        },
                        () -> owners.stream()
                                .filter(i -> i.status() == Invitation.Status.PENDING)
                                .findFirst()
                                .ifPresentOrElse(
                                        i -> {
                                            login.put("status", "invited");
                                            login.put("email", i.email());
                                            login.put("invitation", i.id());
                                            login.put("expiresAt", i.expiresAt());
                                        },
                                        () -> login.put("status", "not_configured")));
        return login;
    }

    /** The role of a tenant's owner login. */
    public static final String OWNER_ROLE = "company_admin";

    /**
     * Sets up a tenant's owner login: invites {@code {"email": ...}} as its company admin. The demo
     * returns the link; a deployment mails it.
     */
    @PostMapping("/tenants/{id}/owner-invitation")
    Map<String, Object> inviteOwner(
            Authentication authentication, @PathVariable String id, @RequestBody Map<String, String> body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_UPDATE);
        IssuedInvitation sent = invitations.invite(TenantId.of(id), body.get("email"), OWNER_ROLE, actor);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("invitation", sent.invitation());
        result.put("link", "/join/" + sent.token());
        return result;
    }

    /**
     * The tenant-management page's "Create Test Tenant": a sandbox for a demo or a trial run,
     * provisioned at once with the sample data every tenant gets, that expires after {@code days}
     * (7 by default, at most 90); the starter's sweep then archives and purges it. It has no
     * subscription, so the billing cycle never charges it.
     */
    @PostMapping("/sandboxes")
    Tenant createSandbox(Authentication authentication, @RequestBody(required = false) NewSandbox body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_CREATE);
        int days = body == null || body.days() == null ? 7 : body.days();
        if (days < 1 || days > MAX_SANDBOX_DAYS) {
            throw new IllegalArgumentException("A sandbox lives 1 to " + MAX_SANDBOX_DAYS + " days, not " + days
                    + "; extend it later if it is still needed");
        }
        TenantId id =
                TenantId.of("sandbox-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        String name =
                body == null || body.name() == null || body.name().isBlank() ? "Sandbox " + id.value() : body.name();
        catalog.register(
                TenantRegistration.builder(id, name)
                        .tier(body == null || body.tier() == null ? "pro" : body.tier())
                        .attribute("sandbox", "true")
                        .expiresAt(Instant.now().plus(Duration.ofDays(days)))
                        .build(),
                actor);
        return provisioner.provision(id, actor);
    }

    /** The longest a sandbox lives without being extended. */
    static final int MAX_SANDBOX_DAYS = 90;

    /** A sandbox to create: its name, tier and life in days, all optional. */
    public record NewSandbox(String name, String tier, Integer days) {}

    /**
     * Extends or shortens a tenant's life ({@code {"expiresAt": ...}}), or keeps it for good
     * ({@code {"neverExpires": true}}): a sandbox a prospect wants to go on with.
     */
    @PostMapping("/tenants/{id}/expiry")
    Tenant changeExpiry(Authentication authentication, @PathVariable String id, @RequestBody ExpiryChange body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_UPDATE);
        TenantUpdate.Builder update = TenantUpdate.builder();
        if (body.neverExpires()) {
            update.neverExpires();
        }
        if (body.expiresAt() != null) {
            update.expiresAt(body.expiresAt());
        }
        return catalog.update(TenantId.of(id), update.build(), actor);
    }

    /** A new expiry, or none. */
    public record ExpiryChange(Instant expiresAt, boolean neverExpires) {}

    /** A tenant to register. */
    public record NewTenant(
            String id, String name, String tier, String isolation, String ownerEmail, Boolean approve) {}

    /** Approves a pending tenant: provisions its storage, activates it and subscribes it to its tier's plan. */
    @PostMapping("/tenants/{id}/approve")
    Tenant approve(Authentication authentication, @PathVariable String id) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_UPDATE);
        Tenant active = provisioner.provision(TenantId.of(id), actor);
        plans.subscribe(active, actor);
        return active;
    }

    /** Moves a tenant to another plan (an upgrade after a signed contract, say). */
    @PostMapping("/tenants/{id}/plan")
    Subscription changePlan(Authentication authentication, @PathVariable String id, @RequestBody PlanChange body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.BILLING_UPDATE);
        return billing.subscriptions().changePlan(TenantId.of(id), body.plan(), actor, body.reason());
    }

    /** A plan to move to. */
    public record PlanChange(String plan, String reason) {}

    /**
     * Raises (or lowers) one of a tenant's limits above its plan's, until a date or for good. Every
     * node's meter applies it the next time the tenant's allowance runs out (on PostgreSQL the
     * change is announced to all nodes; elsewhere other nodes apply it within {@code
     * tenancy.billing.terms-ttl}).
     */
    @PostMapping("/tenants/{id}/limits")
    Grant limit(Authentication authentication, @PathVariable String id, @RequestBody LimitChange body) {
        return grant(
                authentication,
                id,
                new BillingOverride.LimitOverride(body.metric(), Limit.hard(body.limit())),
                body.until(),
                body.reason());
    }

    /** Grants {@code override} to tenant {@code id} from today until {@code until} (or for good), audited with the reason. */
    private Grant grant(
            Authentication authentication, String id, BillingOverride override, LocalDate until, String reason) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.BILLING_UPDATE);
        return billing.subscriptions().grant(TenantId.of(id), override, null, until, actor, reason);
    }

    /** A limit to grant. */
    public record LimitChange(String metric, long limit, LocalDate until, String reason) {}

    /**
     * Grants free platform access (admin manual, chapter 16: internal demos, partner test
     * environments, sales-funded pilots), from today until {@code until} (or for good): the
     * subscription cycle skips the tenant. The reason is required; the grant is audited.
     */
    @PostMapping("/tenants/{id}/free-access")
    Grant grantFreeAccess(Authentication authentication, @PathVariable String id, @RequestBody FreeAccess body) {
        return grant(authentication, id, new BillingOverride.FreePlatformAccess(), body.until(), body.reason());
    }

    /** Free platform access to grant: why, and until when ({@code null}: no end). */
    public record FreeAccess(String reason, LocalDate until) {}

    /**
     * The admin manual's platform analytics (chapter 20) and upsell detection: monthly and annual
     * recurring revenue, the plan mix, active tenants, tenants new this month, and tenants that have
     * used at least 80 % of a limit this period (candidates for a bigger plan).
     */
    @GetMapping("/analytics")
    Map<String, Object> analytics(Authentication authentication) {
        policy.require(actor(authentication), Permission.ANALYTICS_READ);
        LocalDate today = billing.subscriptions().today();
        usage.flush(); // one node in the demo: count what it has not written yet
        Map<String, Object> analytics = new LinkedHashMap<>();
        analytics.put("mrr", billing.analytics().mrr(today));
        analytics.put("arr", billing.analytics().arr(today));
        analytics.put("planMix", billing.analytics().planMix(today));
        analytics.put(
                "activeTenants",
                catalog.list(TenantQuery.builder()
                                .status(TenantStatus.ACTIVE)
                                .limit(1)
                                .build())
                        .total());
        analytics.put("newTenantsThisMonth", billing.analytics().newTenants(today.withDayOfMonth(1), today));
        analytics.put( // the admin manual's churn: tenants archived (or who cancelled) this month
                "churnedThisMonth", billing.analytics().churnedTenants(today.withDayOfMonth(1), today));
        analytics.put("upsellCandidates", billing.analytics().upsellCandidates(8_000, today));
        return analytics;
    }

    @PostMapping("/tenants/{id}/reject")
    Tenant reject(Authentication authentication, @PathVariable String id, @RequestBody Reason body) {
        return transition(authentication, id, TenantStatus.REJECTED, Permission.TENANTS_UPDATE, body);
    }

    @PostMapping("/tenants/{id}/suspend")
    Tenant suspend(Authentication authentication, @PathVariable String id, @RequestBody Reason body) {
        return transition(authentication, id, TenantStatus.SUSPENDED, Permission.TENANTS_SUSPEND, body);
    }

    @PostMapping("/tenants/{id}/reactivate")
    Tenant reactivate(Authentication authentication, @PathVariable String id, @RequestBody Reason body) {
        return transition(authentication, id, TenantStatus.ACTIVE, Permission.TENANTS_SUSPEND, body);
    }

    /** Archives a tenant that churned (admin manual, chapter 11): read-only, kept for the retention period. */
    @PostMapping("/tenants/{id}/archive")
    Tenant archive(Authentication authentication, @PathVariable String id, @RequestBody Reason body) {
        return transition(authentication, id, TenantStatus.ARCHIVED, Permission.TENANTS_UPDATE, body);
    }

    /**
     * Downloads an archived tenant's data as a ZIP archive (one JSON lines file per table), for the
     * data hand-over the manual offers. Needs {@code platform.tenants.export}; refused (409) unless
     * the tenant is archived, before anything is written; recorded in the audit log.
     */
    @GetMapping(value = "/tenants/{id}/export", produces = "application/zip")
    ResponseEntity<org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody> export(
            Authentication authentication, @PathVariable String id) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_EXPORT);
        TenantId tenant = TenantId.of(id);
        dev.tenancy.TenantOperation.EXPORT.require(catalog.require(tenant));
        audit.append(dev.tenancy.audit.AuditEntry.of(
                "tenant.exported", "tenant", tenant.value(), tenant, actor, Map.of("format", "zip")));
        return ResponseEntity.ok()
                .header(
                        org.springframework.http.HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"" + tenant + "-export.zip\"")
                .body(out -> offboarding.export(tenant, out));
    }

    /**
     * Purges an archived tenant: its data, domains, invitations and settings. Refused within the
     * retention period unless {@code {"force": true}}.
     */
    @PostMapping("/tenants/{id}/purge")
    Tenant purge(Authentication authentication, @PathVariable String id, @RequestBody(required = false) Purge body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_UPDATE);
        return offboarding.purge(TenantId.of(id), actor, body != null && body.force());
    }

    /** Whether to purge before the retention period has passed. */
    public record Purge(boolean force) {}

    /** Why a change is made; required, it goes into the audit log. */
    public record Reason(String reason) {}

    private Tenant transition(
            Authentication authentication, String id, TenantStatus target, Permission permission, Reason body) {
        Actor actor = actor(authentication);
        policy.require(actor, permission);
        return catalog.transition(TenantId.of(id), target, actor, body == null ? null : body.reason());
    }

    /** Turns a feature on or off for one tenant, optionally until an instant. */
    @PutMapping("/tenants/{id}/flags/{key}")
    List<FlagOverride> override(
            Authentication authentication,
            @PathVariable String id,
            @PathVariable String key,
            @RequestBody FlagChange body) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.ENTITLEMENTS_CONFIGURE);
        TenantId tenant = TenantId.of(id);
        if (flagStore.definition(key).isEmpty()) {
            throw new IllegalArgumentException("There is no flag '" + key + "': define it first, or pick one of "
                    + flagStore.definitions().stream().map(FlagDefinition::key).toList());
        }
        flags.override(new FlagOverride(tenant, key, body.enabled(), null, body.expiresAt(), body.reason()), actor);
        return flagStore.overrides(tenant);
    }

    /** A feature turned on or off for a tenant. */
    public record FlagChange(boolean enabled, String reason, Instant expiresAt) {}

    @DeleteMapping("/tenants/{id}/flags/{key}")
    List<FlagOverride> clearOverride(
            Authentication authentication,
            @PathVariable String id,
            @PathVariable String key,
            @RequestParam String reason) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.ENTITLEMENTS_CONFIGURE);
        TenantId tenant = TenantId.of(id);
        flags.clearOverride(tenant, key, actor, reason);
        return flagStore.overrides(tenant);
    }

    @GetMapping("/flags")
    List<FlagDefinition> flagDefinitions(Authentication authentication) {
        policy.require(actor(authentication), Permission.TENANTS_READ);
        return flagStore.definitions();
    }

    /**
     * The quarterly review of free platform access (admin manual, chapter 30: "Once granted, no one
     * ever audits it"): every tenant that has it today, with who granted it, when, why and until
     * when, oldest grant first.
     */
    @GetMapping("/free-access")
    List<Grant> freeAccess(Authentication authentication) {
        policy.require(actor(authentication), Permission.BILLING_READ);
        LocalDate today = billing.subscriptions().today();
        return billing.subscriptions().allTerms(today).stream()
                .filter(Terms::freePlatformAccess)
                .flatMap(terms -> terms.grants().stream())
                .filter(grant -> grant.override() instanceof BillingOverride.FreePlatformAccess)
                .sorted(java.util.Comparator.comparing(Grant::grantedAt))
                .toList();
    }

    /**
     * Throttle awareness (admin manual, chapter 19): requests refused by the tenants' rate limits in
     * the last hour and day, and the longest retry-after; the audit log filtered by action {@code
     * throttle} says which tenant.
     */
    @GetMapping("/throttles")
    ThrottleAwareness throttles(Authentication authentication) {
        policy.require(actor(authentication), Permission.SECURITY_READ);
        return ThrottleAwareness.of(audit, Instant.now());
    }

    /**
     * The audit log (admin manual, chapter 18), newest first, filtered by action, entity type,
     * tenant, actor role, a date range ({@code from} included, {@code to} excluded) and free text in
     * the metadata.
     */
    @GetMapping("/audit")
    Page<AuditEvent> auditLog(
            Authentication authentication,
            @RequestParam(required = false) String tenant,
            @RequestParam(required = false) String action,
            @RequestParam(required = false) String entityType,
            @RequestParam(required = false) String actorRole,
            @RequestParam(required = false) Instant from,
            @RequestParam(required = false) Instant to,
            @RequestParam(required = false) String text,
            @RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "50") int limit) {
        Actor actor = actor(authentication);
        policy.require(actor, Permission.TENANTS_READ);
        boolean securityEvents = policy.allows(actor, Permission.AUDIT_SECURITY_EVENTS_READ);
        if (dev.tenancy.audit.SecurityEvents.ENTITY_TYPE.equals(entityType) && !securityEvents) {
            policy.require(actor, Permission.AUDIT_SECURITY_EVENTS_READ); // refused, naming the permission
        }
        AuditQuery.Builder query = AuditQuery.builder().offset(offset).limit(limit);
        if (tenant != null && !tenant.isBlank()) {
            query.tenant(TenantId.of(tenant));
        }
        if (action != null && !action.isBlank()) {
            query.action(action);
        }
        if (entityType != null && !entityType.isBlank()) {
            query.entityType(entityType);
        }
        if (actorRole != null && !actorRole.isBlank()) {
            query.actorRole(actorRole);
        }
        if (from != null || to != null) {
            query.between(from, to);
        }
        if (text != null && !text.isBlank()) {
            query.text(text);
        }
        Page<AuditEvent> page = audit.query(query.build());
        if (securityEvents) {
            return page;
        }
        // security events are for those who may read them: left out of everyone else's page
        return new Page<>(
                page.items().stream()
                        .filter(e -> !dev.tenancy.audit.SecurityEvents.ENTITY_TYPE.equals(e.entityType()))
                        .toList(),
                page.total(),
                page.offset(),
                page.limit());
    }

    /** Starts a read-only support session as a tenant's user, with the tenant's consent on record. */
    @PostMapping("/impersonations")
    Impersonation impersonate(Authentication authentication, @RequestBody ImpersonationStart body) {
        return impersonations.start(ImpersonationRequest.builder(
                        actor(authentication), TenantId.of(body.tenant()), body.user(), body.userRole())
                .reason(body.reason())
                .consent(ConsentSource.TICKET, body.ticket())
                .build());
    }

    /** A support session to start. */
    public record ImpersonationStart(String tenant, String user, String userRole, String reason, String ticket) {}

    @DeleteMapping("/impersonations/{id}")
    Impersonation endImpersonation(Authentication authentication, @PathVariable String id) {
        return impersonations.end(id, actor(authentication));
    }

    private static TenantStatus status(String status) {
        try {
            return TenantStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown status '" + status + "': use one of " + List.of(TenantStatus.values()), e);
        }
    }
}
