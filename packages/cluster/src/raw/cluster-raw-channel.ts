import { openRawChannel, type RawChannel, type RawEndpoint, RedisConnectionError } from "@polars-redis/core";
import { parseRedirect } from "../batch/classify-reply.js";
import type { ClusterEventLog } from "../cluster-events.js";
import { isFirstKeyCommand, slotOfUnsplitCommand } from "../commands/command-plan.js";
import { keySlot } from "../commands/key-slot.js";
import type { ClusterTopology } from "../topology/cluster-topology.js";
import { addressKey, type NodeAddress } from "../topology/node-address.js";
import type { MasterNode } from "../topology/slot-map.js";
import { commandElements, commandName, firstArgumentRange, respValueLength } from "./resp-framing.js";

const ASKING_COMMAND = Buffer.from("*1\r\n$6\r\nASKING\r\n");
const MINUS = 0x2d;

/**
 * One command in flight: its bytes (kept for a redirect) and, once it has come back, where its reply sits (a
 * range of a received chunk, so neighbouring replies of one chunk go on as one slice, without copies).
 */
interface InFlight {
  readonly bytes: Buffer;
  readonly slot: number;
  reply: Buffer | undefined;
  replyStart: number;
  replyEnd: number;
  redirections: number;
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
}

export interface ClusterRawChannelOptions {
  readonly topology: ClusterTopology;
  readonly events: ClusterEventLog;
  /** How to open a raw socket to a node: its address with the cluster's credentials and TLS. */
  readonly endpointFor: (address: NodeAddress) => RawEndpoint;
  readonly maxRedirections: number;
}

/**
 * A RawChannel over a whole cluster, for core's fast readers: the RESP commands written to it are routed to the
 * master of each command's key (one raw socket per master), and the replies come back as one byte stream in
 * the order the commands were written. Nothing is decoded on the way: commands and replies are only framed
 * (their length headers read). A MOVED or ASK reply is not passed on: the command is re-sent where the cluster
 * says (ASKING first for ASK), up to `maxRedirections` times. A node socket that fails ends the channel
 * with its error, as a standalone channel's socket would.
 */
export class ClusterRawChannel implements RawChannel {
  private readonly links = new Map<string, NodeLink>();
  /** Links by the slot map's master objects: routing a command then costs no string building. */
  private readonly linkByMaster = new Map<MasterNode, NodeLink>();
  private readonly order: Array<InFlight | undefined> = [];
  private orderHead = 0;
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];
  private ended: { error: Error | undefined } | undefined;
  private readonly connecting = new Map<NodeLink, Promise<void>>();
  /** The last command name seen and whether its key is its first argument (a read writes one name over and over). */
  private lastName: Buffer | undefined;
  private lastNameIsFirstKey = false;

  constructor(private readonly options: ClusterRawChannelOptions) {}

  /** Opens the sockets to every current master, so a node that cannot be reached fails here, not mid-read. */
  async open(): Promise<void> {
    await Promise.all(
      this.options.topology.map.masters.map((master) => this.connect(this.linkFor(master.address))),
    );
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
        reply: undefined,
        replyStart: 0,
        replyEnd: 0,
        redirections: 0,
      };
      this.order.push(command);
      const link = this.linkForSlot(slot);
      if (link === undefined) return;
      if (link !== runLink) {
        if (runLink !== undefined) this.send(runLink, buffer.subarray(runStart, at), runCommands);
        runLink = link;
        runStart = at;
        runCommands = [];
      }
      runCommands.push(command);
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
      this.lastNameIsFirstKey = isFirstKeyCommand(name.toString("latin1"));
    }
    if (this.lastNameIsFirstKey) {
      const keyRange = firstArgumentRange(command);
      return keyRange === undefined ? -1 : keySlot(command.subarray(keyRange[0], keyRange[1]));
    }
    const [commandWord, ...args] = commandElements(command);
    return slotOfUnsplitCommand([commandWord!.toString("latin1"), ...args]);
  }

  private linkForSlot(slot: number): NodeLink | undefined {
    const map = this.options.topology.map;
    const owner = slot < 0 ? map.anyMaster() : map.ownerOf(slot);
    const known = owner === undefined ? undefined : this.linkByMaster.get(owner);
    if (known !== undefined) return known;
    if (owner === undefined) {
      this.end(
        new RedisConnectionError({
          message: `no master serves slot ${slot} (failover in progress or cluster down)`,
          outcome: "rejected",
        }),
      );
      return undefined;
    }
    const link = this.linkFor(owner.address);
    this.linkByMaster.set(owner, link);
    return link;
  }

  private linkFor(address: NodeAddress): NodeLink {
    const key = addressKey(address);
    let link = this.links.get(key);
    if (link === undefined) {
      link = { address, channel: undefined, queued: [], awaiting: [], head: 0, partial: undefined };
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
          if (this.ended !== undefined) {
            channel.close();
            return;
          }
          link.channel = channel;
          channel.onData((chunk) => this.receive(link, chunk));
          channel.onClose((error) => {
            if (this.ended === undefined) {
              this.end(error ?? new Error(`${addressKey(link.address)} closed the raw channel`));
            }
          });
          for (const bytes of link.queued) channel.write(bytes);
          link.queued = [];
        },
        (error: unknown) => {
          this.end(error as Error);
          throw error;
        },
      );
      this.connecting.set(link, opening);
      opening.catch(() => undefined);
    }
    return opening;
  }

  private send(link: NodeLink, bytes: Buffer, commands: readonly (InFlight | "asking")[]): void {
    for (const command of commands) link.awaiting.push(command);
    if (link.channel !== undefined) link.channel.write(bytes);
    else link.queued.push(bytes);
  }

  private receive(link: NodeLink, chunk: Buffer): void {
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
    if (buffer[start] === MINUS && command.redirections < this.options.maxRedirections) {
      const text = buffer.toString("latin1", start + 1, Math.min(end - 2, start + 300));
      if (text.startsWith("MOVED ") || text.startsWith("ASK ")) {
        const redirect = parseRedirect(text, link.address.host);
        if (redirect !== undefined) {
          command.redirections++;
          const address = this.options.topology.resolve(redirect.address);
          const target = this.linkFor(address);
          if (text.startsWith("MOVED ")) {
            this.options.topology.map.assign(redirect.slot, address);
            this.options.events.emit({ type: "moved", slot: redirect.slot, node: addressKey(address) });
            this.send(target, command.bytes, [command]);
          } else {
            this.options.events.emit({ type: "ask", slot: redirect.slot, node: addressKey(address) });
            this.send(target, Buffer.concat([ASKING_COMMAND, command.bytes]), ["asking", command]);
          }
          return;
        }
      }
    }
    command.reply = buffer;
    command.replyStart = start;
    command.replyEnd = end;
  }

  /**
   * Passes on, in the order they were written, the replies of the oldest commands that have one. Replies that
   * are neighbours in one received chunk go on as one slice of it.
   */
  private flush(): void {
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
    for (const link of this.links.values()) link.channel?.close();
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
