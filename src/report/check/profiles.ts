/**
 * `check --all-profiles`: one result per user profile or space, and a summary that says
 * what fails and for how many. The model and renderers live in domain.ts and
 * domain-render.ts; this module keeps the names the check command imports.
 */
export type { ProfileCheck } from './domain.js';
export type { DomainFormat as ProfilesFormat } from './domain-render.js';
export { renderDomain, domainRenderer, domainChunks } from './domain-render.js';
