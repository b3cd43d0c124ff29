/** Documentation pages the catalogue links to, and the checklist area names. */
export const D = 'https://developer.vippsmobilepay.com/docs';
export const KB = `${D}/knowledge-base`;
export const EPAYMENT_CHECKLIST = `${D}/APIs/epayment-api/checklist/`;
export const EPAYMENT_OPS = `${D}/APIs/epayment-api/api-guide/operations`;
export const WEBHOOKS = `${D}/APIs/webhooks-api`;
export const DESIGN_GUIDELINES = `${D}/design-guidelines/`;

export const ENDPOINTS = 'Endpoints to integrate';
export const QA = 'Quality assurance';
export const PITFALLS = 'Avoid integration pitfalls';
export const GO_LIVE = 'Flow to go live';
export const WEBHOOK_RECEIVER = 'Webhook receiver quality';
export const CARD_CALLBACK = 'Card callback';
