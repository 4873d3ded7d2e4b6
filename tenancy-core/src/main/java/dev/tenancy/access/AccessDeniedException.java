package dev.tenancy.access;

import dev.tenancy.Actor;
import dev.tenancy.TenancyException;

/** An actor tried something its {@link AccessPolicy} does not grant. */
public class AccessDeniedException extends TenancyException {
    private static final long serialVersionUID = 1L;

    private final Actor actor;
    private final Permission permission;

    public AccessDeniedException(Actor actor, Permission permission) {
        super("Actor '" + actor.id() + "' (role " + actor.role() + ") does not hold " + permission
                + ": grant it to the role or to the actor in the AccessPolicy");
        this.actor = actor;
        this.permission = permission;
    }

    public Actor actor() {
        return actor;
    }

    /** The permission that was missing. */
    public Permission permission() {
        return permission;
    }
}
