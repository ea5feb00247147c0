package hwaas.chain;

import hwaas.jobs.JobContract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps a job asks to run after it ({@code "then": [step, ...]}), checked against the contract: each step is a job
 * ({@code {type, payload}}) or a fan-out ({@code {"all": [job, ...]}}). Step 0 is the submitted job itself; step
 * {@code s} of a chain is the job {@code <root>.s}, or the jobs {@code <root>.s.k} of a fan-out.
 */
public record ChainSpec(List<Step> steps) {
  /** Most steps after the first job, and most jobs of one fan-out: a chain is a plan, not a queue. */
  public static final int MAX_STEPS = 100;
  public static final int MAX_WIDTH = 100;

  /** One job of a step, its payload as JSON text. */
  public record StepJob(String type, String payload) {
  }

  /** A step: one job, or a fan-out of jobs that run in parallel (one or more). */
  public record Step(boolean fanOut, List<StepJob> jobs) {
  }

  /**
   * Reads {@code then}, naming the step that is wrong ({@code then[1].all[0]: sum payload: ...}); the previous step's
   * result joins each payload as {@code previous} when the step starts, so a payload is checked without it.
   *
   * @throws IllegalArgumentException naming the step and what is wrong
   */
  public static ChainSpec parse(Object then, JobContract contract) {
    if (!(then instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_STEPS) {
      throw new IllegalArgumentException("then must be an array of 1 to " + MAX_STEPS + " steps");
    }
    List<Step> steps = new ArrayList<>(array.size());
    for (int s = 0; s < array.size(); s++) {
      String where = "then[" + s + "]";
      if (!(array.getValue(s) instanceof JsonObject step)) {
        throw new IllegalArgumentException(where + ": a step is an object: {type, payload} or {all: [...]}");
      }
      if (step.containsKey("all")) {
        if (step.size() != 1 || !(step.getValue("all") instanceof JsonArray all) || all.isEmpty() || all.size() > MAX_WIDTH) {
          throw new IllegalArgumentException(where + ": a fan-out step is {\"all\": [1 to " + MAX_WIDTH + " jobs]} and nothing else");
        }
        List<StepJob> jobs = new ArrayList<>(all.size());
        for (int k = 0; k < all.size(); k++) {
          jobs.add(job(all.getValue(k), contract, where + ".all[" + k + "]"));
        }
        steps.add(new Step(true, List.copyOf(jobs)));
      } else {
        steps.add(new Step(false, List.of(job(step, contract, where))));
      }
    }
    return new ChainSpec(List.copyOf(steps));
  }

  private static StepJob job(Object value, JobContract contract, String where) {
    if (!(value instanceof JsonObject job) || !(job.getValue("type") instanceof String type)
        || !(job.getValue("payload") instanceof JsonObject payload)) {
      throw new IllegalArgumentException(where + ": a step's job is {\"type\": ..., \"payload\": {...}}");
    }
    for (String field : job.fieldNames()) {
      if (!field.equals("type") && !field.equals("payload")) {
        throw new IllegalArgumentException(where + ": a step's job has only type and payload, not " + field);
      }
    }
    if (payload.containsKey(ChainScripts.PREVIOUS)) {
      throw new IllegalArgumentException(where + ": 'previous' is filled in with the previous step's result");
    }
    try {
      contract.checkPayload(type, payload);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    return new StepJob(type, payload.encode());
  }

  /** The fields of the chain's hash that describe it ({@link ChainScripts} runs it from them). */
  List<String> fields(String root, String client, long now) {
    List<String> fields = new ArrayList<>();
    add(fields, "root", root, "client", client, "steps", Integer.toString(steps.size() + 1), "status", "running",
        "step", "0", "started:0", Long.toString(now), "createdAt", Long.toString(now));
    for (int s = 1; s <= steps.size(); s++) {
      Step step = steps.get(s - 1);
      List<StepJob> jobs = step.jobs();
      if (!step.fanOut()) {
        add(fields, "type:" + s, jobs.get(0).type(), "payload:" + s, jobs.get(0).payload());
      } else {
        add(fields, "width:" + s, Integer.toString(jobs.size()));
        for (int k = 0; k < jobs.size(); k++) {
          add(fields, "type:" + s + "." + k, jobs.get(k).type(), "payload:" + s + "." + k, jobs.get(k).payload());
        }
      }
    }
    return fields;
  }

  private static void add(List<String> fields, String... pairs) {
    fields.addAll(List.of(pairs));
  }
}
