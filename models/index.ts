export * from './cluster.ts';
export * from './explain.ts';
export * from './informationRules.ts';
export * from './position.ts';
export * from './roleMigration.ts';
export * from './types.ts';
export * from './updates.ts';
export * from './vocabulary.ts';
