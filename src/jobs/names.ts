import { LxcdeckError } from '../core/errors.js';

// the container-name rules: a job name becomes a cgroup directory and a file name
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function isValidJobName(name: string): boolean {
  return NAME_RE.test(name) && !name.includes('..');
}

export function validateJobName(name: string, what = 'job name'): string {
  if (!isValidJobName(name))
    throw new LxcdeckError('invalid-name', `invalid ${what} ${JSON.stringify(name)}`, 'use 1-63 letters, digits, "-", "_" or ".", starting with a letter or digit');
  return name;
}

/** A default name from the command: its base name, made valid ("make" -> "make"). */
export function nameStem(command: string): string {
  const base = (command.split('/').pop() ?? '').replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[^A-Za-z0-9]+/, '').replace(/\.\.+/g, '.');
  return (base || 'job').slice(0, 56);
}
