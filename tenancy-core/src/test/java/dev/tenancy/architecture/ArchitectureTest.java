package dev.tenancy.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tenancy.context.TenantContext;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tenancy");

    @Test
    void core_dependsOnNoFramework() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "org.hibernate..", "org.jooq..", "jakarta.servlet..")
                .check(CORE);
    }

    @Test
    void onlyTheContextHoldsAThreadLocal() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(TenantContext.class.getName())
                .should()
                .dependOnClassesThat()
                .areAssignableTo(ThreadLocal.class)
                .check(CORE);
    }

    @Test
    void nothingUsesInheritableThreadLocal() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .areAssignableTo(InheritableThreadLocal.class)
                .check(CORE);
    }

    @Test
    void apiPackages_doNotExposeInternalsToEachOtherCyclically() {
        noClasses()
                .that()
                .resideInAPackage("dev.tenancy.internal..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tenancy.catalog..", "dev.tenancy.resolve..", "dev.tenancy.context..")
                .check(CORE);
    }
}
