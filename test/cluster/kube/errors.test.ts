import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { ConnectionError, isConnectionError, toApiError } from '../../../src/cluster/kube/errors.js';
import { ApiError } from '../../../src/k8s/apiError.js';

describe('toApiError', () => {
  it('reads reason, message and details from a Status body string', () => {
    const body = JSON.stringify(
      ApiError.invalid('Deployment', 'apps', 'web', [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template' },
      ]).toStatus(),
    );
    const err = toApiError(new ApiException(422, 'HTTP-Code: 422', body, {}));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.template: Required value',
    });
    expect(err.details?.causes?.[0]?.field).toBe('spec.template');
  });

  it('keeps a NotFound recognisable', () => {
    const err = toApiError(
      new ApiException(404, 'x', JSON.stringify(ApiError.notFound('deployments.apps', 'web').toStatus()), {}),
    );
    expect(ApiError.isNotFound(err)).toBe(true);
    expect(err.message).toBe('deployments.apps "web" not found');
  });

  it('falls back to the status code when the body is not a Status', () => {
    const err = toApiError(new ApiException(502, 'x', '<html>bad gateway</html>', {}), 'GET /apis/apps/v1');
    expect(err).toMatchObject({
      code: 502,
      reason: 'InternalError',
      message: 'GET /apis/apps/v1: HTTP 502 <html>bad gateway</html>',
    });
  });

  it('converts the watch error (Error with statusCode)', () => {
    const err = toApiError(Object.assign(new Error('Gone'), { statusCode: 410 }), 'WATCH /api/v1/pods');
    expect(err).toMatchObject({ code: 410, reason: 'Gone' });
  });

  it('recognises connection failures from undici and node', () => {
    const fetchFailed = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(isConnectionError(fetchFailed)).toBe(true);
    expect(isConnectionError(new Error('socket hang up'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe(true);
    expect(isConnectionError(new Error('boom'))).toBe(false);
    expect(toApiError(fetchFailed)).toBeInstanceOf(ConnectionError);
    expect(toApiError(fetchFailed).code).toBe(0);
  });

  it('passes ApiErrors through', () => {
    const original = ApiError.conflict('deployments.apps', 'web');
    expect(toApiError(original)).toBe(original);
  });
});
