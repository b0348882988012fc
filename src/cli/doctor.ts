import { spawnSync } from 'node:child_process';
import { diagnose, type Check, type DoctorInput, type DoctorReport } from '../host/doctor.js';
import { sanitize } from '../presentation/format.js';
import { defaultConfFile } from '../host/paths.js';
import { currentDelegations, hasSystemdUserManager } from '../host/placement.js';
import { readIdMapSubject } from '../host/subid.js';
import { idmapDoctorChecks } from '../idmap/doctorChecks.js';
import { rootfsDirectory } from '../lxc/idmaps.js';
import type { CliContext } from './context.js';
import { netChecks } from './netDoctor.js';

function getfacl(dir: string): string | null {
  const r = spawnSync('getfacl', ['-cpn', dir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

/**
 * `others`: the contexts of further lxcpaths (-P repeated, the lxcpaths
 * setting): their running containers and maps are checked too, a container
 * outside the first lxcpath named with it (`web in /srv/lxc`, fix `-P /srv/lxc`).
 */
export function runDoctor(ctx: CliContext, others: readonly CliContext[] = []): DoctorReport {
  const running: DoctorInput['running'] = [];
  for (const c of [ctx, ...others]) {
    try {
      const where = c === ctx ? {} : { lxcpath: c.backend.lxcpath };
      running.push(...c.backend.list({ active: true }).flatMap((r) => (r.pid ? [{ name: r.name, ...where, pid: r.pid, ...(r.disagreement ? { disagreement: r.disagreement } : {}) }] : [])));
    } catch {
      /* an unreadable lxcpath shows up in other checks */
    }
  }
  const report = diagnose({
    fs: ctx.fs,
    identity: ctx.identity,
    cgroups: ctx.cgroups,
    delegations: currentDelegations(ctx.fs, ctx.cgroups, ctx.identity),
    lxcVersion: ctx.backend.lxcVersion(),
    lxcpath: ctx.backend.lxcpath,
    defaultConf: defaultConfFile(ctx.identity),
    systemdUserManager: hasSystemdUserManager(ctx.fs, ctx.identity),
    running,
    aclOf: getfacl,
  });
  for (const c of [ctx, ...others]) report.checks.push(...containerIdmapChecks(c));
  report.checks.push(pendingPlansCheck(ctx));
  report.checks.push(...netChecks(ctx));
  return report;
}

/** Maps of the containers themselves (diagnose() covers default.conf). */
function containerIdmapChecks(ctx: CliContext) {
  try {
    const containers = ctx.idmaps.idmaps();
    const owner = (c: { rootfs: string }) => {
      const dir = rootfsDirectory(c.rootfs);
      const st = dir ? ctx.fs.stat(dir) : null;
      return st ? { uid: st.uid, gid: st.gid } : null;
    };
    return idmapDoctorChecks(readIdMapSubject(ctx.fs, ctx.identity).subject, containers, owner);
  } catch {
    return []; // an unreadable lxcpath shows up in other checks
  }
}

/** Plans that kill -9 or a failed undo left half-done. */
function pendingPlansCheck(ctx: CliContext): Check {
  const pending = [...ctx.planExecutor().pendingJournals(), ...(ctx.volatileJournals.dir === ctx.journals.dir ? [] : ctx.planExecutor('volatile').pendingJournals())];
  const title = 'interrupted plans';
  if (!pending.length) return { id: 'plans', title, status: 'ok', detail: `none in ${ctx.journals.dir}${ctx.volatileJournals.dir === ctx.journals.dir ? '' : ` or ${ctx.volatileJournals.dir}`}` };
  const first = pending[0]?.id ?? '';
  return {
    id: 'plans',
    title,
    status: 'warn',
    detail: pending.map((j) => `${j.id} (${sanitize(j.title)}, ${j.state})`).join('; '),
    fix: `lxcdeck plan resume ${first}, or lxcdeck plan rollback ${first}`,
  };
}

export function formatDoctor(r: DoctorReport): string {
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = [`lxcdeck doctor: user ${r.user} (uid ${r.uid}), cgroups ${r.layout}, lxcpath ${r.lxcpath}`];
  for (const c of r.checks) lines.push(`${mark[c.status]} ${c.title}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  lines.push(failed ? `${failed} problem${failed > 1 ? 's' : ''} found` : 'no problems found');
  return lines.join('\n');
}
