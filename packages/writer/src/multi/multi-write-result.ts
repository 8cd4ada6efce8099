import type { DestinationResult } from "./destination.js";

/** The outcome of `writeToMany`, destination by destination. */
export class MultiWriteResult {
  readonly destinations: readonly DestinationResult[];

  constructor(destinations: readonly DestinationResult[]) {
    this.destinations = destinations;
  }

  get(name: string): DestinationResult | undefined {
    return this.destinations.find((destination) => destination.name === name);
  }

  /** True when every destination succeeded. */
  allSucceeded(): boolean {
    return this.destinations.every((destination) => destination.status === "succeeded");
  }

  /** Names of the destinations that did not fully succeed (partial, timed out, aborted, failed). */
  failedDestinations(): string[] {
    return this.destinations
      .filter((destination) => destination.status !== "succeeded")
      .map(({ name }) => name);
  }

  /** Keys written, summed over destinations. */
  get totalWritten(): number {
    return this.destinations.reduce((sum, destination) => sum + (destination.result?.written ?? 0), 0);
  }

  /** Keys failed or unconfirmed, summed over destinations that reported per-key results. */
  get totalFailed(): number {
    return this.destinations.reduce((sum, destination) => sum + (destination.result?.failed ?? 0), 0);
  }
}
