/**
 * Errors users see. Every one is a single line: what is wrong, then how to fix
 * it. `code` is stable (scripts match on it in --json output).
 */
export type ErrorCode =
  | 'invalid-name'
  | 'invalid-argument'
  | 'not-defined'
  | 'wrong-state'
  | 'liblxc-missing'
  | 'liblxc-failed'
  | 'no-delegated-cgroup'
  | 'permission'
  | 'timeout'
  | 'config-key'
  | 'internal';

export class LxcdeckError extends Error {
  override readonly name = 'LxcdeckError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The exact step that fixes it, when there is one. */
    readonly fix?: string,
  ) {
    super(message);
  }

  /** The one line a user reads. */
  get line(): string {
    return this.fix ? `${this.message}: ${this.fix}` : this.message;
  }

  /** Process exit status for this kind of failure. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

const EXIT_CODES: Record<ErrorCode, number> = {
  'invalid-argument': 2,
  'invalid-name': 2,
  'config-key': 2,
  'not-defined': 3,
  'wrong-state': 4,
  'no-delegated-cgroup': 5,
  permission: 5,
  'liblxc-missing': 6,
  'liblxc-failed': 7,
  timeout: 8,
  internal: 1,
};

/**
 * By name too: the CLI bundle and the ES modules it imports at run time
 * (settings) each hold a copy of this class.
 */
export function isLxcdeckError(e: unknown): e is LxcdeckError {
  return e instanceof LxcdeckError || (e instanceof Error && e.name === 'LxcdeckError' && typeof (e as { code?: unknown }).code === 'string' && 'line' in e);
}
