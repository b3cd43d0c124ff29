/** Moved to shared/ (eCom Express checkout needs the same test users); kept for existing imports. */
export * from '../shared/test-users.ts';
