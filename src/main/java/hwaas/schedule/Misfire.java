package hwaas.schedule;

/** What a schedule does about ticks that passed while no node ran ({@code --misfire}). */
public enum Misfire {
  /** Nothing: the next tick is the next job. */
  SKIP,
  /** One job for the latest missed tick, however many were missed. */
  ONCE
}
