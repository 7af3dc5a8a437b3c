import { describe, expect, it } from '@jest/globals';
import {
  getFinishedTime,
  newBackoffRecord,
  remainingBackoffMs,
  type BackoffRecord,
} from '../../../src/cluster/sim/controllers/job/backoff.js';
import type { Pod } from '../../../src/k8s/objects.js';

/**
 * Vectors transcribed from kubernetes/kubernetes pkg/controller/job/backoff_utils_test.go
 * (TestNewBackoffRecord, TestGetFinishedTime, TestGetRemainingBackoffTime). T is the tables'
 * defaultTestTime (2009-11-10T23:00:00Z); offsets are in ms.
 */
const T = Date.UTC(2009, 10, 10, 23, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function finishedPod(phase: 'Succeeded' | 'Failed', finishedAt: number): Pod {
  return {
    metadata: {},
    spec: { containers: [] },
    status: {
      phase,
      containerStatuses: [
        {
          name: 'c',
          image: 'i',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, finishedAt: iso(finishedAt) } },
        },
      ],
    },
  } as Pod;
}

describe('newBackoffRecord (TestNewBackoffRecord)', () => {
  const cases: Array<[string, BackoffRecord | undefined, number[], number[], BackoffRecord]> = [
    [
      'Empty backoff store and one new failure',
      undefined,
      [],
      [T],
      { failuresAfterLastSuccess: 1, lastFailureTime: T },
    ],
    [
      'Empty backoff store and two new failures',
      undefined,
      [],
      [T, T - 1],
      { failuresAfterLastSuccess: 2, lastFailureTime: T },
    ],
    [
      'Empty backoff store, two failures followed by success',
      undefined,
      [T],
      [T - 2, T - 1],
      { failuresAfterLastSuccess: 0 },
    ],
    [
      'Empty backoff store, two failures, one success and two more failures',
      undefined,
      [T - 2],
      [T, T - 4, T - 3, T - 1],
      { failuresAfterLastSuccess: 2, lastFailureTime: T },
    ],
    [
      'Backoff store having failure count 2 and one new failure',
      { failuresAfterLastSuccess: 2 },
      [],
      [T],
      { failuresAfterLastSuccess: 3, lastFailureTime: T },
    ],
    [
      'Empty backoff store with success and failure at same timestamp',
      undefined,
      [T],
      [T],
      { failuresAfterLastSuccess: 0 },
    ],
    ['Empty backoff store with no success/failure', undefined, [], [], { failuresAfterLastSuccess: 0 }],
    ['Empty backoff store with one success', undefined, [T], [], { failuresAfterLastSuccess: 0 }],
  ];
  it.each(cases)('%s', (_name, old, succeeded, failed, want) => {
    const got = newBackoffRecord(
      old,
      succeeded.map((t) => finishedPod('Succeeded', t)),
      failed.map((t) => finishedPod('Failed', t)),
    );
    expect(got).toEqual(want);
  });
});

describe('getFinishedTime (TestGetFinishedTime)', () => {
  const status = (states: Array<'running' | number | 'terminated-no-time'>) => ({
    containerStatuses: states.map((s) => ({
      name: 'c',
      image: 'i',
      ready: false,
      restartCount: 0,
      state:
        s === 'running'
          ? { running: {} }
          : s === 'terminated-no-time'
            ? { terminated: { exitCode: 0 } }
            : { terminated: { exitCode: 0, finishedAt: iso(s) } },
    })),
  });
  it.each([
    ['Pod with multiple containers and all containers terminated', { status: status([T - 1000, T, T - 2000]) }, T],
    [
      'Pod with multiple containers; two containers in terminated state and one in running state; fallback to deletionTimestamp',
      { status: status([T - 1000, 'running', T - 2000]), metadata: { deletionTimestamp: iso(T) } },
      T,
    ],
    ['fallback to deletionTimestamp', { status: status(['running']), metadata: { deletionTimestamp: iso(T) } }, T],
    [
      'fallback to deletionTimestamp, decremented by grace period',
      { status: status(['running']), metadata: { deletionTimestamp: iso(T), deletionGracePeriodSeconds: 30 } },
      T - 30_000,
    ],
    [
      'fallback to PodReady.LastTransitionTime when status of the condition is False',
      {
        status: {
          ...status(['terminated-no-time']),
          conditions: [{ type: 'Ready', status: 'False', reason: 'PodFailed', lastTransitionTime: iso(T) }],
        },
      },
      T,
    ],
    [
      'skip fallback to PodReady.LastTransitionTime when status of the condition is True',
      {
        status: {
          ...status(['terminated-no-time']),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(T - 30_000) }],
        },
        metadata: { deletionTimestamp: iso(T) },
      },
      T,
    ],
    [
      'fallback to creationTimestamp',
      { status: status(['terminated-no-time']), metadata: { creationTimestamp: iso(T) } },
      T,
    ],
  ])('%s', (_name, partial, want) => {
    const pod = { metadata: {}, spec: { containers: [] }, ...partial } as unknown as Pod;
    expect(getFinishedTime(pod)).toBe(want);
  });
});

describe('remainingBackoffMs (TestGetRemainingBackoffTime: default 5s, max 700s)', () => {
  it.each([
    ['no failures', { failuresAfterLastSuccess: 0 }, T, 0],
    [
      'one failure; current time and failure time are same',
      { failuresAfterLastSuccess: 1, lastFailureTime: T },
      T,
      5_000,
    ],
    [
      'one failure; current time == 1 second + failure time',
      { failuresAfterLastSuccess: 1, lastFailureTime: T },
      T + 1_000,
      4_000,
    ],
    [
      'one failure; current time == expected backoff time',
      { failuresAfterLastSuccess: 1, lastFailureTime: T },
      T + 5_000,
      0,
    ],
    [
      'one failure; current time == expected backoff time + 1 Second',
      { failuresAfterLastSuccess: 1, lastFailureTime: T },
      T + 6_000,
      0,
    ],
    [
      'three failures; current time and failure time are same',
      { failuresAfterLastSuccess: 3, lastFailureTime: T },
      T,
      20_000,
    ],
    [
      'eight failures; backoff not exceeding maxBackoff',
      { failuresAfterLastSuccess: 8, lastFailureTime: T },
      T,
      640_000,
    ],
    ['nine failures; backoff exceeding maxBackoff', { failuresAfterLastSuccess: 9, lastFailureTime: T }, T, 700_000],
  ] as Array<[string, BackoffRecord, number, number]>)('%s', (_name, record, now, want) => {
    expect(remainingBackoffMs(record, now, 5_000, 700_000)).toBe(want);
  });

  it('uses the controller defaults: 10 s doubling, capped at 10 minutes', () => {
    const at = (failures: number) => remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: T }, T);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(at)).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000,
    ]);
  });
});
