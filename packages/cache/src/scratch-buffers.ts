/**
 * Payload buffers reused from one read to the next. Polars copies what it decodes, so a read's buffer is free
 * again once the frame is made; a new one would cost a page fault per 4 KiB on first touch (100–300 ms per
 * 100 MB measured on the build machine, a large share of a read). A few buffers of at most MAX_POOLED_BYTES are
 * kept, and let go after IDLE_MS without a read, so an idle process does not hold them.
 */
const MAX_POOLED_BYTES = 64 * 1024 * 1024;
const MAX_POOLED = 4;
const IDLE_MS = 5_000;

/** Below this, Buffer.allocUnsafe hands out slices of Node's shared pool: never kept here. */
const MIN_POOLED_BYTES = 64 * 1024;

const idle: Buffer[] = [];
/** The memory takeScratch allocated: only that is ever taken back. */
const ours = new WeakSet<ArrayBufferLike>();
let timer: NodeJS.Timeout | undefined;

/** A buffer of exactly `bytes` (a view of a pooled one when one is large enough and not much larger). */
export function takeScratch(bytes: number): Buffer {
  const index = idle.findIndex(
    (buffer) => buffer.length >= bytes && buffer.length <= 2 * bytes + MIN_POOLED_BYTES,
  );
  if (index >= 0) return idle.splice(index, 1)[0]!.subarray(0, bytes);
  const buffer = Buffer.allocUnsafe(Math.max(bytes, MIN_POOLED_BYTES)).subarray(0, bytes);
  ours.add(buffer.buffer);
  return buffer;
}

/**
 * Hands back a buffer from takeScratch once nothing refers to its bytes any more (and nothing writes to them:
 * no GET in flight). Buffers that did not come from takeScratch are ignored.
 */
export function giveBackScratch(buffer: Buffer): void {
  if (!ours.has(buffer.buffer) || idle.length >= MAX_POOLED) return;
  const whole = Buffer.from(buffer.buffer, 0, buffer.buffer.byteLength);
  if (whole.length > MAX_POOLED_BYTES || idle.some((pooled) => pooled.buffer === whole.buffer)) return;
  idle.push(whole);
  if (timer === undefined) {
    timer = setTimeout(() => {
      idle.length = 0;
      timer = undefined;
    }, IDLE_MS);
    timer.unref();
  } else timer.refresh();
}
