package hwaas.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of the house, checked on the compiled classes (docs/architecture.md draws them): packages by feature
 * without cycles, the wiring on top, cross-cutting pieces at the bottom.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchitectureTest {
  private JavaClasses hwaas;

  @BeforeAll
  void importClasses() {
    hwaas = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("hwaas");
    assertTrue(hwaas.size() > 50, "the production classes were not found: " + hwaas.size());
  }

  @Test
  @DisplayName("no cycles between packages")
  void packagesAreFreeOfCycles() {
    check(slices().matching("hwaas.(*)..").should().beFreeOfCycles());
  }

  @Test
  @DisplayName("features never reach the wiring: node, bench and cli use the features, never the other way round; nothing uses cli")
  void featuresNeverReachTheWiring() {
    check(noClasses().that().resideOutsideOfPackages("hwaas.node..", "hwaas.cli..", "hwaas.bench..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.node..", "hwaas.bench..", "hwaas.cli.."));
    check(noClasses().that().resideOutsideOfPackage("hwaas.cli..")
        .should().dependOnClassesThat().resideInAPackage("hwaas.cli.."));
  }

  @Test
  @DisplayName("support (outage log, audit trail, printer, back-off) depends on nothing of HWaaS")
  void supportDependsOnNothingOfHwaas() {
    check(classes().that().resideInAPackage("hwaas.support..")
        .should().onlyDependOnClassesThat(resideInAPackage("hwaas.support..").or(resideOutsideOfPackage("hwaas.."))));
  }

  @Test
  @DisplayName("storage never knows the web, the workers or the clients")
  void storageNeverKnowsTheWeb() {
    check(noClasses().that().resideInAnyPackage("hwaas.queue..", "hwaas.redis..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.http..", "io.vertx.ext.web..", "hwaas.worker..",
            "hwaas.client..", "hwaas.stats..", "hwaas.cluster.."));
  }

  @Test
  @DisplayName("job types and handlers know nothing of how jobs are stored, served or scheduled")
  void jobsStandAlone() {
    check(noClasses().that().resideInAPackage("hwaas.jobs..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.queue..", "hwaas.redis..", "hwaas.http..",
            "hwaas.worker..", "hwaas.client..", "hwaas.cluster..", "hwaas.stats.."));
  }

  @Test
  @DisplayName("the REST API and the workers do not know each other; clients know neither")
  void httpAndWorkersAreApart() {
    check(noClasses().that().resideInAPackage("hwaas.http..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.worker..", "hwaas.client.."));
    check(noClasses().that().resideInAPackage("hwaas.worker..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.http..", "hwaas.client.."));
    check(noClasses().that().resideInAPackage("hwaas.client..")
        .should().dependOnClassesThat().resideInAnyPackage("hwaas.http..", "hwaas.worker.."));
  }

  private void check(ArchRule rule) {
    rule.check(hwaas);
  }
}
