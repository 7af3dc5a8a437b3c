import { describe, expect, it } from '@jest/globals';
import type { Pod } from '../../../src/k8s/objects.js';
import { parseImageReference } from '../../../src/cluster/sim/kubelet/images.js';
import { at, cluster, eventsOf, podsOf, replicaSet, rsStatus, T0, type Cluster } from '../replicaset/harness.js';

/** Every change of the first container's displayed state, as `<second> <state>[ <restarts>]`. */
function stateTimeline(c: Cluster, rs: string): string[] {
  const out: string[] = [];
  let last = '';
  c.sim.store.watch((e) => {
    if (e.kind !== 'Pod' || !e.object.metadata.name!.startsWith(`${rs}-`)) return;
    const cs = (e.object as Pod).status?.containerStatuses?.[0];
    if (!cs) return;
    const state =
      cs.state.waiting?.reason ??
      (cs.state.running ? 'Running' : cs.state.terminated ? `Terminated(${cs.state.terminated.exitCode})` : '?');
    const line = `${state} ${cs.restartCount}${cs.ready ? ' ready' : ''}`;
    if (line !== last) out.push(`${(c.sim.clock.now() - T0) / 1000} ${line}`);
    last = line;
  });
  return out;
}

describe('image references', () => {
  it.each([
    ['nginx:1.231', 'docker.io/library/nginx:1.231'],
    ['nginx', 'docker.io/library/nginx:latest'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['ghcr.io/acme/web:2', 'ghcr.io/acme/web:2'],
    ['localhost:5000/web', 'localhost:5000/web:latest'],
  ])('%s normalises to %s', (image, normalized) => expect(parseImageReference(image)?.normalized).toBe(normalized));
  it.each(['Nginx:1', 'nginx:', 'nginx::1', 'web app', ''])('%j is malformed', (image) =>
    expect(parseImageReference(image)).toBeUndefined(),
  );
});

describe('kubelet', () => {
  it('pulls, starts and readies a container, caching the image per node', () => {
    const c = cluster({ nodes: 1 });
    const timeline = stateTimeline(c, 'web');
    c.sim.store.create('ReplicaSet', replicaSet('web', 1));
    c.sim.advance(10_000);
    expect(timeline).toEqual(['0 ContainerCreating 0', '3 Running 0 ready']);
    const [first] = podsOf(c.sim, 'web');
    expect(first!.status).toMatchObject({ phase: 'Running', podIP: '10.244.0.2', hostIP: '10.0.0.2' });
    expect(eventsOf(c.sim, first!.metadata.name!).map((e) => `${e.reason}: ${e.message}`)).toEqual([
      `Scheduled: Successfully assigned default/${first!.metadata.name} to node-1`,
      'Pulling: Pulling image "nginx:1.25"',
      expect.stringMatching(
        /^Pulled: Successfully pulled image "nginx:1.25" in 2s \(2s including waiting\)\. Image size: \d+ bytes\.$/,
      ),
      'Created: Created container: app',
      'Started: Started container app',
    ]);
    // A second pod on the same node skips the pull.
    c.sim.store.create('ReplicaSet', replicaSet('two', 1));
    c.sim.settle();
    const [second] = podsOf(c.sim, 'two');
    expect(eventsOf(c.sim, second!.metadata.name!).find((e) => e.reason === 'Pulled')!.message).toBe(
      'Container image "nginx:1.25" already present on machine',
    );
    c.sim.advance(999);
    expect(rsStatus(c.sim, 'two')!.readyReplicas).toBeUndefined();
    c.sim.advance(1);
    expect(rsStatus(c.sim, 'two')!.readyReplicas).toBe(1);
    expect(c.kubelet.logs('default', first!.metadata.name!, 'app')).toEqual([
      'docker.io/library/nginx:1.25: container app started',
    ]);
  });

  it('goes ErrImagePull -> ImagePullBackOff with back-off 10s, 20s, 40s, 80s for a missing image', () => {
    const c = cluster({ images: { 'nginx:1.231': { pull: 'missing' } } });
    const timeline = stateTimeline(c, 'web');
    c.sim.store.create('ReplicaSet', replicaSet('web', 1, { image: 'nginx:1.231' }));
    c.sim.advance(200_000);
    // Pull takes 2s; retries start 10s, 20s, 40s, 80s after each failure.
    expect(timeline).toEqual([
      '0 ContainerCreating 0',
      '2 ErrImagePull 0',
      '3 ImagePullBackOff 0',
      '14 ErrImagePull 0',
      '15 ImagePullBackOff 0',
      '36 ErrImagePull 0',
      '37 ImagePullBackOff 0',
      '78 ErrImagePull 0',
      '79 ImagePullBackOff 0',
      '160 ErrImagePull 0',
      '161 ImagePullBackOff 0',
    ]);
    const [pod] = podsOf(c.sim, 'web');
    const full = 'docker.io/library/nginx:1.231';
    const notFound = `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
    expect(pod!.status!.containerStatuses![0]!.state.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "nginx:1.231"',
    });
    const events = eventsOf(c.sim, pod!.metadata.name!).map((e) => [e.type, e.reason, e.message, e.count]);
    expect(events).toEqual([
      ['Normal', 'Scheduled', expect.any(String), 1],
      ['Normal', 'Pulling', 'Pulling image "nginx:1.231"', 5],
      ['Warning', 'Failed', `Failed to pull image "nginx:1.231": ${notFound}`, 5],
      ['Warning', 'Failed', 'Error: ErrImagePull', 5],
      ['Normal', 'BackOff', 'Back-off pulling image "nginx:1.231"', 5],
      ['Warning', 'Failed', 'Error: ImagePullBackOff', 5],
    ]);
    c.sim.advance(0);
    expect(c.sim.clock.now()).toBe(at(200));
  });

  it('words unauthorized pulls and malformed references like containerd and the kubelet', () => {
    const c = cluster({ images: { 'acme/private:1': { pull: 'unauthorized' } } });
    c.sim.store.create('ReplicaSet', replicaSet('priv', 1, { image: 'acme/private:1' }));
    c.sim.store.create('ReplicaSet', replicaSet('bad', 1, { image: 'nginx::1.25' }));
    c.sim.advance(2000);
    const priv = podsOf(c.sim, 'priv')[0]!.status!.containerStatuses![0]!.state.waiting!;
    expect(priv.reason).toBe('ErrImagePull');
    expect(priv.message).toBe(
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/acme/private:1": failed to resolve reference ' +
        '"docker.io/acme/private:1": pull access denied, repository does not exist or may require authorization: server message: ' +
        'insufficient_scope: authorization failed',
    );
    const bad = podsOf(c.sim, 'bad')[0]!;
    expect(bad.status!.containerStatuses![0]!.state.waiting).toEqual({
      reason: 'InvalidImageName',
      message:
        'Failed to apply default image tag "nginx::1.25": couldn\'t parse image name "nginx::1.25": invalid reference format',
    });
    expect(eventsOf(c.sim, bad.metadata.name!).map((e) => e.reason)).toEqual(['Scheduled', 'InspectFailed', 'Failed']);
  });

  it('crash-loops with restarts on the next sync, then back-off 10s, 20s, 40s', () => {
    const c = cluster({ images: { 'web:2': { crash: true } } });
    const timeline = stateTimeline(c, 'web');
    c.sim.store.create('ReplicaSet', replicaSet('web', 1, { image: 'web:2' }));
    c.sim.advance(100_000);
    expect(timeline).toEqual([
      '0 ContainerCreating 0',
      '3 Running 0 ready',
      '4 Terminated(1) 0',
      '5 Running 1 ready',
      '6 Terminated(1) 1',
      '7 CrashLoopBackOff 1',
      '16 Running 2 ready',
      '17 Terminated(1) 2',
      '18 CrashLoopBackOff 2',
      '37 Running 3 ready',
      '38 Terminated(1) 3',
      '39 CrashLoopBackOff 3',
      '78 Running 4 ready',
      '79 Terminated(1) 4',
      '80 CrashLoopBackOff 4',
    ]);
    const pod = podsOf(c.sim, 'web')[0]!;
    const cs = pod.status!.containerStatuses![0]!;
    expect(cs.state.waiting!.message).toBe(
      `back-off 1m20s restarting failed container=app pod=${pod.metadata.name}_default(${pod.metadata.uid})`,
    );
    expect(cs.lastState).toMatchObject({ terminated: { exitCode: 1, reason: 'Error' } });
    expect(pod.status!.phase).toBe('Running');
    const backoff = eventsOf(c.sim, pod.metadata.name!).find((e) => e.reason === 'BackOff')!;
    expect(backoff).toMatchObject({
      type: 'Warning',
      count: 4,
      message: `Back-off restarting failed container app in pod ${pod.metadata.name}_default(${pod.metadata.uid})`,
    });
    expect(c.kubelet.logs('default', pod.metadata.name!, 'app', { previous: true, tailLines: 1 })).toEqual([
      'docker.io/library/web:2: fatal error, exiting with code 1',
    ]);
  });

  it('crashTimes: 3 crashes on the first 3 starts with the same back-off, then runs Ready with 3 restarts', () => {
    const c = cluster({ images: { 'web:flappy': { crashTimes: 3 } } });
    const timeline = stateTimeline(c, 'web');
    c.sim.store.create('ReplicaSet', replicaSet('web', 1, { image: 'web:flappy' }));
    c.sim.advance(100_000);
    expect(timeline).toEqual([
      '0 ContainerCreating 0',
      '3 Running 0 ready',
      '4 Terminated(1) 0',
      '5 Running 1 ready',
      '6 Terminated(1) 1',
      '7 CrashLoopBackOff 1',
      '16 Running 2 ready',
      '17 Terminated(1) 2',
      '18 CrashLoopBackOff 2',
      '37 Running 3 ready',
    ]);
    const cs = podsOf(c.sim, 'web')[0]!.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({
      restartCount: 3,
      ready: true,
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    });
    expect(rsStatus(c.sim, 'web')!.readyReplicas).toBe(1);
  });

  it('reports CreateContainerConfigError until the ConfigMap exists', () => {
    const c = cluster();
    const timeline = stateTimeline(c, 'web');
    c.sim.store.create('ReplicaSet', replicaSet('web', 1, { envFrom: [{ configMapRef: { name: 'settings' } }] }));
    c.sim.advance(30_000);
    const pod = podsOf(c.sim, 'web')[0]!;
    expect(pod.status!.containerStatuses![0]!.state.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'configmap "settings" not found',
    });
    expect(
      eventsOf(c.sim, pod.metadata.name!).find((e) => e.message === 'Error: configmap "settings" not found'),
    ).toMatchObject({ type: 'Warning', reason: 'Failed', count: 3 });
    c.sim.store.create('ConfigMap', { metadata: { name: 'settings', namespace: 'default' }, data: { a: 'b' } });
    c.sim.advance(1000);
    expect(timeline).toEqual([
      '0 ContainerCreating 0',
      '2 CreateContainerConfigError 0',
      '30 ContainerCreating 0',
      '31 Running 0 ready',
    ]);
  });

  it('keeps a pod with a missing volume source in ContainerCreating with FailedMount', () => {
    const c = cluster();
    const rs = replicaSet('web', 1);
    rs.spec.template.spec!.volumes = [{ name: 'tls', secret: { secretName: 'tls-cert' } }];
    c.sim.store.create('ReplicaSet', rs);
    c.sim.advance(5000);
    const pod = podsOf(c.sim, 'web')[0]!;
    expect(pod.status!.containerStatuses![0]!.state.waiting).toEqual({ reason: 'ContainerCreating' });
    expect(eventsOf(c.sim, pod.metadata.name!).find((e) => e.reason === 'FailedMount')!.message).toBe(
      'MountVolume.SetUp failed for volume "tls" : secret "tls-cert" not found',
    );
    c.sim.store.create('Secret', { metadata: { name: 'tls-cert', namespace: 'default' } });
    c.sim.advance(4000);
    expect(rsStatus(c.sim, 'web')!.readyReplicas).toBe(1);
  });

  it('runs never-ready containers without Ready, and honours readySeconds', () => {
    const c = cluster({
      images: { 'web:unready': { ready: 'never' }, 'web:slow': { pullSeconds: 30, readySeconds: 20 } },
    });
    c.sim.store.create('ReplicaSet', replicaSet('unready', 1, { image: 'web:unready' }));
    c.sim.store.create('ReplicaSet', replicaSet('slow', 1, { image: 'web:slow' }));
    c.sim.advance(50_999);
    expect(rsStatus(c.sim, 'unready')).toMatchObject({ replicas: 1 });
    expect(rsStatus(c.sim, 'unready')!.readyReplicas).toBeUndefined();
    expect(podsOf(c.sim, 'unready')[0]!.status!.phase).toBe('Running');
    expect(rsStatus(c.sim, 'slow')!.readyReplicas).toBeUndefined();
    c.sim.advance(1);
    expect(rsStatus(c.sim, 'slow')!.readyReplicas).toBe(1);
  });

  it('keeps deleted pods Terminating until the stop time, then removes them', () => {
    const c = cluster();
    c.sim.store.create('ReplicaSet', replicaSet('web', 1));
    c.sim.advance(5000);
    const pod = podsOf(c.sim, 'web')[0]!;
    c.sim.store.delete('Pod', 'default', pod.metadata.name!);
    c.sim.settle();
    expect(c.sim.store.get('Pod', 'default', pod.metadata.name!)!.metadata.deletionTimestamp).toBeDefined();
    expect(eventsOf(c.sim, pod.metadata.name!).at(-1)).toMatchObject({
      reason: 'Killing',
      message: 'Stopping container app',
    });
    c.sim.advance(999);
    expect(c.sim.store.get('Pod', 'default', pod.metadata.name!)).toBeDefined();
    c.sim.advance(1);
    expect(c.sim.store.get('Pod', 'default', pod.metadata.name!)).toBeUndefined();
  });
});
