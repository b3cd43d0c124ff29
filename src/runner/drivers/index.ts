import type { SuiteApi } from '../../suite/index.ts';
import type { SandboxControl } from '../control.ts';
import { aggregateDriver } from './aggregate.ts';
import type { ApiDriver } from './types.ts';
import { testApiEpaymentDriver, type TestApiCustomer } from './test-api.ts';
import { testApiCardDriver } from './test-api-card.ts';
import { testApiEcomDriver } from './test-api-ecom.ts';
import { testApiPspDriver } from './test-api-psp.ts';
import type { TestApiClient } from './test-api-client.ts';

/** With --target test-api: golive's client for the real API, and who the customer is. */
export interface TestApiDriverOptions {
  client: TestApiClient;
  customer: TestApiCustomer;
}

/** The step driver for a suite's `api`. Webhooks API and PSP (card passthrough) suites exercise ePayment payments. */
export function driverFor(api: SuiteApi, control: SandboxControl, msn: string, testApi?: TestApiDriverOptions): ApiDriver {
  if (testApi) {
    // `golive run` refuses other APIs with --target test-api before anything starts.
    if (api === 'epayment-v1' || api === 'webhooks-v1') return testApiEpaymentDriver(testApi.client, control, msn, testApi.customer);
    if (api === 'ecom-v2') return testApiEcomDriver(testApi.client, control, msn, testApi.customer);
    if (api === 'psp-v2') return testApiPspDriver(testApi.client, control, msn, testApi.customer);
    if (api === 'epayment-psp') return testApiCardDriver(testApi.client, control, msn, testApi.customer);
    throw new Error(`--target test-api supports ePayment, eCom, PSP API and card passthrough suites; ${api} suites run against the sandbox`);
  }
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
