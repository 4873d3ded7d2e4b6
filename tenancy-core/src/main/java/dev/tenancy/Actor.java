package dev.tenancy;

import java.util.Objects;

/**
 * Who performs an administrative change, as recorded in the audit log: a user id (or a system
 * actor's name, such as {@code billing-cycle}) and the role held at the time.
 *
 * @param id the user's id or the system actor's name, never blank
 * @param role the role at the time of the action, never blank
 */
public record Actor(String id, String role) {

    /** The role of built-in jobs and integrations. */
    public static final String SYSTEM_ROLE = "system";

    public Actor {
        Objects.requireNonNull(id, "actor id");
        Objects.requireNonNull(role, "actor role");
        if (id.isBlank() || id.length() > 200) {
            throw new IllegalArgumentException("Actor id must be 1 to 200 characters, was '" + id + "'");
        }
        if (role.isBlank() || role.length() > 64) {
            throw new IllegalArgumentException("Actor role must be 1 to 64 characters, was '" + role + "'");
        }
    }

    /** A person acting in {@code role}. */
    public static Actor user(String id, String role) {
        return new Actor(id, role);
    }

    /** A job or integration acting on its own, such as {@code trial-expiry}. */
    public static Actor system(String name) {
        return new Actor(name, SYSTEM_ROLE);
    }
}
