import type { ContainerInfo, ContainerSummary } from '../core/container.js';
import { formatBytes, formatSeconds, formatTable, sanitize } from '../presentation/format.js';
import { paintTable } from './color.js';

/** Text output of `lxcdeck ls` and `lxcdeck info`; loaded only by those commands. */

/** The state, and liblxc's word when it disagrees with the cgroup (a freeze killed half-way). */
export function stateText(c: ContainerSummary): string {
  return c.disagreement ? `${c.state} (liblxc: ${c.disagreement.liblxc})` : c.state;
}

function summaryRow(c: ContainerSummary): string[] {
  return [
    sanitize(c.name),
    stateText(c),
    c.pid === null ? '-' : String(c.pid),
    c.ipv4.join(',') || '-',
    c.ipv6.join(',') || '-',
    formatBytes(c.memoryBytes),
    formatSeconds(c.cpuSeconds),
    c.unprivileged ? 'yes' : 'no',
    c.autostart ? 'yes' : 'no',
    c.groups.map(sanitize).join(',') || '-',
  ];
}

/** `withLxcpath`: several lxcpaths are listed, and a column says which one each row is in. */
export function formatSummaries(rows: ContainerSummary[], color = false, withLxcpath = false): string {
  const head = ['NAME', 'STATE', 'PID', 'IPV4', 'IPV6', 'MEMORY', 'CPU', 'UNPRIV', 'AUTOSTART', 'GROUPS'];
  if (!withLxcpath) return paintTable(formatTable(head, rows.map(summaryRow)), 'STATE', color);
  return paintTable(formatTable([...head, 'LXCPATH'], rows.map((r) => [...summaryRow(r), sanitize(r.lxcpath ?? '-')])), 'STATE', color);
}

export function formatInfo(info: ContainerInfo): string {
  const lines: [string, string][] = [
    ['Name', sanitize(info.name)],
    ['State', info.state],
    ['PID', info.pid === null ? '-' : String(info.pid)],
    ['IPv4', info.ipv4.join(', ') || '-'],
    ['IPv6', info.ipv6.join(', ') || '-'],
    ['Memory', formatBytes(info.memoryBytes)],
    ['CPU', formatSeconds(info.cpuSeconds)],
    ['Unprivileged', info.unprivileged ? 'yes' : 'no'],
    ['Idmap', info.idmap.join('; ') || '-'],
    ['Autostart', info.autostart ? 'yes' : 'no'],
    ['Groups', info.groups.join(', ') || '-'],
    ['Rootfs', info.rootfs || '-'],
    ['Config', info.configFile],
    ['Host links', info.hostInterfaces.join(', ') || '-'],
    ['Console buffer', info.consoleBufferSize || 'off'],
    ...Object.entries(info.cgroups).map(([h, d]): [string, string] => [`cgroup ${h}`, d]),
  ];
  return lines.map(([k, v]) => `${`${k}:`.padEnd(16)}${v}`).join('\n');
}
