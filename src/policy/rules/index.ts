/** Every rule module, in one list. Append a module's rules here when you add one. */
import type { Rule } from '../validate.js';
import { CATALOG_RULES } from './catalog-rules.js';
import { FORMAT_RULES } from './format-rules.js';
import { GRAMMAR_RULES } from './grammar-rules.js';
import { SECURITY_RULES } from './security-rules.js';

export const RULES: readonly Rule[] = [...GRAMMAR_RULES, ...FORMAT_RULES, ...SECURITY_RULES, ...CATALOG_RULES];
