package dev.tenancy.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class QuickstartTest {

    private static JdbcDataSource freshH2() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return dataSource;
    }

    @Test
    void demo_tellsTheWholeStory() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        new Quickstart(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run(freshH2());
        String out = buffer.toString(StandardCharsets.UTF_8);

        assertThat(out)
                .contains("Host: acme.app.example.com")
                .containsPattern("Host: acme.app.example.com\\s+-> acme \\(by subdomain\\)")
                .containsPattern("Host: portal.initech.com\\s+-> initech \\(by custom-domain\\)")
                .containsPattern("X-Tenant-ID: globex, token tenant_id=acme\\s+-> refused: .*authenticated principal")
                .containsPattern("drop table--\\s+-> refused: .*does not name a valid tenant")
                .containsPattern("umbrella.app.example.com\\s+-> refused: Unknown tenant 'umbrella'")
                .contains("report job runs as acme")
                .containsPattern("globex \\(suspended\\)\\s+-> refused: .*suspended")
                .containsPattern("globex \\(archived\\)\\s+-> globex \\(by header, read-only\\)")
                .containsPattern("provisioned acme \\(own database\\) and 24 shops")
                .contains("acme sees 3 orders; shop-07 sees 3")
                .contains("behind version 2: 26 tenants")
                .containsPattern("26 migrated, 0 skipped, 0 failed, 0 not run")
                .contains("behind after the run: 0 tenants")
                .contains("shop-07 now has 3 invoices")
                .contains("exported {invoices=3, orders=3}")
                .containsPattern("refused: .*retention period")
                .contains("shop-24 is purged (forced purge: dropped schema t_shop_24)")
                .contains("sandbox-demo expires in 7 days and sees 3 sample orders")
                .contains("8 days later the expiry sweep retired [sandbox-demo] and purged [sandbox-demo]: purged"
                        + " (purged: dropped schema t_sandbox_demo)")
                .contains(
                        "shop-12: schema@default -> database@default, copied {invoices=3, orders=3}; it now sees 3 orders"
                                + " in its own database")
                .containsPattern("acme\\s+database sees 5 orders \\(jOOQ\\); over 20.00 \\(Hibernate\\):"
                        + " \\[Customer 3 of Acme Corp, Walk-in acme\\]")
                .containsPattern("shop-07\\s+schema\\s+sees 5 orders")
                .containsPattern(
                        "initech\\s+shared\\s+sees 2 orders \\(jOOQ\\); over 20.00 \\(Hibernate\\): \\[Walk-in initech\\]")
                .containsPattern("hooli\\s+shared\\s+sees 2 orders")
                .contains("the shared table holds 4 rows in all")
                .contains(
                        "new-editor at 25 %: [shop-07, shop-11, shop-13, shop-15, shop-16, shop-19, shop-20, shop-22]")
                .contains("new-editor at 50 %: [shop-02, shop-03, shop-07, shop-08")
                .contains(
                        "sso-saml for initech (free plan): FlagEvaluation[key=sso-saml, enabled=false, reason=DEFAULT")
                .contains("after a 14-day trial override:   FlagEvaluation[key=sso-saml, enabled=true, reason=OVERRIDE")
                .contains("enable module_b2b_storefront for acme -> enabled [module_b2b_storefront, wms_core]")
                .contains("export-limits: acme 50000 rows (override), initech 1000 rows (definition)")
                .contains(
                        "refused: Cannot disable module 'wms_core' for tenant 'acme': module_b2b_storefront requires it")
                .containsPattern("node 2 sees reports off for acme after \\d+ ms")
                .contains("catalog tiers follow the plans: acme pro, hooli business, initech free")
                .containsPattern(
                        "audit-trail for shop-05: off on standard, on on business \\(PLAN\\) \\d+ ms after the plan change")
                .contains("acme: professional@1, 15 % off, api_calls hard 50000, users hard 15")
                .contains("initech sent 10 invoices, then: Tenant 'initech' has used 10 of its 10 invoices")
                .contains("with a limit override of 12: initech sent 12")
                .contains("a retried webhook is counted once: COUNTED, DUPLICATE")
                .contains(
                        "a burst of 25 API calls at 10/s: 10 allowed; throttle awareness: ThrottleAwareness[lastHour=15")
                .contains("globex: Tenant 'globex' is archived: changing the plan is allowed only for")
                .containsPattern("dry run  \\d{4}-\\d{2}: created=5 skippedExisting=0 skippedFree=1 skippedStatus=1"
                        + " skippedNoCharge=1 notDue=0")
                .containsPattern("real run \\d{4}-\\d{2}: created=5 skippedExisting=0 skippedFree=1")
                .contains("run again:        created=0 skippedExisting=5")
                .containsPattern("BUNDLE\\s+Commerce OS\\s+USD 398.00")
                .containsPattern("DISCOUNT\\s+15 % off\\s+USD -71.55")
                .containsPattern("total\\s+USD 405.45")
                .contains("MRR {USD=USD 521.45}, ARR {USD=USD 6257.40}")
                .contains(
                        "sales-sam: refused: Actor 'sales-sam' (role sales_ops) does not hold platform.impersonation.start")
                .contains("write mode: refused: Actor 'ops-anna' (role system_admin) does not hold"
                        + " platform.impersonation.write_enable")
                .containsPattern("ops-anna impersonates jane@acme.com in acme \\(read_only\\) until")
                .contains("as jane@acme.com: sees 5 orders")
                .contains("as jane@acme.com: an UPDATE is refused: Tenant 'acme' is bound read-only")
                .contains("acme's audit shows 5 impersonation events")
                .containsPattern(
                        "invited omar@acme.com as accountant until \\d{4}-\\d{2}-\\d{2}; the link carries a 43-character token")
                .contains("accepted by user-omar: accepted in acme")
                .contains("the same link again: refused: This invitation to 'acme' was already accepted.")
                .contains("acme's branding before: Branding[primaryColor=#2563eb, logoUrl=null]")
                .contains("after a patch of one field: Branding[primaryColor=#ff6600, logoUrl=null]")
                .contains("refused: Invalid branding settings")
                .contains("verify: intact=true")
                .contains("verify: intact=false, first broken event #5");
    }

    @Test
    void readmeExample_servesAcme() {
        assertThat(ReadmeExample.run(freshH2()).value()).isEqualTo("acme");
    }
}
