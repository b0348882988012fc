/**
 * Bringing networks back after a reboot: with systemd as PID 1 a oneshot
 * unit runs `lxcdeck net up --all` before LXC's autostart; otherwise the
 * user adds that one line to the host's boot (e.g. /etc/rc.local).
 */
export const BOOT_UNIT = 'lxcdeck-networks.service';
export const BOOT_UNIT_PATH = `/etc/systemd/system/${BOOT_UNIT}`;

const q = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\\\])/g, '\\\\$1')}"`);

export function bootUnitText(node: string, bin: string): string {
  return [
    '[Unit]',
    'Description=lxcdeck networks (lxcdeck net up --all)',
    'After=network-pre.target',
    'Wants=network-pre.target',
    'Before=network.target lxc.service',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${q(node)} ${q(bin)} net up --all`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
