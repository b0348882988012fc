import { isLxcdeckError } from '../core/errors.js';
import { defineForm, numberField, textField } from '../core/fields.js';
import { validateJobName } from '../jobs/names.js';
import { parseSource, parseTarget } from './rules.js';

/** The one line of what a parser throws, or null when it accepts. */
function lineOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return isLxcdeckError(e) ? e.line : String(e);
  }
}

/**
 * The fields of a new freeze rule, checked by the same parsers as
 * `lxcdeck rule add` so the form shows the error before saving does.
 */
export const RULE_FORM = defineForm(
  [
    textField({ key: 'source', label: 'source', hint: 'thermal:0, file:/path, pressure:memory, cpu:<job or container>', required: true, check: (s) => lineOf(() => parseSource(s)) }),
    textField({ key: 'target', label: 'target', hint: 'job:<name>, jobs:*, container:<name>, group:<lxc.group>', required: true, check: (s) => lineOf(() => parseTarget(s)) }),
    numberField({ key: 'high', label: 'freeze above', hint: 'the high mark (°C for thermal, % for cpu and pressure)' }),
    numberField({ key: 'low', label: 'thaw below', hint: 'the low mark, lower than the high one' }),
    textField({ key: 'name', label: 'name', hint: 'optional: rule1, rule2, ... when empty', check: (s) => lineOf(() => validateJobName(s, 'rule name')) }),
  ],
  (v) => (v.low < v.high ? [] : [{ key: 'low', error: `low mark ${v.low} is not below the high mark ${v.high}: give a low mark smaller than ${v.high}` }]),
);
