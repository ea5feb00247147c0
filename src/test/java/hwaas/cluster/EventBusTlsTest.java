package hwaas.cluster;

import hwaas.node.NodeSettings;
import hwaas.node.Node;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import hwaas.jobs.JobHandlers;
import hwaas.support.Printer;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The event bus between nodes over mutual TLS, with a keystore made by the JDK's keytool. */
class EventBusTlsTest {

  @Test
  @DisplayName("nodes sharing the cluster keystore talk over TLS; a node without it cannot reach them")
  void encryptedEventBus(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("cluster.p12");
    String password = "tls-test-password";
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "hwaas", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=hwaas-test",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", password, "-keypass", password).inheritIO().start();
    assertEquals(0, keytool.waitFor());

    NodeSettings local = TestConfigs.local(0, 0, 1);
    NodeSettings tls = local.withCluster(local.cluster().withKeystore(keystore, password));
    NodeSettings plain = tls.withCluster(tls.cluster().withKeystore(null, null));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node a = Node.start(tls, JobHandlers.standard(printer, tls.limits()));
      Node b = Node.start(tls, JobHandlers.standard(printer, tls.limits()));
      Node outsider = Node.start(plain, JobHandlers.standard(printer, plain.limits()));
      try {
        a.vertx().eventBus().<String>consumer("tls.echo", m -> m.reply("over TLS: " + m.body()))
            .completion().await(5, TimeUnit.SECONDS);
        Thread.sleep(500); // the registration reaches the other members

        String reply = b.vertx().eventBus().<String>request("tls.echo", "hello").await(10, TimeUnit.SECONDS).body();
        assertEquals("over TLS: hello", reply);

        DeliveryOptions quick = new DeliveryOptions().setSendTimeout(2_000);
        assertThrows(Exception.class, () -> outsider.vertx().eventBus().request("tls.echo", "let me in", quick)
            .await(10, TimeUnit.SECONDS));
      } finally {
        outsider.stop();
        b.stop();
        a.stop();
      }
    }
  }
}
