/** The catalogue: every check, in the order they run and are reported. */
import type { Check } from '../check.js';
import { HOOK_CHECKS } from './hooks.js';
import { LIFECYCLE_CHECKS, STATE_CHECKS } from './lifecycle.js';
import { LINUX_CHECKS } from './linux.js';
import { META_CHECKS } from './meta.js';
import { PROCESS_CHECKS } from './process.js';

export const ALL_CHECKS: readonly Check[] = [...META_CHECKS, ...LIFECYCLE_CHECKS, ...STATE_CHECKS, ...HOOK_CHECKS, ...PROCESS_CHECKS, ...LINUX_CHECKS];
