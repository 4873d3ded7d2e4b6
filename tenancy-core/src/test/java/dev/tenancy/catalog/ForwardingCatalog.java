package dev.tenancy.catalog;

import dev.tenancy.Actor;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import java.util.List;
import java.util.Optional;

/** Forwards every call; tests override what they observe. */
class ForwardingCatalog implements TenantCatalog {
    private final TenantCatalog delegate;

    ForwardingCatalog(TenantCatalog delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<Tenant> find(TenantId id) {
        return delegate.find(id);
    }

    @Override
    public TenantDomain setPrimaryDomain(String domain, Actor actor) {
        return delegate.setPrimaryDomain(domain, actor);
    }

    @Override
    public Optional<TenantId> findByDomain(String host) {
        return delegate.findByDomain(host);
    }

    @Override
    public List<TenantDomain> domains(TenantId id) {
        return delegate.domains(id);
    }

    @Override
    public Page<Tenant> list(TenantQuery query) {
        return delegate.list(query);
    }

    @Override
    public java.util.Map<String, Long> countByServer(dev.tenancy.IsolationModel isolation) {
        return delegate.countByServer(isolation);
    }

    @Override
    public Tenant register(TenantRegistration registration, Actor actor) {
        return delegate.register(registration, actor);
    }

    @Override
    public Tenant update(TenantId id, TenantUpdate update, Actor actor) {
        return delegate.update(id, update, actor);
    }

    @Override
    public Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason) {
        return delegate.transition(id, target, actor, reason);
    }

    @Override
    public TenantDomain addDomain(TenantId id, String domain, Actor actor) {
        return delegate.addDomain(id, domain, actor);
    }

    @Override
    public TenantDomain verifyDomain(String domain, Actor actor) {
        return delegate.verifyDomain(domain, actor);
    }

    @Override
    public void unverifyDomain(String domain, Actor actor, String reason) {
        delegate.unverifyDomain(domain, actor, reason);
    }

    @Override
    public void removeDomain(String domain, Actor actor) {
        delegate.removeDomain(domain, actor);
    }
}
