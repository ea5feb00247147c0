package hwaas.http;

import hwaas.jobs.JobContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The REST contract: the node's {@link JobContract} document, compiled for request validation. The document that
 * validates every request is the one {@code GET /api/openapi.yaml} serves, but for the routes {@code HttpVerticle}
 * sets up by hand: the submissions, which {@code JobsApi} checks with the contract's own compiled schemas, and
 * {@link #EVENTS}, as the router's contract support knows no {@code text/event-stream}.
 */
record ApiContract(String yaml, OpenAPIContract contract) {
  static final String EVENTS = "/api/jobs/{id}/events";

  static Future<ApiContract> load(Vertx vertx, JobContract jobs) {
    JsonObject document = jobs.document();
    JsonObject paths = document.getJsonObject("paths");
    paths.remove(EVENTS);
    paths.remove("/api/jobs/batch");
    paths.getJsonObject("/api/jobs").remove("post");
    return OpenAPIContract.from(vertx, document).map(contract -> new ApiContract(jobs.yaml(), new ValidatorCache(contract)));
  }
}
