import type { ChecklistApi, ItemId } from '../../checklist/index.ts';
import type { Binding, Rule } from '../types.ts';

/**
 * Binders for one API's table, read like the OpenID conformance suite's
 * `callAndContinueOnFailure(Condition, severity, "OIDCC-x")`: `run('EP-HEADERS', systemHeaders)`.
 */
export function bindingsFor(api: ChecklistApi) {
  return {
    /** Judged at the end of each flow that lists the item. */
    flow: (item: ItemId, rule: Rule): Binding => ({ item, api, scope: 'flow', rule }),
    /** Judged once over all the run's traffic. */
    run: (item: ItemId, rule: Rule): Binding => ({ item, api, scope: 'run', rule }),
  };
}
