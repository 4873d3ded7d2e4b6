package dev.tenancy.examples.reference;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says where the demo is and how to sign in, once it takes requests (the demo command runs Maven quietly). */
@Component
class ReadyBanner {

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort()
                : 8080;
        String base = "http://localhost:" + port;
        System.out.println(banner(base));
    }

    static String banner(String base) {
        return String.join(
                System.lineSeparator(),
                "",
                "  Tenancy reference app is up.",
                "  Admin console:  " + base + "/admin/   sign in as admin/admin, sales/sales or support/support",
                "  Tenants' API:   curl -H 'X-Tenant-ID: acme' " + base + "/api/campaigns",
                "                  curl " + base + "/t/initech/api/campaigns   (initech has a database of its own)",
                "  Ctrl-C stops it.",
                "");
    }
}
