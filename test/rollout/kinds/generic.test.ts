import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { computeHealth } from '../../../src/rollout/kinds/generic.js';
import type { Health } from '../../../src/rollout/kinds/health.js';
import { SCHEDULE_WINDOW_MS } from '../../../src/rollout/kinds/workloadHealth.js';

/**
 * Every rule at and just past its boundary, with kstatus's exact words. The upstream tables
 * (kstatus.vectors.test.ts) cover the common cases; these pin the edges and our stricter rules.
 */
const NOW = Date.parse('2026-11-30T10:00:00Z');
const obj = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}, meta = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns', generation: 1, ...meta },
  ...rest,
});
const health = (o: KubeObject, now = NOW): Health => computeHealth(o, now);
const ip = (status: Health['status'], reason: string, message: string): Health => ({ status, reason, message });
const cond = (type: string, status: string, reason = '', message = '') => ({ type, status, reason, message });

describe('generic properties (generic.go checkGenericProperties)', () => {
  const widget = (status: Record<string, unknown>, meta = {}) => obj('example.com/v1', 'Widget', { status }, meta);

  it('is Terminating once a deletionTimestamp is set, whatever the status says', () => {
    expect(
      health(widget({ conditions: [cond('Ready', 'True')] }, { deletionTimestamp: '2026-11-30T09:00:00Z' })),
    ).toEqual(ip('Terminating', '', 'Resource scheduled for deletion'));
    expect(health(widget({}, { deletionTimestamp: '' })).status).toBe('Current');
  });

  it('waits until the controller observed the latest generation, and not a moment past it', () => {
    expect(health(widget({ observedGeneration: 1 }, { generation: 2 }))).toEqual(
      ip('InProgress', 'LatestGenerationNotObserved', 'Widget generation is 2, but latest observed generation is 1'),
    );
    expect(health(widget({ observedGeneration: 2 }, { generation: 2 }))).toEqual(
      ip('Current', '', 'Resource is current'),
    );
    // No observedGeneration at all: the check does not apply (most config kinds have none).
    expect(health(widget({}, { generation: 7 })).status).toBe('Current');
  });

  it('lets Reconciling and Stalled decide alone when True, the first one listed winning', () => {
    const both = [cond('Stalled', 'True', 'Broken', 'it broke'), cond('Reconciling', 'True', 'Busy', 'working')];
    expect(health(widget({ conditions: both }))).toEqual(ip('Failed', 'Broken', 'it broke'));
    expect(health(widget({ conditions: [...both].reverse() }))).toEqual(ip('InProgress', 'Busy', 'working'));
    expect(health(widget({ conditions: [cond('Stalled', 'False'), cond('Reconciling', 'False')] })).status).toBe(
      'Current',
    );
  });
});

describe('custom resources (status.go checkReadyCondition)', () => {
  const widget = (conditions: unknown[]) => obj('example.com/v1', 'Widget', { status: { conditions } });

  it('waits for a Ready condition and is Current once it is True', () => {
    expect(health(widget([cond('Ready', 'False', 'Provisioning', 'waiting for the bucket')]))).toEqual(
      ip('InProgress', 'Provisioning', 'waiting for the bucket'),
    );
    expect(health(widget([cond('Ready', 'Unknown', 'Pending', '')]))).toEqual(ip('InProgress', 'Pending', ''));
    expect(health(widget([cond('Ready', 'True')]))).toEqual(ip('Current', '', 'Resource is Ready'));
  });

  it('is Current at once without conditions, or with conditions that are not Ready', () => {
    expect(health(obj('example.com/v1', 'Widget'))).toEqual(ip('Current', '', 'Resource is current'));
    expect(health(widget([cond('Synced', 'False')]))).toEqual(ip('Current', '', 'Resource is current'));
  });

  it('judges a kind by its group: a Knative Service is not a core Service', () => {
    const knative = obj('serving.knative.dev/v1', 'Service', {
      spec: { type: 'LoadBalancer' },
      status: { conditions: [cond('Ready', 'False', 'RevisionMissing', 'no revision')] },
    });
    expect(health(knative)).toEqual(ip('InProgress', 'RevisionMissing', 'no revision'));
  });
});

describe('Service (core.go serviceConditions, plus the LoadBalancer ingress rule)', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    obj('v1', 'Service', { spec, status });

  it('is Current for ClusterIP and NodePort at once', () => {
    expect(health(svc({}))).toEqual(ip('Current', '', 'Service is ready'));
    expect(health(svc({ type: 'NodePort' })).status).toBe('Current');
  });

  it('waits for a LoadBalancer cluster IP, then for its ingress address', () => {
    expect(health(svc({ type: 'LoadBalancer' }))).toEqual(
      ip('InProgress', 'NoIPAssigned', 'ClusterIP not set. Service type: LoadBalancer'),
    );
    expect(health(svc({ type: 'LoadBalancer', clusterIP: '10.0.0.1' }, { loadBalancer: {} }))).toEqual(
      ip('InProgress', 'NoIngressAssigned', 'LoadBalancer ingress not assigned. Service type: LoadBalancer'),
    );
    expect(
      health(svc({ type: 'LoadBalancer', clusterIP: '10.0.0.1' }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } })),
    ).toEqual(ip('Current', '', 'Service is ready'));
  });

  it('does not wait for an ingress when the LoadBalancer has external IPs (Helm 3)', () => {
    expect(health(svc({ type: 'LoadBalancer', clusterIP: '10.0.0.1', externalIPs: ['1.2.3.4'] })).status).toBe(
      'Current',
    );
  });
});

describe('PersistentVolumeClaim (core.go pvcConditions)', () => {
  it('is InProgress until Bound', () => {
    expect(health(obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Pending' } }))).toEqual(
      ip('InProgress', 'NotBound', 'PVC is not Bound. phase: Pending'),
    );
    expect(health(obj('v1', 'PersistentVolumeClaim'))).toEqual(
      ip('InProgress', 'NotBound', 'PVC is not Bound. phase: unknown'),
    );
    expect(health(obj('v1', 'PersistentVolumeClaim', { status: { phase: 'Bound' } }))).toEqual(
      ip('Current', '', 'PVC is Bound'),
    );
  });
});

describe('Job (core.go jobConditions)', () => {
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
    obj('batch/v1', 'Job', { spec, status });

  it('is InProgress until it starts and while it runs (waited on to completion, unlike kstatus)', () => {
    expect(health(job({}, {}))).toEqual(ip('InProgress', 'JobNotStarted', 'Job not started'));
    expect(health(job({}, { startTime: '2026-11-30T09:59:00Z', active: 1, failed: 2 }))).toEqual(
      ip('InProgress', 'JobRunning', 'Job in progress. success:0, active: 1, failed: 2'),
    );
  });

  it('fails already on FailureTarget (1.31+), before the Failed condition', () => {
    const target = cond('FailureTarget', 'True', 'BackoffLimitExceeded');
    expect(health(job({ completions: 1 }, { failed: 3, conditions: [target], startTime: 'x' }))).toEqual(
      ip('Failed', 'JobFailed', 'Job Failed. failed: 3/1'),
    );
  });

  it('counts completions from parallelism when unset', () => {
    expect(
      health(job({ parallelism: 3 }, { succeeded: 3, conditions: [cond('Complete', 'True')], startTime: 'x' })),
    ).toEqual(ip('Current', '', 'Job Completed. succeeded: 3/3'));
    expect(
      health(job({ completions: 5 }, { failed: 6, conditions: [cond('Failed', 'True', 'BackoffLimitExceeded')] })),
    ).toEqual(ip('Failed', 'JobFailed', 'Job Failed. failed: 6/5'));
  });

  it('ignores Complete and Failed conditions that are not True', () => {
    expect(health(job({}, { conditions: [cond('Failed', 'False'), cond('Complete', 'False')] })).reason).toBe(
      'JobNotStarted',
    );
  });
});

describe('PodDisruptionBudget (core.go pdbConditions, plus currentHealthy >= desiredHealthy)', () => {
  const pdb = (status?: Record<string, unknown>) => obj('policy/v1', 'PodDisruptionBudget', status ? { status } : {});

  it('waits for the disruption controller to write its status', () => {
    expect(health(pdb())).toEqual(
      ip('InProgress', 'NoObservedGeneration', 'PodDisruptionBudget status.observedGeneration not found'),
    );
  });

  it('is Current once as many pods are healthy as the budget needs, not one fewer', () => {
    expect(health(pdb({ observedGeneration: 1, currentHealthy: 1, desiredHealthy: 2 }))).toEqual(
      ip('InProgress', 'InsufficientPods', 'Healthy: 1/2'),
    );
    expect(health(pdb({ observedGeneration: 1, currentHealthy: 2, desiredHealthy: 2 }))).toEqual(
      ip('Current', '', 'AllowedDisruptions has been computed.'),
    );
  });
});

describe('CustomResourceDefinition (core.go CRDConditions)', () => {
  const crd = (conditions: unknown[]) =>
    obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { status: { conditions } });

  it('fails when its names are refused, with the API server reason and message', () => {
    const refused = cond('NamesAccepted', 'False', 'ListKindConflict', '"WidgetList" is already in use');
    expect(health(crd([refused, cond('Established', 'False', 'NotAccepted', 'not all names are accepted')]))).toEqual(
      ip('Failed', 'ListKindConflict', '"WidgetList" is already in use'),
    );
  });

  it('waits while Installing, fails for any other reason Established is False, is Current once True', () => {
    expect(health(crd([cond('NamesAccepted', 'True'), cond('Established', 'False', 'Installing', 'x')]))).toEqual(
      ip('InProgress', 'Installing', 'Install in progress'),
    );
    expect(health(crd([cond('Established', 'False', 'Terminating', 'being deleted')]))).toEqual(
      ip('Failed', 'Terminating', 'being deleted'),
    );
    expect(health(crd([cond('NamesAccepted', 'True'), cond('Established', 'True')]))).toEqual(
      ip('Current', '', 'CRD is established'),
    );
  });
});

describe('Pod (core.go podConditions)', () => {
  const created = NOW - 60_000;
  const unschedulable = obj(
    'v1',
    'Pod',
    { status: { phase: 'Pending', conditions: [cond('PodScheduled', 'False', 'Unschedulable', '0/3 nodes')] } },
    { creationTimestamp: new Date(created).toISOString() },
  );

  it('gives an unschedulable pod 15 s from its creation, then fails it', () => {
    expect(health(unschedulable, created + SCHEDULE_WINDOW_MS - 1)).toEqual(
      ip('InProgress', 'PodNotScheduled', 'Pod has not been scheduled'),
    );
    expect(health(unschedulable, created + SCHEDULE_WINDOW_MS)).toEqual(
      ip('Failed', 'PodUnschedulable', 'Pod could not be scheduled'),
    );
  });

  it('fails a running pod whose containers crash-loop, naming them', () => {
    const waiting = (name: string, reason: string) => ({ name, state: { waiting: { reason } } });
    const pod = obj('v1', 'Pod', {
      status: {
        phase: 'Running',
        containerStatuses: [
          waiting('web', 'CrashLoopBackOff'),
          waiting('proxy', 'ContainerCreating'),
          waiting('log', 'CrashLoopBackOff'),
        ],
      },
    });
    expect(health(pod)).toEqual(ip('Failed', 'ContainerCrashLooping', 'Containers in CrashLoop state: web,log'));
  });

  it('waits on a pod in a phase kstatus does not know', () => {
    expect(health(obj('v1', 'Pod', { status: { phase: 'Unknown' } }))).toEqual(
      ip('InProgress', 'PodUnknownPhase', 'unknown phase Unknown'),
    );
  });
});

describe('workloads (core.go sts/deployment/replicaset/daemonset conditions)', () => {
  it('StatefulSet: a partitioned rollout is done when the replicas above the partition are updated', () => {
    const sts = (updatedReplicas: number) =>
      obj('apps/v1', 'StatefulSet', {
        spec: { replicas: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
        status: { replicas: 5, readyReplicas: 5, currentReplicas: 2, updatedReplicas },
      });
    expect(health(sts(2))).toEqual(ip('InProgress', 'PartitionRollout', 'updated: 2/3'));
    expect(health(sts(3))).toEqual(ip('Current', '', 'Partition rollout complete. updated: 3'));
  });

  it('StatefulSet: OnDelete is user-managed and Current at once; revisions must match otherwise', () => {
    expect(health(obj('apps/v1', 'StatefulSet', { spec: { updateStrategy: { type: 'OnDelete' } } }))).toEqual(
      ip('Current', '', 'StatefulSet is using the ondelete update strategy'),
    );
    const status = { replicas: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    expect(health(obj('apps/v1', 'StatefulSet', { status }))).toEqual(
      ip('InProgress', 'RevisionMismatch', 'Waiting for updated revision to match current'),
    );
  });

  it('Deployment: ProgressDeadlineExceeded fails; one replica short of available waits', () => {
    const dep = (availableReplicas: number, conditions: unknown[] = []) =>
      obj('apps/v1', 'Deployment', {
        spec: { replicas: 3, progressDeadlineSeconds: 600 },
        status: { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas, conditions },
      });
    const ok = [cond('Progressing', 'True', 'NewReplicaSetAvailable'), cond('Available', 'True')];
    expect(
      health(dep(3, [cond('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "x" has timed out')])),
    ).toEqual(ip('Failed', 'ProgressDeadlineExceeded', 'Progress deadline exceeded'));
    expect(health(dep(2, ok))).toEqual(ip('InProgress', 'LessAvailable', 'Available: 2/3'));
    expect(health(dep(3, ok))).toEqual(ip('Current', '', 'Deployment is available. Replicas: 3'));
  });

  it('ReplicaSet: ReplicaFailure is InProgress, not Failed (kstatus)', () => {
    const rs = obj('apps/v1', 'ReplicaSet', {
      status: { conditions: [cond('ReplicaFailure', 'True', 'FailedCreate')] },
    });
    expect(health(rs)).toEqual(ip('InProgress', 'ReplicaFailure', 'Replica Failure condition. Check Pods'));
  });

  it('DaemonSet: every scheduled pod must be ready, not one fewer', () => {
    const ds = (numberReady: number) =>
      obj('apps/v1', 'DaemonSet', {
        status: {
          observedGeneration: 1,
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
          numberReady,
        },
      });
    expect(health(ds(2))).toEqual(ip('InProgress', 'LessReady', 'Ready: 2/3'));
    expect(health(ds(3))).toEqual(ip('Current', '', 'All replicas scheduled as expected. Replicas: 3'));
  });

  it('Secret, ConfigMap and CronJob are always ready', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Secret'],
      ['v1', 'ConfigMap'],
      ['batch/v1', 'CronJob'],
    ] as const)
      expect(health(obj(apiVersion, kind))).toEqual(ip('Current', '', 'Resource is always ready'));
  });
});
