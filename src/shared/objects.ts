/** A plain JSON object (not null, not an array): what a parsed request or answer body is read as. */
export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
