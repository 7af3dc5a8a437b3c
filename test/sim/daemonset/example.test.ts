/**
 * examples/daemonset-crash in the simulator alone (the gate does not judge DaemonSets yet): the
 * agent runs on the 3 nodes and the tolerated GPU node, and agent:2 leaves the rollout stuck with
 * one pod in CrashLoopBackOff and 1 unavailable, the other nodes on agent:1.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { createSimulatedCluster } from '../../../src/cluster/sim/index.js';
import type { DaemonSet } from '../../../src/cluster/sim/controllers/daemonset/daemonSetUtil.js';
import { parseScenario } from '../../../src/cluster/sim/scenario/parseScenario.js';
import type { KubeObject, Pod } from '../../../src/k8s/objects.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/daemonset-crash');
const read = (file: string) => readFileSync(join(dir, file), 'utf8');

describe('examples/daemonset-crash in the simulator', () => {
  it('is stuck after the first node with CrashLoopBackOff and 1 unavailable', () => {
    const { simulation: sim } = createSimulatedCluster(parseScenario(read('scenario.yaml'), `${dir}/scenario.yaml`), {
      objects: [load(read('current.yaml')) as KubeObject],
    });
    const ds = () => sim.store.mustGet<DaemonSet>('DaemonSet', 'default', 'node-agent');
    expect(ds().status).toMatchObject({ desiredNumberScheduled: 4, numberAvailable: 4, updatedNumberScheduled: 4 });
    const next = structuredClone(ds());
    next.spec = (load(read('agent-v2.yaml')) as DaemonSet).spec;
    sim.store.update('DaemonSet', next);
    sim.advance(5 * 60_000);
    expect(ds().status).toEqual({
      currentNumberScheduled: 4,
      numberMisscheduled: 0,
      desiredNumberScheduled: 4,
      numberReady: 3,
      observedGeneration: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 3,
      numberUnavailable: 1,
    });
    const pods = sim.store.list<Pod>('Pod', 'default');
    const crashing = pods.filter(
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(crashing.map((p) => [p.spec.nodeName, p.spec.containers[0]!.image])).toEqual([
      ['gpu-1', 'ghcr.io/acme/node-agent:2'],
    ]);
    expect(pods.filter((p) => p.spec.containers[0]!.image === 'ghcr.io/acme/node-agent:1').length).toBe(3);
  });
});
