package io.switchyard.server.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages follow the data flow, each using only those after it: a statement enters through
 * {@code frontend} (with {@code protocol}'s messages), which asks {@code runtime} for the
 * configuration in force and {@code routing} for a server; {@code routing} picks from
 * {@code topology}'s hostgroups, whose servers are {@code backend} pools. {@code monitor} feeds
 * {@code backend}'s server health from beside the data path, and {@code digest}/{@code stats}
 * count what ran. {@code admin} and {@code server} (wiring) sit on top. The README's package map
 * says the same.
 */
class PackageLayersTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        ImportOption mainCodeOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(mainCodeOnly).importPackages("io.switchyard");
    }

    @Test
    void everyModuleIsImported() {
        assertThat(classes.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
                .contains("server", "admin", "frontend", "monitor", "runtime", "routing", "topology", "backend", "stats", "digest", "protocol");
    }

    @Test
    void packagesHaveNoImportCycles() {
        slices().matching("io.switchyard.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageUsesOnlyThoseAfterItInTheDataFlow() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("server").definedBy("io.switchyard.server..")
                .layer("admin").definedBy("io.switchyard.admin..")
                .layer("frontend").definedBy("io.switchyard.frontend..")
                .layer("monitor").definedBy("io.switchyard.monitor..")
                .layer("runtime").definedBy("io.switchyard.runtime..")
                .layer("routing").definedBy("io.switchyard.routing..")
                .layer("topology").definedBy("io.switchyard.topology..")
                .layer("backend").definedBy("io.switchyard.backend..")
                .layer("stats").definedBy("io.switchyard.stats..")
                .layer("digest").definedBy("io.switchyard.digest..")
                .layer("protocol").definedBy("io.switchyard.protocol..")
                .whereLayer("server").mayNotBeAccessedByAnyLayer()
                .whereLayer("admin").mayOnlyBeAccessedByLayers("server")
                .whereLayer("frontend").mayOnlyBeAccessedByLayers("server", "admin")
                .whereLayer("monitor").mayOnlyBeAccessedByLayers("server", "admin")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor")
                .whereLayer("routing").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor", "runtime")
                .whereLayer("topology").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor", "runtime", "routing")
                .whereLayer("backend").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor", "runtime", "routing",
                        "topology")
                .whereLayer("stats").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor")
                .whereLayer("digest").mayOnlyBeAccessedByLayers("server", "admin", "frontend", "monitor", "stats")
                .check(classes);
    }
}
