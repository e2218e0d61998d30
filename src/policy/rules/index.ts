/** Every rule module, in one list. Append a module's rules here when you add one. */
import type { Rule } from '../validate.js';

export const RULES: readonly Rule[] = [];
