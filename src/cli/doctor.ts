import { spawnSync } from 'node:child_process';
import { diagnose, type DoctorInput, type DoctorReport } from '../host/doctor.js';
import { defaultConfFile } from '../host/paths.js';
import { currentDelegations, hasSystemdUserManager } from '../host/placement.js';
import type { CliContext } from './context.js';

function getfacl(dir: string): string | null {
  const r = spawnSync('getfacl', ['-cpn', dir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

export function runDoctor(ctx: CliContext): DoctorReport {
  let running: DoctorInput['running'] = [];
  try {
    running = ctx.backend.list({ active: true }).flatMap((c) => (c.pid ? [{ name: c.name, pid: c.pid, ...(c.disagreement ? { disagreement: c.disagreement } : {}) }] : []));
  } catch {
    /* an unreadable lxcpath shows up in other checks */
  }
  return diagnose({
    fs: ctx.fs,
    identity: ctx.identity,
    cgroups: ctx.cgroups,
    delegations: currentDelegations(ctx.fs, ctx.cgroups, ctx.identity),
    lxcVersion: ctx.lib.lxcdeck_lxc_version(),
    lxcpath: ctx.backend.lxcpath,
    defaultConf: defaultConfFile(ctx.identity),
    systemdUserManager: hasSystemdUserManager(ctx.fs, ctx.identity),
    running,
    aclOf: getfacl,
  });
}

export function formatDoctor(r: DoctorReport): string {
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = [`lxcdeck doctor: user ${r.user} (uid ${r.uid}), cgroups ${r.layout}, lxcpath ${r.lxcpath}`];
  for (const c of r.checks) lines.push(`${mark[c.status]} ${c.title}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  lines.push(failed ? `${failed} problem${failed > 1 ? 's' : ''} found` : 'no problems found');
  return lines.join('\n');
}
