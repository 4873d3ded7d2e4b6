package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Money is never floating point: no field, parameter, return value or conversion of float or double in billing. */
class NoFloatingPointTest {
    private static final Set<String> FLOATING =
            Set.of("double", "float", Double.class.getName(), Float.class.getName());

    @Test
    void billing_never_touches_float_or_double() {
        JavaClasses billing = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tenancy.billing");
        assertThat(billing).isNotEmpty();
        List<String> found = new ArrayList<>();
        for (JavaClass c : billing) {
            for (JavaField f : c.getFields()) {
                if (FLOATING.contains(f.getRawType().getName())) {
                    found.add(f.getFullName());
                }
            }
            for (JavaCodeUnit u : c.getCodeUnits()) {
                if (FLOATING.contains(u.getRawReturnType().getName())
                        || u.getRawParameterTypes().stream().anyMatch(t -> FLOATING.contains(t.getName()))) {
                    found.add(u.getFullName());
                }
                for (JavaMethodCall call : u.getMethodCallsFromSelf()) {
                    String name = call.getName();
                    if (name.equals("doubleValue")
                            || name.equals("floatValue")
                            || FLOATING.contains(
                                    call.getTarget().getRawReturnType().getName())) {
                        found.add(u.getFullName() + " calls " + call.getTarget().getFullName());
                    }
                }
            }
        }
        assertThat(found).as("floating point in billing").isEmpty();
    }
}
