/** nbjob-iam: the library entry point. */
export * from './policy/json.js';
export * from './policy/model.js';
export * from './policy/findings.js';
export * from './policy/read.js';
export * from './engine/types.js';
export * from './policy/validate.js';
