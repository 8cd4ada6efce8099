import pl, { type DataType } from "nodejs-polars";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { closestName } from "../validation/did-you-mean.js";

/** Datetime precision. Values are stored as integer counts of this unit since the Unix epoch (UTC). */
export type TimeUnit = "ms" | "us" | "ns";

/**
 * A column type the scan engine can build, resolved from whatever the user passed (a nodejs-polars
 * DataType or a string such as "int64" or "datetime[ms, UTC]"). `list` and `struct` only make sense for
 * JSON documents; readers of flat values reject them.
 */
export type ScanDtype =
  | { readonly kind: "utf8" }
  | { readonly kind: "categorical" }
  | { readonly kind: "int64" }
  | { readonly kind: "int32" }
  | { readonly kind: "float64" }
  | { readonly kind: "float32" }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "datetime"; readonly unit: TimeUnit; readonly timeZone: string | null }
  | { readonly kind: "list"; readonly inner: ScanDtype }
  | { readonly kind: "struct"; readonly fields: readonly { name: string; dtype: ScanDtype }[] };

/** The flat dtype names `resolveDtype` reads (any letter case works at run time; these spellings type-check). */
type ScalarDtypeName =
  | "utf8"
  | "string"
  | "str"
  | "categorical"
  | "cat"
  | "int64"
  | "i64"
  | "int32"
  | "i32"
  | "float64"
  | "f64"
  | "double"
  | "float32"
  | "f32"
  | "boolean"
  | "bool"
  | "date";

type DatetimeDtypeName = "datetime" | `datetime[${TimeUnit}]` | `datetime[${TimeUnit}, ${string}]`;

/**
 * A dtype by name: "int64", "Int64", "INT64", "utf8", "datetime[ms, UTC]", "list[int64]", ... A typo such as
 * "integer" or "int" does not compile (and is refused at run time with the list of names).
 */
export type DtypeName =
  | ScalarDtypeName
  | Capitalize<ScalarDtypeName>
  | Uppercase<ScalarDtypeName>
  | DatetimeDtypeName
  | Capitalize<DatetimeDtypeName>
  | `list[${string}]`
  | `List[${string}]`;

/** What users may pass as a dtype: a nodejs-polars DataType (`pl.Int64`, `pl.Datetime("ms", "UTC")`) or a name. */
export type DtypeInput = DataType | DtypeName;

/** True when `text` is a dtype name `resolveDtype` accepts (for names read from files or command lines). */
export function isDtypeName(text: unknown): text is DtypeName {
  if (typeof text !== "string") return false;
  try {
    resolveDtypeName(text, "dtype");
    return true;
  } catch {
    return false;
  }
}

/** The flat (non-nested) dtypes, in the order the docs list them. */
export type ScalarDtype = Exclude<ScanDtype, { kind: "list" } | { kind: "struct" }>;

const SCALAR_NAMES: Readonly<Record<string, ScalarDtype>> = {
  utf8: { kind: "utf8" },
  string: { kind: "utf8" },
  str: { kind: "utf8" },
  categorical: { kind: "categorical" },
  cat: { kind: "categorical" },
  int64: { kind: "int64" },
  i64: { kind: "int64" },
  int32: { kind: "int32" },
  i32: { kind: "int32" },
  float64: { kind: "float64" },
  f64: { kind: "float64" },
  double: { kind: "float64" },
  float32: { kind: "float32" },
  f32: { kind: "float32" },
  boolean: { kind: "boolean" },
  bool: { kind: "boolean" },
  date: { kind: "date" },
};

/** Names from other type systems, mapped to ours for the hint. */
const DTYPE_ALIASES: Readonly<Record<string, string>> = {
  integer: "int64",
  int: "int64",
  long: "int64",
  bigint: "int64",
  float: "float64",
  number: "float64",
  text: "utf8",
  varchar: "utf8",
  timestamp: "datetime[ms]",
  time: "datetime[ms]",
  list: "list[utf8]",
};

const KNOWN_NAMES =
  "utf8, categorical, int64, int32, float64, float32, boolean, date, datetime[ms|us|ns(, time zone)], list[...]";

/**
 * Turns a user's dtype into a ScanDtype, or throws an InvalidArgumentError naming `argument` (e.g.
 * `schema.age`). Called while options are validated, so a bad dtype fails before any I/O.
 */
export function resolveDtype(input: unknown, argument: string): ScanDtype {
  if (typeof input === "string") return resolveDtypeName(input, argument);
  if (input === pl.Datetime) return { kind: "datetime", unit: "us", timeZone: null };
  if (input !== null && typeof input === "object" && "variant" in input) {
    return resolvePolarsDtype(input as DataType, argument);
  }
  throw new InvalidArgumentError(
    argument,
    `expected a nodejs-polars DataType or a dtype name (${KNOWN_NAMES}), got ${describe(input)}`,
  );
}

function resolvePolarsDtype(dtype: DataType, argument: string): ScanDtype {
  switch (dtype.variant) {
    case "Utf8":
    case "String":
      return { kind: "utf8" };
    case "Categorical":
      return { kind: "categorical" };
    case "Int64":
      return { kind: "int64" };
    case "Int32":
      return { kind: "int32" };
    case "Float64":
      return { kind: "float64" };
    case "Float32":
      return { kind: "float32" };
    case "Bool":
      return { kind: "boolean" };
    case "Date":
      return { kind: "date" };
    case "Datetime": {
      const [unit, timeZone] = (
        dtype as unknown as { inner: [string | undefined, string | null | undefined] }
      ).inner;
      // nodejs-polars reports a naive Datetime read from a frame with the time zone "".
      return datetime(unit ?? "us", timeZone || null, argument);
    }
    case "List": {
      const [inner] = (dtype as unknown as { inner: [DataType] }).inner;
      return { kind: "list", inner: resolveDtype(inner, `${argument}[]`) };
    }
    case "Struct": {
      const fields = (dtype as unknown as { inner: { name: string; dtype: DataType }[] }).inner;
      return {
        kind: "struct",
        fields: fields.map((field) => ({
          name: field.name,
          dtype: resolveDtype(field.dtype, `${argument}.${field.name}`),
        })),
      };
    }
    default:
      throw new InvalidArgumentError(
        argument,
        `unsupported dtype ${String(dtype)}; supported: ${KNOWN_NAMES}`,
      );
  }
}

function resolveDtypeName(text: string, argument: string): ScanDtype {
  const name = text.trim().toLowerCase();
  const scalar = SCALAR_NAMES[name];
  if (scalar) return scalar;
  const list = /^list\s*\[(.+)\]$/.exec(name);
  if (list)
    return {
      kind: "list",
      inner: resolveDtypeName(text.trim().slice(text.indexOf("[") + 1, -1), `${argument}[]`),
    };
  const datetimeMatch = /^datetime\s*(?:\[\s*([a-zμ]+)\s*(?:,\s*([^\]]+?)\s*)?\])?$/i.exec(text.trim());
  if (datetimeMatch) {
    const unit = (datetimeMatch[1] ?? "us").toLowerCase().replace("μ", "u");
    return datetime(unit, datetimeMatch[2] ?? null, argument);
  }
  const alias = DTYPE_ALIASES[name] ?? closestName(name, Object.keys(SCALAR_NAMES));
  throw new InvalidArgumentError(
    argument,
    `unknown dtype ${JSON.stringify(text)}${alias === undefined ? "" : `; did you mean ${JSON.stringify(alias)}?`} (supported: ${KNOWN_NAMES})`,
  );
}

function datetime(unit: string, timeZone: string | null, argument: string): ScanDtype {
  if (unit !== "ms" && unit !== "us" && unit !== "ns") {
    throw new InvalidArgumentError(
      argument,
      `unknown time unit ${JSON.stringify(unit)}; use "ms", "us" or "ns"`,
    );
  }
  if (timeZone !== null && !isValidTimeZone(timeZone)) {
    throw new InvalidArgumentError(
      argument,
      `unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as "UTC" or "Europe/Paris"`,
    );
  }
  return { kind: "datetime", unit, timeZone };
}

/** True for time zones the platform's Intl knows (IANA names, "UTC", fixed offsets such as "+02:00"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The nodejs-polars DataType a column of this dtype has. */
export function toPolarsDtype(dtype: ScanDtype): DataType {
  switch (dtype.kind) {
    case "utf8":
      return pl.Utf8;
    case "categorical":
      return pl.Categorical;
    case "int64":
      return pl.Int64;
    case "int32":
      return pl.Int32;
    case "float64":
      return pl.Float64;
    case "float32":
      return pl.Float32;
    case "boolean":
      return pl.Bool;
    case "date":
      return pl.Date;
    case "datetime":
      return pl.Datetime(dtype.unit, dtype.timeZone ?? undefined);
    case "list":
      return pl.List(toPolarsDtype(dtype.inner));
    case "struct":
      return pl.Struct(
        Object.fromEntries(dtype.fields.map((field) => [field.name, toPolarsDtype(field.dtype)])),
      );
  }
}

/** A short, stable name for messages and errors: "Int64", "Datetime(ms, UTC)", "List(Int64)". */
export function dtypeLabel(dtype: ScanDtype): string {
  switch (dtype.kind) {
    case "utf8":
      return "Utf8";
    case "categorical":
      return "Categorical";
    case "int64":
      return "Int64";
    case "int32":
      return "Int32";
    case "float64":
      return "Float64";
    case "float32":
      return "Float32";
    case "boolean":
      return "Boolean";
    case "date":
      return "Date";
    case "datetime":
      return dtype.timeZone === null
        ? `Datetime(${dtype.unit})`
        : `Datetime(${dtype.unit}, ${dtype.timeZone})`;
    case "list":
      return `List(${dtypeLabel(dtype.inner)})`;
    case "struct":
      return `Struct(${dtype.fields.map((field) => `${field.name}: ${dtypeLabel(field.dtype)}`).join(", ")})`;
  }
}

/** Narrows to the flat dtypes, or throws: Redis hashes, strings, sets, ... hold flat values only. */
export function requireScalarDtype(dtype: ScanDtype, argument: string): ScalarDtype {
  if (dtype.kind === "list" || dtype.kind === "struct") {
    throw new InvalidArgumentError(argument, `${dtypeLabel(dtype)} is only supported for JSON documents`);
  }
  return dtype;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function")
    return `function ${value.name || "(anonymous)"} (did you forget to call it?)`;
  return typeof value;
}
