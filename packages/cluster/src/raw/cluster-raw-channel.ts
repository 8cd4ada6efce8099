import { hasFlag } from "@ioredis/commands";
import { RedisConnectionError, RedisTimeoutError } from "@polars-redis/core";
import {
  openRawChannel,
  type RawChannel,
  type RawEndpoint,
  respValueLength,
} from "@polars-redis/core/internal";
import { parseRedirect } from "../batch/classify-reply.js";
import type { ClusterEventLog } from "../cluster-events.js";
import { isFirstKeyCommand, slotOfUnsplitCommand } from "../commands/command-plan.js";
import { keySlot } from "../commands/key-slot.js";
import type { ClusterTopology } from "../topology/cluster-topology.js";
import { addressKey, type NodeAddress } from "../topology/node-address.js";
import type { MasterNode } from "../topology/slot-map.js";
import { commandElements, commandName, firstArgumentRange } from "./resp-framing.js";

const ASKING_COMMAND = Buffer.from("*1\r\n$6\r\nASKING\r\n");
const MINUS = 0x2d;

/**
 * One command in flight: its bytes (kept for a redirect or a re-send) and, once it has come back, where its
 * reply sits (a range of a received chunk, so neighbouring replies of one chunk go on as one slice, without
 * copies).
 */
interface InFlight {
  readonly bytes: Buffer;
  readonly slot: number;
  /** Read-only (HGETALL, HMGET, GET, XRANGE, ...): sending it again after its node died cannot change data. */
  readonly readOnly: boolean;
  reply: Buffer | undefined;
  replyStart: number;
  replyEnd: number;
  redirections: number;
  /** When the command first had to wait (TRYAGAIN, CLUSTERDOWN, a lost node): its retry window starts there. */
  waitingSince: number | undefined;
}

/** The raw socket to one node, and the commands it owes replies for, in the order it was sent them. */
interface NodeLink {
  readonly address: NodeAddress;
  channel: RawChannel | undefined;
  /** Bytes written before the socket was open. */
  queued: Buffer[];
  /** Commands awaiting this node's replies ("asking" stands for the reply to an ASKING). */
  awaiting: Array<InFlight | "asking" | undefined>;
  head: number;
  /** The start of a reply whose end has not arrived yet. */
  partial: Buffer | undefined;
  /** The link failed (its socket closed, or a reply was overdue): late bytes from it are ignored. */
  dead: boolean;
  /** When the link last made progress: a reply arrived, or it went from owing nothing to owing a reply. */
  lastProgressAt: number;
  deadline: NodeJS.Timeout | undefined;
}

/** A reply that asks for another attempt (TRYAGAIN, CLUSTERDOWN): kept as the answer if patience runs out. */
interface ErrorReply {
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
}

export interface ClusterRawChannelOptions {
  readonly topology: ClusterTopology;
  readonly events: ClusterEventLog;
  /** How to open a raw socket to a node: its address with the cluster's credentials and TLS. */
  readonly endpointFor: (address: NodeAddress) => RawEndpoint;
  readonly maxRedirections: number;
  /**
   * How long a node may owe a reply without sending any byte before it counts as lost (the connection's
   * command timeout). 0 or undefined: no deadline.
   */
  readonly replyTimeoutMs?: number | undefined;
  /** How long commands wait through a failover, CLUSTERDOWN or TRYAGAIN before the last error stands. */
  readonly retryWindowMs: number;
  /** The pause before wait number `attempt` (0, 1, ...): the connection's backoff. */
  readonly backoffMs: (attempt: number) => number;
}

/**
 * A RawChannel over a whole cluster, for core's fast readers: the RESP commands written to it are routed to the
 * master of each command's key (one raw socket per master), and the replies come back as one byte stream in
 * the order the commands were written. Nothing is decoded on the way: commands and replies are only framed
 * (their length headers read).
 *
 * Per command, as the batch path does:
 * - MOVED: the slot map learns the new owner (and a full refresh is started), the command goes there;
 * - ASK: the command goes to the named node, ASKING first (for this one command only);
 * - TRYAGAIN: sent again to the slot's owner after a backoff; CLUSTERDOWN: the same after a topology refresh;
 *   both within `retryWindowMs`, after which the error reply itself is passed on;
 * - a node whose socket fails, or that owes a reply for `replyTimeoutMs` without sending a byte, is dropped:
 *   its unanswered read-only commands wait for the slot map to settle (refreshes with backoff, within
 *   `retryWindowMs`) and are sent again to their slot's master then. Since each command keeps its place in
 *   the written order and is answered once, the reader sees every reply exactly once, in order. A command
 *   that is not read-only and may have reached the dead node is never sent twice: the channel ends with a
 *   RedisConnectionError (outcome "unknown") instead.
 * The channel ends with an error only when that patience runs out (the last node error, or a
 * RedisTimeoutError), or when a command that is not read-only was lost. It sets no `replyTimeoutMs` of its
 * own: deadlines are per node, inside, so a reader does not give up while a failover is being waited out.
 */
export class ClusterRawChannel implements RawChannel {
  private readonly links = new Map<string, NodeLink>();
  /** Links by the slot map's master objects: routing a command then costs no string building. */
  private readonly linkByMaster = new WeakMap<MasterNode, NodeLink>();
  private readonly order: Array<InFlight | undefined> = [];
  private orderHead = 0;
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];
  private ended: { error: Error | undefined } | undefined;
  private readonly connecting = new Map<NodeLink, Promise<void>>();
  /** The last command name seen and its routing facts (a read writes one name over and over). */
  private lastName: Buffer | undefined;
  private lastNameIsFirstKey = false;
  private lastNameIsReadOnly = false;
  /** Commands waiting to be sent again, with why (an error reply to pass on if patience runs out). */
  private readonly retrying: Array<{ command: InFlight; reply: ErrorReply | undefined }> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryNeedsRefresh = false;
  /** Waits in a row without a reply in between: the backoff grows with it. */
  private retryAttempt = 0;

  constructor(private readonly options: ClusterRawChannelOptions) {}

  /**
   * Opens the sockets to every current master, so a node that cannot be reached is known before the read
   * starts. A master that is down is waited out like a failover (refreshes with backoff, within
   * `retryWindowMs`); then its error is thrown.
   */
  async open(): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await Promise.all(
          this.options.topology.map.masters.map((master) => this.connect(this.linkFor(master.address))),
        );
        return;
      } catch (error) {
        if (this.ended !== undefined || Date.now() - started >= this.options.retryWindowMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs(attempt)));
        await this.refreshQuietly();
      }
    }
  }

  write(bytes: Uint8Array): void {
    if (this.ended !== undefined) return;
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Consecutive commands for the same node leave in one socket write.
    let runLink: NodeLink | undefined;
    let runStart = 0;
    let runCommands: InFlight[] = [];
    let at = 0;
    while (at < buffer.length) {
      const length = respValueLength(buffer, at);
      if (length < 0) throw new Error("ClusterRawChannel.write() takes whole RESP commands");
      const bytesOfCommand = buffer.subarray(at, at + length);
      const slot = this.slotOf(bytesOfCommand);
      const command: InFlight = {
        bytes: bytesOfCommand,
        slot,
        readOnly: this.lastNameIsReadOnly,
        reply: undefined,
        replyStart: 0,
        replyEnd: 0,
        redirections: 0,
        waitingSince: undefined,
      };
      this.order.push(command);
      const link = this.linkForSlot(slot);
      if (link !== runLink) {
        if (runLink !== undefined) this.send(runLink, buffer.subarray(runStart, at), runCommands);
        runLink = link;
        runStart = at;
        runCommands = [];
      }
      if (link === undefined) this.wait(command, undefined, this.unservedError(slot), true);
      else runCommands.push(command);
      at += length;
    }
    if (runLink !== undefined) this.send(runLink, buffer.subarray(runStart, at), runCommands);
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    if (this.ended !== undefined) listener(this.ended.error);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.end(undefined);
  }

  /** The slot that routes a command: its first argument's for most, found by name for the others. */
  private slotOf(command: Buffer): number {
    const name = commandName(command);
    if (this.lastName === undefined || !name.equals(this.lastName)) {
      this.lastName = Buffer.from(name);
      const text = name.toString("latin1").toLowerCase();
      this.lastNameIsFirstKey = isFirstKeyCommand(text);
      this.lastNameIsReadOnly = isReadOnly(text);
    }
    if (this.lastNameIsFirstKey) {
      const keyRange = firstArgumentRange(command);
      return keyRange === undefined ? -1 : keySlot(command.subarray(keyRange[0], keyRange[1]));
    }
    const [commandWord, ...args] = commandElements(command);
    return slotOfUnsplitCommand([commandWord!.toString("latin1"), ...args]);
  }

  /** The link to the master of `slot`, or undefined when no master serves it (mid-failover). */
  private linkForSlot(slot: number): NodeLink | undefined {
    const map = this.options.topology.map;
    const owner = slot < 0 ? map.anyMaster() : map.ownerOf(slot);
    if (owner === undefined) return undefined;
    const known = this.linkByMaster.get(owner);
    if (known !== undefined && !known.dead) return known;
    const link = this.linkFor(owner.address);
    this.linkByMaster.set(owner, link);
    return link;
  }

  private linkFor(address: NodeAddress): NodeLink {
    const key = addressKey(address);
    let link = this.links.get(key);
    if (link === undefined) {
      link = {
        address,
        channel: undefined,
        queued: [],
        awaiting: [],
        head: 0,
        partial: undefined,
        dead: false,
        lastProgressAt: Date.now(),
        deadline: undefined,
      };
      this.links.set(key, link);
      void this.connect(link);
    }
    return link;
  }

  private connect(link: NodeLink): Promise<void> {
    let opening = this.connecting.get(link);
    if (opening === undefined) {
      opening = openRawChannel(this.options.endpointFor(link.address)).then(
        (channel) => {
          if (this.ended !== undefined || link.dead) {
            channel.close();
            if (this.ended === undefined) throw new Error(`${addressKey(link.address)} was dropped`);
            return;
          }
          link.channel = channel;
          channel.onData((chunk) => this.receive(link, chunk));
          channel.onClose((error) => {
            this.lose(link, error ?? new Error(`${addressKey(link.address)} closed the raw channel`));
          });
          for (const bytes of link.queued) channel.write(bytes);
          link.queued = [];
        },
        (error: unknown) => {
          this.lose(link, error as Error);
          throw error;
        },
      );
      this.connecting.set(link, opening);
      opening.catch(() => undefined);
    }
    return opening;
  }

  private send(link: NodeLink, bytes: Buffer, commands: readonly (InFlight | "asking")[]): void {
    if (link.head === link.awaiting.length) {
      // The link owed nothing: its reply deadline starts now.
      link.lastProgressAt = Date.now();
      this.armDeadline(link);
    }
    for (const command of commands) link.awaiting.push(command);
    if (link.channel !== undefined) link.channel.write(bytes);
    else link.queued.push(bytes);
  }

  private armDeadline(link: NodeLink): void {
    const timeoutMs = this.options.replyTimeoutMs ?? 0;
    if (timeoutMs <= 0 || link.deadline !== undefined) return;
    const check = () => {
      link.deadline = undefined;
      if (link.dead || this.ended !== undefined || link.head === link.awaiting.length) return;
      const idle = Date.now() - link.lastProgressAt;
      if (idle < timeoutMs) {
        link.deadline = setTimeout(check, timeoutMs - idle);
        return;
      }
      this.lose(
        link,
        new RedisTimeoutError({
          message: `${addressKey(link.address)} sent no reply within ${timeoutMs} ms (${link.awaiting.length - link.head} replies outstanding on the raw channel)`,
          timeoutMs,
        }),
      );
    };
    link.deadline = setTimeout(check, timeoutMs);
  }

  private receive(link: NodeLink, chunk: Buffer): void {
    if (link.dead || this.ended !== undefined) return;
    link.lastProgressAt = Date.now();
    const buffer = link.partial === undefined ? chunk : Buffer.concat([link.partial, chunk]);
    let at = 0;
    try {
      for (;;) {
        const length = respValueLength(buffer, at);
        if (length < 0) break;
        this.settle(link, buffer, at, at + length);
        at += length;
      }
    } catch (error) {
      this.end(error as Error);
      return;
    }
    // Copy the unfinished tail, so the chunk it came from is not kept alive with it.
    link.partial = at < buffer.length ? Buffer.from(buffer.subarray(at)) : undefined;
    this.flush();
  }

  /** One complete reply from `link` (`buffer[start, end)`): the answer to its oldest command, unless it redirects. */
  private settle(link: NodeLink, buffer: Buffer, start: number, end: number): void {
    const command = link.awaiting[link.head];
    link.awaiting[link.head++] = undefined;
    if (link.head > 4096 && link.head * 2 > link.awaiting.length) {
      link.awaiting.splice(0, link.head);
      link.head = 0;
    }
    if (command === undefined) throw new Error(`${addressKey(link.address)} sent a reply nobody asked for`);
    if (command === "asking") return;
    if (buffer[start] === MINUS && this.redirected(link, command, buffer, start, end)) return;
    this.retryAttempt = 0;
    command.reply = buffer;
    command.replyStart = start;
    command.replyEnd = end;
  }

  /** Follows a MOVED, ASK, TRYAGAIN or CLUSTERDOWN reply; false for any other error (the reader's answer). */
  private redirected(link: NodeLink, command: InFlight, buffer: Buffer, start: number, end: number): boolean {
    const text = buffer.toString("latin1", start + 1, Math.min(end - 2, start + 300));
    if (text.startsWith("MOVED ") || text.startsWith("ASK ")) {
      if (command.redirections >= this.options.maxRedirections) return false;
      const redirect = parseRedirect(text, link.address.host);
      if (redirect === undefined) return false;
      command.redirections++;
      const address = this.options.topology.resolve(redirect.address);
      const target = this.linkFor(address);
      if (text.startsWith("MOVED ")) {
        this.options.topology.map.assign(redirect.slot, address);
        this.options.events.emit({ type: "moved", slot: redirect.slot, node: addressKey(address) });
        // The rest of the map may have changed too (a failover, a finished migration): reload it, shared.
        void this.refreshQuietly();
        this.send(target, command.bytes, [command]);
      } else {
        this.options.events.emit({ type: "ask", slot: redirect.slot, node: addressKey(address) });
        this.send(target, Buffer.concat([ASKING_COMMAND, command.bytes]), ["asking", command]);
      }
      return true;
    }
    const reply = { buffer, start, end };
    if (text.startsWith("TRYAGAIN")) {
      this.options.events.emit({ type: "tryagain", command: commandName(command.bytes).toString("latin1") });
      // Each new attempt may meet ASK again (the keys are split between the nodes): the retry window, not the
      // redirection count, bounds these waits.
      command.redirections = 0;
      return this.wait(command, reply, new Error(text), false);
    }
    if (text.startsWith("CLUSTERDOWN")) {
      this.options.events.emit({ type: "clusterdown", message: text });
      return this.wait(command, reply, new Error(text), true);
    }
    return false;
  }

  /**
   * Queues a command to be sent again after a backoff (and a topology refresh when `refresh`). Returns false
   * when its retry window is spent: the caller then lets `reply` stand, or, without one, the channel ends.
   */
  private wait(command: InFlight, reply: ErrorReply | undefined, error: Error, refresh: boolean): boolean {
    const now = Date.now();
    command.waitingSince ??= now;
    if (now - command.waitingSince >= this.options.retryWindowMs) {
      if (reply === undefined) this.end(error);
      return false;
    }
    this.retrying.push({ command, reply });
    this.retryNeedsRefresh ||= refresh;
    if (this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => void this.resend(), this.options.backoffMs(this.retryAttempt++));
    }
    return true;
  }

  /** Sends the waiting commands again, each to its slot's master as the (refreshed) slot map says. */
  private async resend(): Promise<void> {
    if (this.retryNeedsRefresh) {
      this.retryNeedsRefresh = false;
      await this.refreshQuietly();
    }
    this.retryTimer = undefined;
    if (this.ended !== undefined) return;
    const byLink = new Map<NodeLink, { bytes: Buffer[]; commands: InFlight[] }>();
    for (const { command, reply } of this.retrying.splice(0)) {
      const link = this.linkForSlot(command.slot);
      if (link === undefined) {
        if (!this.wait(command, reply, this.unservedError(command.slot), true) && reply !== undefined) {
          this.answerWith(command, reply);
        }
        continue;
      }
      let group = byLink.get(link);
      if (group === undefined) {
        group = { bytes: [], commands: [] };
        byLink.set(link, group);
      }
      group.bytes.push(command.bytes);
      group.commands.push(command);
    }
    for (const [link, group] of byLink) this.send(link, Buffer.concat(group.bytes), group.commands);
    this.flush();
  }

  /** Patience ran out for a command with an error reply: that reply is its answer. */
  private answerWith(command: InFlight, reply: ErrorReply): void {
    command.reply = reply.buffer;
    command.replyStart = reply.start;
    command.replyEnd = reply.end;
  }

  /**
   * A node's socket failed or its replies are overdue: the link is dropped, and its unanswered commands wait
   * for the slot map to settle and go to their slot's master then. A command that is not read-only and may
   * have reached the node ends the channel: sending it twice could apply it twice.
   */
  private lose(link: NodeLink, error: Error): void {
    if (link.dead || this.ended !== undefined) return;
    link.dead = true;
    clearTimeout(link.deadline);
    const key = addressKey(link.address);
    if (this.links.get(key) === link) this.links.delete(key);
    this.connecting.delete(link);
    const wasOpen = link.channel !== undefined;
    link.channel?.close();
    const stranded: InFlight[] = [];
    for (let i = link.head; i < link.awaiting.length; i++) {
      const command = link.awaiting[i];
      if (command !== undefined && command !== "asking" && command.reply === undefined) {
        stranded.push(command);
      }
    }
    link.awaiting = [];
    link.head = 0;
    link.queued = [];
    link.partial = undefined;
    if (stranded.length === 0) return;
    const unsafe = wasOpen ? stranded.find((command) => !command.readOnly) : undefined;
    if (unsafe !== undefined) {
      this.end(
        new RedisConnectionError({
          message: `lost ${key} with ${stranded.length} replies outstanding on the raw channel, ${commandName(unsafe.bytes).toString("latin1")} among them (not read-only, so not sent again): ${error.message}`,
          host: link.address.host,
          port: link.address.port,
          outcome: "unknown",
          cause: error,
        }),
      );
      return;
    }
    this.options.events.emit({
      type: "raw-node-lost",
      node: key,
      commands: stranded.length,
      message: error.message,
    });
    const lost = new RedisConnectionError({
      message: `lost ${key} with ${stranded.length} replies outstanding on the raw channel and no master took over its slots within ${this.options.retryWindowMs} ms: ${error.message}`,
      host: link.address.host,
      port: link.address.port,
      outcome: wasOpen ? "unknown" : "rejected",
      cause: error,
    });
    for (const command of stranded) {
      if (!this.wait(command, undefined, lost, true)) return;
    }
  }

  private unservedError(slot: number): RedisConnectionError {
    return new RedisConnectionError({
      message:
        slot < 0
          ? "no master is known (the cluster is down)"
          : `no master serves slot ${slot} (failover in progress or cluster down)`,
      outcome: "rejected",
    });
  }

  private async refreshQuietly(): Promise<void> {
    try {
      await this.options.topology.refresh();
    } catch {
      // No node answered: the next attempt finds out again, within the retry window.
    }
  }

  /**
   * Passes on, in the order they were written, the replies of the oldest commands that have one. Replies that
   * are neighbours in one received chunk go on as one slice of it.
   */
  private flush(): void {
    if (this.ended !== undefined) return;
    let chunk: Buffer | undefined;
    let start = 0;
    let end = 0;
    while (this.orderHead < this.order.length) {
      const command = this.order[this.orderHead]!;
      const reply = command.reply;
      if (reply === undefined) break;
      this.order[this.orderHead++] = undefined;
      if (reply === chunk && command.replyStart === end) {
        end = command.replyEnd;
        continue;
      }
      if (chunk !== undefined) this.emit(chunk.subarray(start, end));
      chunk = reply;
      start = command.replyStart;
      end = command.replyEnd;
    }
    if (chunk !== undefined) this.emit(chunk.subarray(start, end));
    if (this.orderHead > 4096 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }

  private emit(bytes: Buffer): void {
    for (const listener of this.dataListeners) listener(bytes);
  }

  private end(error: Error | undefined): void {
    if (this.ended !== undefined) return;
    this.ended = { error };
    clearTimeout(this.retryTimer);
    this.retrying.length = 0;
    for (const link of this.links.values()) {
      link.dead = true;
      clearTimeout(link.deadline);
      link.channel?.close();
    }
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}

/** Whether Redis flags the command read-only (module commands it does not know count as not read-only). */
function isReadOnly(lowerName: string): boolean {
  try {
    return hasFlag(lowerName, "readonly");
  } catch {
    return false;
  }
}
