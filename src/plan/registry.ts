import type { Disposable } from '../base/disposable.js';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan } from '../core/plan.js';

/**
 * Plan builders by kind: how a journal's kind + params become the same plan
 * again after a crash. A builder validates its params (a journal is a file
 * on disk) and throws a one-line LxcdeckError when they are unusable.
 */
export type PlanBuilder = (params: Json) => Plan;

export class PlanRegistry {
  private readonly builders = new Map<string, PlanBuilder>();

  register(kind: string, builder: PlanBuilder): Disposable {
    if (this.builders.has(kind)) throw new Error(`plan kind ${kind} is registered twice`);
    this.builders.set(kind, builder);
    return { dispose: () => this.builders.delete(kind) };
  }

  kinds(): string[] {
    return [...this.builders.keys()].sort();
  }

  build(kind: string, params: Json): Plan {
    const builder = this.builders.get(kind);
    if (!builder) throw new LxcdeckError('invalid-argument', `no plan builder for kind ${JSON.stringify(kind)}`, `this lxcdeck knows ${this.kinds().join(', ') || 'no kinds'}; use the version that wrote the journal`);
    const plan = builder(params);
    if (plan.kind !== kind) throw new Error(`plan builder for ${kind} made a ${plan.kind} plan`);
    return plan;
  }
}
