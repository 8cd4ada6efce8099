import type { RedisConnection, RedisReply } from "@polars-redis/core";
import { ftCall } from "../internal/ft-call.js";
import { checkCall } from "../internal/option-names.js";
import { paramsArgs, queryAndParams } from "../search/search-hashes.js";
import type { ParamValue, Query } from "./query.js";

/** FT.EXPLAIN: the server's execution tree for a query (builder or string), with PARAMS and DIALECT 2. */
export async function explainQuery(
  conn: RedisConnection,
  index: string,
  query: Query | string,
  params?: Readonly<Record<string, ParamValue>>,
): Promise<string> {
  checkCall("explainQuery", conn);
  const rendered = queryAndParams(query, params);
  const reply: RedisReply = await ftCall(
    conn,
    "FT.EXPLAIN",
    index,
    rendered.query,
    ...paramsArgs(rendered.params),
    "DIALECT",
    "2",
  );
  if (Array.isArray(reply)) return reply.map(String).join("\n");
  return Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
}
