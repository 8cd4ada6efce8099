import type { RedisArgument } from "@polars-redis/core";
import type { PayloadWriter } from "./payload-writer.js";
import type { KeyUnit } from "./write-plan.js";

/**
 * One key for a script plan. Its payload (the arguments after TTL and count in the script's layout) comes in
 * parts: one for almost every key, several for a key too large for one call.
 */
export interface ScriptUnit extends KeyUnit {
  /** Expire after this many ms; 0 for none. */
  readonly ttl: number;
  /** Parts to send; 0 when the unit has nothing to write (it is then reported as skipped). */
  readonly partCount: number;
  /** Arguments in part `part`. */
  itemCount(part: number): number;
  /** Writes part `part`'s arguments, in order. */
  writePart(part: number, out: PayloadWriter): void;
}

/** A ScriptUnit over arguments already at hand as JS values (strings, numbers). */
export class ArgumentsUnit implements ScriptUnit {
  readonly partCount: number;

  constructor(
    readonly key: string,
    readonly ttl: number,
    private readonly parts: readonly (readonly RedisArgument[])[],
  ) {
    this.partCount = parts.length;
  }

  itemCount(part: number): number {
    return this.parts[part]!.length;
  }

  writePart(part: number, out: PayloadWriter): void {
    for (const argument of this.parts[part]!) {
      if (typeof argument === "string") out.text(argument);
      else if (typeof argument === "number") out.text(String(argument));
      else out.binary(argument);
    }
  }
}
