import { MongoNetworkError, MongoServerSelectionError, MongoError } from 'mongodb';

/**
 * Server error codes that mean "this member cannot serve you right now" (failover, stepdown,
 * shutdown, a lost majority): the operation may be tried again against the next primary.
 * https://www.mongodb.com/docs/manual/reference/error-codes/
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const TRANSIENT_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'RetryableError'];

/** An error after which the same operation may succeed on a second try. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (!(error instanceof MongoError)) return false;
  if (TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label))) return true;
  return typeof error.code === 'number' && TRANSIENT_CODES.has(error.code);
}

export interface RetryOptions {
  /** Absolute time (Date.now()) after which the last error is thrown. */
  deadline: number;
  /** Called before each new try: a holder checks its lease is still usable here. */
  beforeRetry?: (error: unknown, attempt: number) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, and again after a transient error, with exponential backoff and jitter (50 ms,
 * doubling, at most 1 s) until it succeeds, fails otherwise, or the deadline passes. Only for
 * operations that are safe to send twice: every caller's write is conditional or idempotent.
 */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      const wait = Math.min(1000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (!isTransientError(error) || Date.now() + wait > options.deadline || options.signal?.aborted) throw error;
      await sleep(wait);
      options.beforeRetry?.(error, attempt);
    }
  }
}
