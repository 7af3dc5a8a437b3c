/** The heartbeat around the gate's log: what is still pending, every ~30 s of the given clock. */
import { describe, expect, it } from '@jest/globals';
import { withHeartbeat } from '../../src/gate/heartbeat.js';
import { MemoryLog } from '../../src/gate/gateLog.js';

describe('withHeartbeat', () => {
  it('says what is still pending once 30 s have passed, and stops when it is done', () => {
    let now = 0;
    const inner = new MemoryLog();
    const hb = withHeartbeat(inner, { now: () => now, sleep: async () => undefined }, { timer: false });
    hb.log.info(
      'default/web: Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    now = 10_000;
    hb.beat();
    expect(inner.lines.filter((l) => l.startsWith('⏳'))).toEqual([]);
    now = 31_000;
    hb.beat();
    hb.beat();
    expect(inner.lines.filter((l) => l.startsWith('⏳'))).toEqual([
      '⏳ still waiting after 31s: default/web (1 out of 3 new replicas have been updated...)',
    ]);
    hb.log.info('default/web: deployment "web" successfully rolled out');
    now = 120_000;
    hb.beat();
    expect(inner.lines.filter((l) => l.startsWith('⏳'))).toHaveLength(1);
    hb.stop();
  });

  it('beats on the next log line when one is due (virtual time), and forgets a failed Deployment', () => {
    let now = 0;
    const inner = new MemoryLog();
    const hb = withHeartbeat(inner, { now: () => now, sleep: async () => undefined }, { timer: false });
    hb.log.info('prod/api: Waiting for deployment "api" rollout to finish: 0 of 2 updated replicas are available...');
    now = 95_000;
    hb.log.warn('something');
    expect(inner.lines).toContain('⏳ still waiting after 1m35s: prod/api (0 of 2 updated replicas are available...)');
    hb.log.error('deployment "api" failed: ErrImagePull');
    now = 200_000;
    hb.beat();
    expect(inner.lines.filter((l) => l.startsWith('⏳'))).toHaveLength(1);
  });
});
