import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostUnavailable } from './host.js';
import { inPrivateNet } from './netPeers.js';

/**
 * Network plans are journalled under /run (no fsync: a reboot wipes the
 * network anyway). A `net up` killed with SIGKILL mid-plan leaves its journal
 * there; `plan ls` lists it beside the durable store's plans and `plan
 * rollback` undoes what it applied. In a private netns and mount namespace
 * (its own /run/lxcdeck and a tmpfs run-plans dir).
 */
const skip = hostUnavailable();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-netjr-'));
const netDir = path.join(work, 'nets');
const runPlans = path.join(work, 'run-plans');
fs.mkdirSync(netDir);
fs.mkdirSync(runPlans);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip)('network plan journals under /run', () => {
  it('a killed net up is listed by plan ls and rolled back by plan rollback', async () => {
    const r = await inPrivateNet(
      [
        `mount -t tmpfs plans ${runPlans}`,
        'set +e',
        '$LXCDECK net create fj --kind nat --subnet 10.63.0.0/24 >/dev/null && $LXCDECK net down fj >/dev/null',
        // kill -9 as soon as the journal exists; the plan takes tens of ms, the poll is 5 ms (bounded tries)
        'for try in 1 2 3 4 5 6 7 8; do',
        '  $LXCDECK net up fj >/dev/null 2>&1 & p=$!',
        '  i=0; while [ $i -lt 400 ] && ! ls ' + runPlans + '/net.up-*.json >/dev/null 2>&1; do sleep 0.005; i=$((i+1)); done',
        '  kill -9 $p; wait $p 2>/dev/null',
        '  ls ' + runPlans + '/net.up-*.json >/dev/null 2>&1 && break',
        '  $LXCDECK net down fj >/dev/null',
        'done',
        'echo "== ls"; $LXCDECK plan ls --json',
        'id=$($LXCDECK plan ls --json | grep -o "\\"id\\": \\"net.up-[^\\"]*" | head -1 | cut -d\\" -f4)',
        'echo "== rollback"; $LXCDECK plan rollback $id | tail -1',
        'echo "== after"; ls ' + runPlans + ' | wc -l; test -e /sys/class/net/ldk-fj && echo bridge-left || echo bridge-gone; $LXCDECK net show fj --json | grep -o "\\"state\\": \\"[a-z]*\\""',
        '$LXCDECK net rm fj >/dev/null',
      ].join('\n'),
      { LXCDECK_NET_DIR: netDir, LXCDECK_RUN_PLANS_DIR: runPlans },
      120_000,
    );
    const section = (name: string) => r.stdout.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? '';
    const pending = JSON.parse(section('ls')) as { id: string; kind: string; title: string }[];
    expect(pending.filter((j) => j.kind === 'net.up').map((j) => j.title)).toEqual(['Network fj (nat 10.63.0.0/24) up']);
    expect(section('rollback')).toMatch(/Network fj .* up: rolled back/);
    expect(section('after').trim().split('\n')).toEqual(['0', 'bridge-gone', '"state": "down"']);
  }, 150_000);
});
