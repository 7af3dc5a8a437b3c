import { withRetry as retry, type RetryContext } from '../retry.js';
import { toApiError } from './errors.js';

export {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  retryDelay,
  type RandomSource,
  type RetryContext,
  type RetryNotice,
  type RetryPolicy,
} from '../retry.js';

/**
 * {@link retry} over HTTP: every error (client-node's ApiException, a socket error) leaves as an
 * ApiError, a lost connection as a ConnectionError (code 0).
 */
export function withRetry<T>(
  op: () => Promise<T>,
  ctx: RetryContext,
  options: { isRead: boolean; what?: string },
): Promise<T> {
  return retry(op, ctx, { ...options, toError: toApiError });
}
