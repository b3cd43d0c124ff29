import type { SuiteApi } from '../../suite/index.ts';
import type { SandboxControl } from '../control.ts';
import { aggregateDriver } from './aggregate.ts';
import type { ApiDriver } from './types.ts';

/** The step driver for a suite's `api`. Webhooks API and PSP (card passthrough) suites exercise ePayment payments. */
export function driverFor(api: SuiteApi, control: SandboxControl, msn: string): ApiDriver {
  switch (api) {
    case 'epayment-v1':
    case 'webhooks-v1':
    case 'epayment-psp':
      return aggregateDriver('epayment', control, msn);
    case 'ecom-v2':
      return aggregateDriver('ecom-v2', control, msn);
    case 'psp-v2':
      // The PSP API (v2 and v3): the sandbox's control record carries the same aggregate.
      return aggregateDriver('psp-api', control, msn);
  }
}
