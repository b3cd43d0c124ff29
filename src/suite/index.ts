/** The suite and merchant-profile language: schemas, loader, interpolation. */
export * from './checklist.ts';
export * from './duration.ts';
export * from './jsonpath.ts';
export * from './template.ts';
export * from './diagnostics.ts';
export * from './steps.ts';
export * from './profile.ts';
export * from './schema.ts';
export * from './loader.ts';
export * from './applicability.ts';
export * from './scope.ts';
export { generateSchemas, SCHEMA_FILES, schemaText } from './json-schema.ts';
export * from './profile-platform.ts';
