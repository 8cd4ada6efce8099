export {
  type DtypeInput,
  type DtypeName,
  dtypeLabel,
  isDtypeName,
  resolveDtype,
  type ScalarDtype,
  type ScanDtype,
  type TimeUnit,
  toPolarsDtype,
} from "./dtype.js";
export { parseBoolean } from "./parse/parse-boolean.js";
export { type ParseDateOptions, parseDate } from "./parse/parse-date.js";
export {
  type Instant,
  instantToUnit,
  type ParseDatetimeOptions,
  parseDatetime,
  parseInstant,
} from "./parse/parse-datetime.js";
export { parseFloat64 } from "./parse/parse-float.js";
export { parseInt32, parseInt64 } from "./parse/parse-integer.js";
export { resolveSchema, type SchemaField, type SchemaInput } from "./schema.js";
