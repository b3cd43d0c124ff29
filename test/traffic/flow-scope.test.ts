import { describe, expect, it } from 'vitest';
import { belongsToFlow, qrIdOf, type FlowTrafficScope } from '../../src/traffic/flow-scope.ts';
import type { Exchange } from '../../src/traffic/types.ts';

const exchange = (over: Partial<Exchange> & { path: string; method?: string; body?: unknown }): Exchange =>
  ({
    seq: 1,
    id: 'x',
    kind: 'api',
    api: 'qr',
    startedAt: 1_000,
    request: { method: over.method ?? 'POST', url: over.path, path: over.path, headers: {}, body: over.body },
    response: { status: 200, headers: {} },
    ...over,
  }) as unknown as Exchange;

const flow = (over: Partial<FlowTrafficScope> = {}): FlowTrafficScope => ({ references: [], startedAt: 500, endedAt: 2_000, msn: '123456', amount: 100, ...over });

describe('which flow a QR API call belongs to', () => {
  it('reads the QR id from the path or the create body', () => {
    expect(qrIdOf(exchange({ path: '/qr/v1/merchant-redirect/taxi%201', method: 'PUT' }))).toBe('taxi 1');
    expect(qrIdOf(exchange({ path: '/qr/v1/merchant-redirect', body: { id: 'taxi-2', redirectUrl: 'https://x' } }))).toBe('taxi-2');
    expect(qrIdOf(exchange({ path: '/qr/v1/merchant-redirect', method: 'GET' }))).toBeUndefined();
  });

  it('belongs to the flow that made or scanned that QR id, not to every flow running then', () => {
    const create = exchange({ path: '/qr/v1/merchant-redirect', body: { id: 'golive-taxi-1' } });
    expect(belongsToFlow(create, flow({ qrIds: ['golive-taxi-1'] }))).toBe(true);
    // A parallel flow at the same time (e.g. a capture flow): not its call.
    expect(belongsToFlow(create, flow({ qrIds: [] }))).toBe(false);
    expect(belongsToFlow(create, flow())).toBe(false);
    // Outside the flow's window, even with the id.
    expect(belongsToFlow({ ...create, startedAt: 3_000 }, flow({ qrIds: ['golive-taxi-1'] }))).toBe(false);
  });

  it('still gives token calls to the flows running when they happened', () => {
    const token = exchange({ path: '/accesstoken/get', api: 'access-token' } as never);
    expect(belongsToFlow(token, flow())).toBe(true);
  });
});
