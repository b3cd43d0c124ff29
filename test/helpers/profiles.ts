/**
 * The YAML of a small profile for an HTTP integration under test (a stub server, a crashing
 * shop …): credentials from the sandbox's test keys unless `credentials` names other variables.
 */
export function httpProfileYaml(o: { id: string; baseUrl: string; start?: string; credentials?: [string, string, string] }): string {
  const [id, secret, key] = o.credentials ?? ['GOLIVE_TEST_CLIENT_ID', 'GOLIVE_TEST_CLIENT_SECRET', 'GOLIVE_TEST_SUBSCRIPTION_KEY'];
  return `profile: ${o.id}
name: ${o.id}
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:${id}}
  clientSecret: \${env:${secret}}
  subscriptionKey: \${env:${key}}
baseUrl: ${JSON.stringify(o.baseUrl)}
${o.start ?? ''}
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/checkout", body: { amount: "{{amount}}" }, extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/orders/{{reference}}", extract: { status: $.status } } }
  capture: { http: { method: POST, url: "{{baseUrl}}/x" } }
  refund: { http: { method: POST, url: "{{baseUrl}}/x" } }
  cancel: { http: { method: POST, url: "{{baseUrl}}/x" } }
`;
}
