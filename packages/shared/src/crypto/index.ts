export * from './encryption-keys.ts';
export * from './field-encryption.ts';
