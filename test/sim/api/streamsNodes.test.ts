import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSimulatedCluster, defaultScenario, type Simulation } from '../../../src/cluster/sim/index.js';
import { kubeletLogReader } from '../../../src/cluster/sim/api/resources.js';
import { startApiServer, type ApiServerHandle } from '../../../src/cluster/sim/api/server.js';
import { SERVER_VERSION } from '../../../src/cluster/sim/api/discovery.js';
import { Kubectl } from './harness.js';

/**
 * Nodes as a kubelet reports them (VERSION column, `describe node`), and the commands that need a
 * container process (exec, attach, port-forward, cp) answered with a Status message, with real kubectl.
 */
const START = Date.parse('2026-11-30T12:00:00Z');
let sim: Simulation;
let server: ApiServerHandle;
let k: Kubectl;

beforeAll(async () => {
  const parts = createSimulatedCluster(defaultScenario(), { startMs: START });
  sim = parts.simulation;
  server = await startApiServer({ simulation: sim, port: 0, speed: 0, readLogs: kubeletLogReader(parts.kubelet) });
  k = new Kubectl(server.kubeconfig());
  sim.store.create('Pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  });
  sim.advance(3_000);
});

afterAll(async () => {
  k.cleanup();
  await server.close();
});

describe('nodes', () => {
  it('get nodes: the VERSION column is the kubelet version, the API server version', async () => {
    expect(SERVER_VERSION.gitVersion).toBe('v1.32.4');
    expect(await k.run('get', 'nodes')).toEqual({
      code: 0,
      stdout:
        'NAME     STATUS   ROLES    AGE   VERSION\n' +
        'node-1   Ready    <none>   3s    v1.32.4\n' +
        'node-2   Ready    <none>   3s    v1.32.4\n' +
        'node-3   Ready    <none>   3s    v1.32.4\n',
      stderr: '',
    });
  });

  it('describe node: conditions, addresses and system info as the kubelet posts them', async () => {
    const out = (await k.run('describe', 'node', 'node-1')).stdout.split('\n');
    const at = 'Mon, 30 Nov 2026 12:00:00 +0000';
    expect(out.slice(0, out.indexOf('Non-terminated Pods:          (1 in total)'))).toEqual([
      'Name:               node-1',
      'Roles:              <none>',
      'Labels:             kubernetes.io/hostname=node-1',
      '                    kubernetes.io/os=linux',
      'Annotations:        <none>',
      `CreationTimestamp:  ${at}`,
      'Taints:             <none>',
      'Unschedulable:      false',
      'Lease:              Failed to get lease: leases.coordination.k8s.io "node-1" not found',
      'Conditions:',
      '  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message',
      '  ----             ------  -----------------                 ------------------                ------                       -------',
      `  MemoryPressure   False   ${at}   ${at}   KubeletHasSufficientMemory   kubelet has sufficient memory available`,
      `  DiskPressure     False   ${at}   ${at}   KubeletHasNoDiskPressure     kubelet has no disk pressure`,
      `  PIDPressure      False   ${at}   ${at}   KubeletHasSufficientPID      kubelet has sufficient PID available`,
      `  Ready            True    ${at}   ${at}   KubeletReady                 kubelet is posting ready status`,
      'Addresses:',
      '  InternalIP:  10.0.0.2',
      '  Hostname:    node-1',
      'Capacity:',
      '  cpu:     4',
      '  memory:  8Gi',
      '  pods:    110',
      'Allocatable:',
      '  cpu:     4',
      '  memory:  8Gi',
      '  pods:    110',
      'System Info:',
      '  Machine ID:                 644111e8a7021409264d7ba2dfbc9dcb',
      '  System UUID:                a5a21d5a-400e-8e83-9d1f-24a058e6b281',
      '  Boot ID:                    3fd45415-0ef1-4274-30a1-e2c7b311396e',
      '  Kernel Version:             6.1.0-28-cloud-amd64',
      '  OS Image:                   Debian GNU/Linux 12 (bookworm)',
      '  Operating System:           linux',
      '  Architecture:               amd64',
      '  Container Runtime Version:  containerd://1.7.24',
      '  Kubelet Version:            v1.32.4',
      '  Kube-Proxy Version:         v1.32.4',
    ]);
  });
});

describe('commands that need a container process', () => {
  const no = (what: string) =>
    `${what} is not available for pod p: rollout-gate serve simulates the cluster and runs no containers`;

  it('exec, attach, cp: kubectl prints the Status message and exits 1', async () => {
    expect(await k.run('exec', 'p', '--', 'ls')).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error from server (BadRequest): ${no('exec')}\n`,
    });
    expect(await k.run('attach', 'p')).toEqual({
      code: 1,
      stdout: '',
      stderr: `If you don't see a command prompt, try pressing enter.\nError from server (BadRequest): ${no('attach')}\n`,
    });
    expect(await k.run('cp', 'p:/etc/hosts', `${k.dir}/hosts`)).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error from server (BadRequest): ${no('exec')}\n`,
    });
  });

  it('port-forward: the upgrade is refused with the message', async () => {
    expect(await k.run('port-forward', 'pod/p', '18080:80')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: error upgrading connection: ${no('port-forward')}\n`,
    });
  });

  it('a missing pod is still NotFound', async () => {
    expect(await k.run('exec', 'nope', '--', 'ls')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): pods "nope" not found\n',
    });
  });

  it('api-resources lists pods/exec, pods/attach and pods/portforward as subresources (not as resources)', async () => {
    const res = await fetch(`${server.url}/api/v1`);
    const list = (await res.json()) as { resources: Array<{ name: string; kind: string; verbs: string[] }> };
    const streaming = list.resources.filter((r) => /^pods\/(exec|attach|portforward)$/.test(r.name));
    expect(streaming).toEqual([
      expect.objectContaining({ name: 'pods/exec', kind: 'PodExecOptions', verbs: ['create', 'get'] }),
      expect.objectContaining({ name: 'pods/attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] }),
      expect.objectContaining({ name: 'pods/portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
    ]);
  });
});
