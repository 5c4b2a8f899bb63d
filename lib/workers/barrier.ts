/**
 * The start barrier between `launchWorkers` and its workers, over the IPC channel the launcher
 * opens: each worker says `ready` once connected and warmed up, and the launcher answers `go`
 * with the moment to start, so that process start-up is measured apart from the race.
 */
export type FromWorker = { type: 'ready' };
export type ToWorker = { type: 'go'; at: number };

/**
 * Under the launcher: report ready, then wait for the common start. A worker started any other
 * way (no IPC channel: `npm run worker`, a test's spawn) starts at once.
 */
export async function waitForGo(): Promise<void> {
  if (!process.send) return;
  const at = await new Promise<number>((resolve) => {
    process.on('message', (message: ToWorker) => {
      if (message?.type === 'go') resolve(message.at);
    });
    process.send!({ type: 'ready' } satisfies FromWorker);
  });
  process.removeAllListeners('message');
  process.disconnect?.();
  // Every worker starts at the same instant of the host's clock, not when its message arrives.
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
