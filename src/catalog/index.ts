/**
 * The service catalog: AWS actions, resource types and condition keys, synchronous and
 * cached per service. See catalog.ts for the interface and source.ts for where the data
 * comes from. Used by the validator only; the engine never calls it.
 */
export {
  actionSupportsConditionKey,
  catalogUpdatedAt,
  catalogVersion,
  conditionKey,
  conditionKeyCandidates,
  conditionKeysOfAction,
  expandActionPattern,
  actionsMatching,
  getAction,
  getActionByFullName,
  getService,
  globalConditionKeyNames,
  listServices,
  rcpSupportedServices,
  resourceTypesMatchingArn,
  serviceExists,
  setCatalogSource,
  splitArnParts,
  suggest,
  templateMatches,
} from './catalog.js';
export type {
  CatalogAction,
  CatalogActionResourceType,
  CatalogConditionKey,
  CatalogResourceType,
  CatalogService,
  ConditionKeyType,
} from './catalog.js';
export type { CatalogSource } from './source.js';
export { packageSource, CATALOG_PACKAGE } from './source.js';
