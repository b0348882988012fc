import { LxcdeckError } from './errors.js';

// liblxc accepts almost any file name; we accept what is also a valid
// hostname label, since lxc.uts.name defaults to the container name.
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Throws a one-line error for a name liblxc or the hostname rules would reject. */
export function validateContainerName(name: string): string {
  if (!NAME_RE.test(name) || name.includes('..')) {
    throw new LxcdeckError(
      'invalid-name',
      `invalid container name ${JSON.stringify(name)}`,
      'use 1-63 letters, digits, "-", "_" or ".", starting with a letter or digit',
    );
  }
  return name;
}
