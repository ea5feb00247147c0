package hwaas.http;

import hwaas.jobs.JobContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The REST contract: the node's {@link JobContract} document, compiled for request validation. The document that
 * validates every request is the one {@code GET /api/openapi.yaml} serves.
 */
record ApiContract(String yaml, OpenAPIContract contract) {

  static Future<ApiContract> load(Vertx vertx, JobContract jobs) {
    return OpenAPIContract.from(vertx, jobs.document()).map(contract -> new ApiContract(jobs.yaml(), contract));
  }
}
