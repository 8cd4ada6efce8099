import { createHash } from "node:crypto";

const bodiesBySha = new Map<string, string>();

/**
 * A Lua script sent by SHA1 (EVALSHA). Every script is remembered by its SHA, so a server that answers NOSCRIPT
 * (it restarted, or is a cluster node that has not seen the script yet) can be sent the body instead.
 */
export class LuaScript {
  readonly body: string;
  readonly sha: string;

  constructor(body: string) {
    this.body = body;
    this.sha = createHash("sha1").update(body).digest("hex");
    bodiesBySha.set(this.sha, body);
  }

  static bodyOf(sha: string): string | undefined {
    return bodiesBySha.get(sha);
  }
}
