package dev.tenancy.examples.reference;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.access.Invitation;
import dev.tenancy.access.Invitations;
import dev.tenancy.access.IssuedInvitation;
import dev.tenancy.context.TenantContext;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's team invitations (the seeds' "Team/Invitations" endpoints), and the public link an
 * invitee follows. The demo has no mailer and no tenant sign-in: the invitation's link comes back
 * in the response, and the tenant's admin is a fixed demo user.
 */
@RestController
public class TeamController {
    private final Invitations invitations;

    private final dev.tenancy.billing.UsageMeter usage;

    public TeamController(Invitations invitations, dev.tenancy.billing.UsageMeter usage) {
        this.invitations = invitations;
        this.usage = usage;
    }

    @GetMapping({"/api/team/invitations", "/t/{tenant}/api/team/invitations"})
    List<Invitation> list() {
        return invitations.ofTenant(TenantContext.require());
    }

    /** Sends an invitation: {@code {"email": "jane@acme.com", "role": "accountant"}}. */
    @PostMapping({"/api/team/invitations", "/t/{tenant}/api/team/invitations"})
    ResponseEntity<Map<String, Object>> invite(@RequestBody Map<String, String> body) {
        TenantId tenant = TenantContext.require();
        usage.enforce(tenant, dev.tenancy.billing.Metric.USERS, 1); // a pending invitation holds a seat
        return sent(invitations.invite(tenant, body.get("email"), body.get("role"), tenantAdmin(tenant)));
    }

    @PostMapping({"/api/team/invitations/{id}/resend", "/t/{tenant}/api/team/invitations/{id}/resend"})
    ResponseEntity<Map<String, Object>> resend(@PathVariable("id") String id) {
        requireOwn(id);
        return sent(invitations.resend(id, tenantAdmin(TenantContext.require())));
    }

    @DeleteMapping({"/api/team/invitations/{id}", "/t/{tenant}/api/team/invitations/{id}"})
    Invitation cancel(@PathVariable("id") String id) {
        requireOwn(id);
        return invitations.cancel(id, tenantAdmin(TenantContext.require()));
    }

    /**
     * The invitee follows the link: {@code {"userId": "..."}} is the account the application created
     * or found for them. Served with no tenant: the token names it.
     */
    @PostMapping("/join/{token}")
    Invitation join(@PathVariable("token") String token, @RequestBody Map<String, String> body) {
        return invitations.accept(token, body.get("userId"));
    }

    /** Another tenant's invitation is as unknown here as a missing one. */
    private void requireOwn(String id) {
        TenantId tenant = TenantContext.require();
        invitations
                .find(id)
                .filter(i -> i.tenant().equals(tenant))
                .orElseThrow(() -> new IllegalArgumentException("No invitation " + id));
    }

    private static Actor tenantAdmin(TenantId tenant) {
        return Actor.user("admin@" + tenant.value() + ".example", "company_admin");
    }

    private static ResponseEntity<Map<String, Object>> sent(IssuedInvitation sent) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invitation", sent.invitation());
        body.put("link", "/join/" + sent.token());
        return ResponseEntity.created(
                        URI.create("/api/team/invitations/" + sent.invitation().id()))
                .body(body);
    }
}
