import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { findingLine, type IdMapFinding } from '../core/idmapCheck.js';
import { readIdMapSubject } from '../host/subid.js';
import { parseIdMapLines, type IdKind } from '../core/idmap.js';
import { idmapUsage, spaceSlices, type ContainerUse, type IdMapUsage, type SpaceSlice, type SpaceUse } from '../idmap/usage.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { registerIdmapSet } from './idmapSet.js';

/** `lxcdeck idmap show|check|set`: the user's subordinate ids, who maps what, and the validation of each map. */

function usageOf(ctx: CliContext): IdMapUsage {
  const { subject, problems } = readIdMapSubject(ctx.fs, ctx.identity);
  // every lxcpath's containers: a range mapped in another one is shared all the same
  return idmapUsage(subject, ctx.everyIdmap.idmaps(), problems);
}

/** The id space of each kind cut into slices, with who maps each. */
function spaceOf(ctx: CliContext): { usage: IdMapUsage; slices: Record<IdKind, SpaceSlice[]> } {
  const { subject, problems } = readIdMapSubject(ctx.fs, ctx.identity);
  const all = ctx.everyIdmap.idmaps();
  const maps = all.map((c) => ({ name: c.name, entries: parseIdMapLines(c.values).entries }));
  return { usage: idmapUsage(subject, all, problems), slices: { u: spaceSlices(subject, maps, 'u'), g: spaceSlices(subject, maps, 'g') } };
}

function formatSpace(u: IdMapUsage, slices: Record<IdKind, SpaceSlice[]>, lxcpath: string): string {
  const lines = header(u, lxcpath);
  for (const k of ['u', 'g'] as const) {
    const rows = slices[k].map((s) => [s.ids, String(s.count), s.containers.map(sanitize).join(', ') || 'free', s.containers.length > 1 ? 'SHARED' : '']);
    lines.push('', `sub${k}id`, rows.length ? formatTable(['IDS', 'COUNT', 'USED BY', ''], rows) : 'no ranges');
  }
  const outside = u.containers.flatMap((c) => c.uses.filter((e) => !e.inside).map((e) => `${sanitize(c.name)}: ${e.entry}`));
  if (outside.length) lines.push('', 'outside your ranges:', ...outside.map((o) => `  ${o}`));
  return lines.join('\n');
}

/** The lxcpaths the maps were read from, for the header. */
const lxcpathsLabel = (ctx: CliContext) => ctx.everyIdmap.lxcpaths.join(', ');

/** Usage narrowed to one container; the others still count for sharing. */
function usageFor(ctx: CliContext, name: string): IdMapUsage {
  // asks liblxc for this one first, so an unknown name is a not-defined error
  ctx.idmaps.idmapOf(name);
  const u = usageOf(ctx);
  return { ...u, containers: u.containers.filter((c) => c.name === name) };
}

const spaceLine = (label: string, s: SpaceUse) => `${label}  ${s.ranges.join(', ') || 'none'}  ${s.total} ids, ${s.used} used by containers, ${s.free} free`;

const findingText = (f: IdMapFinding, who?: string) => `${f.severity}${who ? ` ${sanitize(who)}` : ''}: ${sanitize(findingLine(f))}`;

function header(u: IdMapUsage, lxcpath: string): string[] {
  return [
    `idmaps of ${sanitize(u.user)} (uid ${u.uid}, gid ${u.gid}) in ${sanitize(lxcpath)}`,
    spaceLine('subuid', u.subuid),
    spaceLine('subgid', u.subgid),
    ...u.fileProblems.map((p) => `warning: ${p.file}${p.line ? ` line ${p.line} ${JSON.stringify(sanitize(p.text.trim()))}` : ''}: ${p.message}: ${p.line ? 'fix or remove the line (newuidmap skips it)' : 'check the file exists and is readable'}`),
  ];
}

const isolation = (c: ContainerUse) => (c.findings.some((f) => f.rule === 'unloadable') ? '-' : c.isolated ? 'yes' : c.idmap.length ? 'no' : 'privileged');

const sharers = (c: ContainerUse) => [...new Set(c.uses.flatMap((u) => u.sharedWith.map((s) => s.name)))];

function formatAll(u: IdMapUsage, lxcpath: string): string {
  const rows = u.containers.map((c) => [sanitize(c.name), c.state, sanitize(c.idmap.join('; ')) || '-', c.valid ? 'yes' : 'NO', isolation(c), sharers(c).map(sanitize).join(',') || '-']);
  const lines = [...header(u, lxcpath), ''];
  lines.push(u.containers.length ? formatTable(['CONTAINER', 'STATE', 'MAP', 'VALID', 'ISOLATED', 'SHARES WITH'], rows) : 'no containers');
  const findings = u.containers.flatMap((c) => c.findings.map((f) => findingText(f, c.name)));
  if (findings.length) lines.push('', ...findings);
  return lines.join('\n');
}

function formatOne(u: IdMapUsage, lxcpath: string): string {
  const c = u.containers[0] as ContainerUse;
  const lines = [...header(u, lxcpath), '', `${sanitize(c.name)} (${c.state}): ${c.isolated ? 'isolated' : 'not isolated'}${c.valid ? '' : ', INVALID'}`];
  const rows = c.uses.map((e) => [e.entry, e.hostIds, e.inside ? 'yes' : 'NO', e.sharedWith.map((s) => `${sanitize(s.name)} (${s.ids})`).join(', ') || '-']);
  lines.push(rows.length ? formatTable(['ENTRY', 'HOST IDS', 'IN YOUR RANGES', 'ALSO USED BY'], rows) : 'no idmap (a privileged container)');
  if (c.findings.length) lines.push('', ...c.findings.map((f) => findingText(f)));
  return lines.join('\n');
}

function checkJson(c: ContainerUse) {
  return { name: c.name, valid: c.valid, isolated: c.isolated, errors: c.findings.filter((f) => f.severity === 'error').length, warnings: c.findings.filter((f) => f.severity === 'warning').length, findings: c.findings };
}

function checkText(c: ContainerUse, prefix: boolean): string[] {
  const errors = c.findings.filter((f) => f.severity === 'error').length;
  const warnings = c.findings.length - errors;
  const summary = errors
    ? `${sanitize(c.name)}: ${errors} error${errors > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`
    : `${sanitize(c.name)}: valid${c.isolated ? ', isolated' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`;
  return [...c.findings.map((f) => findingText(f, prefix ? c.name : undefined)), summary];
}

export function registerIdmapCommands(program: Command, io: CliIo, setStatus: (code: number) => void, context: (cmd: Command) => CliContext): void {
  const idmap = program.command('idmap').description('uid/gid maps: your /etc/subuid and /etc/subgid ranges, who uses what, validation');

  idmap
    .command('show')
    .description("your subordinate ranges and every container's map (or one container's: the ranges it uses and who else uses them)")
    .argument('[name]')
    .option('--json', 'print JSON')
    .action((name: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const u = name === undefined ? usageOf(ctx) : usageFor(ctx, name);
      if (opts.json) return io.out(JSON.stringify(u, null, 2));
      io.out(name === undefined ? formatAll(u, lxcpathsLabel(ctx)) : formatOne(u, lxcpathsLabel(ctx)));
    });

  idmap
    .command('check')
    .description('validate a container\'s map against your ranges and your other containers; exit 1 on errors')
    .argument('[name]')
    .option('--all', 'check every container')
    .option('--json', 'print JSON')
    .action((name: string | undefined, opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      if ((name === undefined) === !opts.all) throw new LxcdeckError('invalid-argument', name === undefined ? 'idmap check needs a container' : 'idmap check takes a name or --all, not both', "run 'lxcdeck idmap check NAME' or 'lxcdeck idmap check --all'");
      const ctx = context(cmd);
      const containers = (name === undefined ? usageOf(ctx) : usageFor(ctx, name)).containers;
      if (containers.some((c) => !c.valid)) setStatus(1);
      if (opts.json) return io.out(JSON.stringify(name === undefined ? containers.map(checkJson) : checkJson(containers[0] as ContainerUse), null, 2));
      io.out(containers.length ? containers.flatMap((c) => checkText(c, name === undefined)).join('\n') : 'no containers');
    });

  idmap
    .command('usage')
    .description('your subordinate uid/gid space cut into slices: which container maps each, what is free or shared')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const { usage, slices } = spaceOf(ctx);
      if (opts.json) return io.out(JSON.stringify({ user: usage.user, uid: usage.uid, gid: usage.gid, subuid: { ...usage.subuid, slices: slices.u }, subgid: { ...usage.subgid, slices: slices.g }, fileProblems: usage.fileProblems }, null, 2));
      io.out(formatSpace(usage, slices, lxcpathsLabel(ctx)));
    });

  registerIdmapSet(idmap, io, setStatus, context);
}
