/** The catalogue: every check, in the order they run and are reported. */
import type { Check } from '../check.js';
import { HOOK_CHECKS } from './hooks.js';
import { LIFECYCLE_CHECKS, STATE_CHECKS } from './lifecycle.js';
import { LIFECYCLE_EXTRA_CHECKS } from './lifecycle-extra.js';
import { LINUX_CHECKS } from './linux.js';
import { META_CHECKS } from './meta.js';
import { MOUNT_CHECKS } from './mounts.js';
import { NAMESPACE_CHECKS } from './namespaces.js';
import { PROCESS_CHECKS } from './process.js';
import { RESOURCE_CHECKS } from './resources.js';
import { SECCOMP_CHECKS } from './seccomp.js';
import { SECURITY_CHECKS } from './security.js';
import { UPDATE_CHECKS } from './update.js';
import { USERNS_CHECKS } from './userns.js';

export const ALL_CHECKS: readonly Check[] = [...META_CHECKS, ...LIFECYCLE_CHECKS, ...STATE_CHECKS, ...LIFECYCLE_EXTRA_CHECKS, ...HOOK_CHECKS, ...PROCESS_CHECKS, ...SECURITY_CHECKS, ...LINUX_CHECKS, ...MOUNT_CHECKS, ...NAMESPACE_CHECKS, ...USERNS_CHECKS, ...RESOURCE_CHECKS, ...SECCOMP_CHECKS, ...UPDATE_CHECKS];
