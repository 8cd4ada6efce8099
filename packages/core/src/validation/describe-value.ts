/** A short, safe description of what a caller passed, for error messages ("a string \"abc\"", "null", ...). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return `a string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)}`;
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isPromiseLike(value)) return "a Promise (is an `await` missing?)";
  if (looksLikeDataFrame(value))
    return `a DataFrame (${(value as { columns: string[] }).columns.length} columns)`;
  if (looksLikeSeries(value)) return "a Series";
  if (Buffer.isBuffer(value)) return "a Buffer";
  const name = (value as object).constructor?.name;
  if (name && name !== "Object") return `a ${name}`;
  const keys = Object.keys(value as object);
  return keys.length === 0
    ? "an empty object"
    : `an object with keys ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", ..." : ""}`;
}

export function isPromiseLike(value: unknown): boolean {
  return (
    value != null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** A nodejs-polars DataFrame, recognised by shape (another installed copy of nodejs-polars counts too). */
export function looksLikeDataFrame(value: unknown): boolean {
  if (value == null || typeof value !== "object") return false;
  const frame = value as { columns?: unknown; height?: unknown; getColumn?: unknown; lazy?: unknown };
  return (
    Array.isArray(frame.columns) &&
    typeof frame.height === "number" &&
    typeof frame.getColumn === "function" &&
    typeof frame.lazy === "function"
  );
}

function looksLikeSeries(value: unknown): boolean {
  if (value == null || typeof value !== "object") return false;
  const series = value as { dtype?: unknown; toArray?: unknown; len?: unknown; columns?: unknown };
  return (
    series.dtype !== undefined &&
    typeof series.toArray === "function" &&
    typeof series.len === "function" &&
    series.columns === undefined
  );
}
