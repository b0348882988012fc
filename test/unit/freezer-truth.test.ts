import { describe, expect, it } from 'vitest';
import { freezerTruth } from '../../src/core/state.js';

describe('freezerTruth', () => {
  it('agreeing states pass through without a disagreement', () => {
    expect(freezerTruth('RUNNING', 'THAWED')).toEqual({ state: 'RUNNING' });
    expect(freezerTruth('FROZEN', 'FROZEN')).toEqual({ state: 'FROZEN' });
    expect(freezerTruth('FREEZING', 'FREEZING')).toEqual({ state: 'FREEZING' });
  });

  it('the cgroup wins over liblxc for running, freezing and frozen, and the disagreement is kept', () => {
    expect(freezerTruth('RUNNING', 'FROZEN')).toEqual({ state: 'FROZEN', disagreement: { liblxc: 'RUNNING', cgroup: 'FROZEN' } });
    expect(freezerTruth('FREEZING', 'FROZEN')).toEqual({ state: 'FROZEN', disagreement: { liblxc: 'FREEZING', cgroup: 'FROZEN' } });
    expect(freezerTruth('FROZEN', 'THAWED')).toEqual({ state: 'RUNNING', disagreement: { liblxc: 'FROZEN', cgroup: 'THAWED' } });
    expect(freezerTruth('RUNNING', 'FREEZING')).toEqual({ state: 'FREEZING', disagreement: { liblxc: 'RUNNING', cgroup: 'FREEZING' } });
  });

  it('states only liblxc knows, and a missing freezer, are liblxc’s', () => {
    expect(freezerTruth('STOPPED', 'FROZEN')).toEqual({ state: 'STOPPED' });
    expect(freezerTruth('STARTING', 'THAWED')).toEqual({ state: 'STARTING' });
    expect(freezerTruth('STOPPING', 'FROZEN')).toEqual({ state: 'STOPPING' });
    expect(freezerTruth('RUNNING', null)).toEqual({ state: 'RUNNING' });
  });
});
