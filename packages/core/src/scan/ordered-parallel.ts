import { BoundedChannel } from "./bounded-channel.js";

/**
 * Runs `run` over the inputs with at most `parallel` inputs in flight and yields every output in input
 * order. Each running input may read ahead by `lookahead` outputs before it waits for the consumer, so
 * memory stays bounded by about `parallel × (lookahead + 1)` outputs, however large one input's output is.
 *
 * `nextInput` is called one at a time (never concurrently) and returns undefined when inputs run out.
 * When the consumer stops early (break, error, limit), every running input is cancelled through `stop`
 * and awaited before the generator returns.
 */
export async function* orderedParallel<I, O>(options: {
  nextInput: () => Promise<I | undefined>;
  run: (input: I) => AsyncIterable<O>;
  parallel: number;
  lookahead: number;
  stop: () => void;
}): AsyncGenerator<O, void, undefined> {
  const { run, parallel, lookahead, stop } = options;
  let inputsDone = false;
  let inputQueue: Promise<unknown> = Promise.resolve();
  // Inputs are taken strictly one after another, whichever task asks first.
  const takeInput = (): Promise<I | undefined> => {
    const next = inputQueue.then(() => (inputsDone ? undefined : options.nextInput()));
    inputQueue = next.catch(() => undefined);
    return next.then((input) => {
      if (input === undefined) inputsDone = true;
      return input;
    });
  };

  interface Task {
    channel: BoundedChannel<O>;
    finished: Promise<void>;
  }
  const start = (): Task => {
    const channel = new BoundedChannel<O>(lookahead);
    const finished = (async () => {
      try {
        const input = await takeInput();
        if (input !== undefined) {
          for await (const output of run(input)) {
            if (!(await channel.push(output))) return;
          }
        }
        channel.end();
      } catch (error) {
        channel.fail(error);
      }
    })();
    return { channel, finished };
  };

  const tasks: Task[] = [];
  const refill = (): void => {
    while (!inputsDone && tasks.length < parallel) tasks.push(start());
  };
  try {
    refill();
    while (tasks.length > 0) {
      const head = tasks[0]!;
      const next = await head.channel.take();
      if (next.done) {
        tasks.shift();
        refill();
        continue;
      }
      yield next.value;
    }
  } finally {
    if (tasks.length > 0) {
      stop();
      for (const task of tasks) task.channel.cancel();
      await Promise.allSettled(tasks.map((task) => task.finished));
    }
  }
}
