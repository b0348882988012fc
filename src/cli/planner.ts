import type { ContainerPlanner } from '../core/backend.js';
import { inPlaceSource, parseCreateSource } from '../core/createSource.js';
import { buildCreatePlan } from '../lxc/createPlan.js';
import type { CliContext } from './context.js';
import { createDeps } from './create.js';
import { cgroupVersion, prepareCreate } from './createPrepare.js';
import { cgroupSettings } from '../core/limits.js';
import { LxcdeckError } from '../core/errors.js';
import { limitPlan } from './limit.js';
import { validateContainerName } from '../core/names.js';

/** The create wizard's engine side: the same checks and plan as `lxcdeck create`. */
export function containerPlanner(c: CliContext): ContainerPlanner {
  return {
    async createPlan(req) {
      const parsed = parseCreateSource(req.from);
      const params = await prepareCreate(c, { name: req.name, source: req.inPlace ? inPlaceSource(parsed) : parsed, limits: req.memoryMax ? { memoryMax: req.memoryMax } : {}, start: req.start });
      return buildCreatePlan(params, createDeps(c));
    },
    async clonePlan(from, to, options) {
      validateContainerName(from);
      const params = await prepareCreate(c, { name: to, source: { kind: 'clone', from, ...(options.snapshot ? { snapshot: true } : {}) }, limits: {} });
      return buildCreatePlan(params, createDeps(c));
    },
    limitPlan(name, req) {
      const settings = cgroupSettings(req, cgroupVersion(c));
      if (!settings.length) throw new LxcdeckError('invalid-argument', 'no limit given', 'fill in at least one field');
      return limitPlan(c, name, settings);
    },
  };
}
