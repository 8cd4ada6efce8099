/** Calls `stop` on the first of `signals` the process receives, until the returned function is called. */
export function onProcessSignals(signals: readonly NodeJS.Signals[], stop: () => void): () => void {
  if (signals.length === 0) return () => {};
  const handler = (): void => stop();
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
