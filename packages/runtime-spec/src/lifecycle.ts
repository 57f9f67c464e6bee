/**
 * The container lifecycle as data (runtime-spec `runtime.md`, "Lifecycle" and
 * "Operations"): which operation is allowed in which status and where it
 * leads. The runtime conformance harness drives a runtime with this table.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/runtime.md#operations
 */
import type { ContainerStatus } from './types/state.js';
import { RuntimeSpecError, RuntimeSpecErrorCode } from './errors.js';
import { specRef } from './validate/findings.js';

/** Runtime operations (runtime-spec `runtime.md`, "Operations"). */
export const Operation = {
  State: 'state',
  Create: 'create',
  Start: 'start',
  Kill: 'kill',
  Delete: 'delete',
} as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

/** A container that does not exist (before `create`, after `delete`). */
export const ABSENT = 'absent' as const;
export type LifecycleStatus = ContainerStatus | typeof ABSENT;

/** One row of the lifecycle table. */
export interface LifecycleRule {
  operation: Operation;
  /** Status the container must be in for the operation to be allowed. */
  from: readonly LifecycleStatus[];
  /**
   * Status right after the operation returns successfully. `kill` leaves the
   * status unchanged: the container becomes `stopped` when its process exits.
   */
  to: LifecycleStatus | 'unchanged';
  /** What the spec requires when the operation is not allowed. */
  otherwise: string;
  ref: string;
}

/** The lifecycle table (runtime-spec `runtime.md`). */
export const LIFECYCLE: readonly LifecycleRule[] = [
  {
    operation: 'state',
    from: ['creating', 'created', 'running', 'stopped'],
    to: 'unchanged',
    otherwise: 'querying a container that does not exist MUST generate an error',
    ref: specRef('runtime.md', 'query-state'),
  },
  {
    operation: 'create',
    from: [ABSENT],
    to: 'created',
    otherwise: 'an ID that is not unique across containers MUST generate an error and no new container is created',
    ref: specRef('runtime.md', 'create'),
  },
  {
    operation: 'start',
    from: ['created'],
    to: 'running',
    otherwise: 'starting a container that is not created MUST have no effect on it and MUST generate an error',
    ref: specRef('runtime.md', 'start'),
  },
  {
    operation: 'kill',
    from: ['created', 'running'],
    to: 'unchanged',
    otherwise: 'signalling a container that is neither created nor running MUST have no effect on it and MUST generate an error',
    ref: specRef('runtime.md', 'kill'),
  },
  {
    operation: 'delete',
    from: ['stopped'],
    to: ABSENT,
    otherwise: 'deleting a container that is not stopped MUST have no effect on it and MUST generate an error',
    ref: specRef('runtime.md', 'delete'),
  },
];

/** Status changes that happen without an operation: the container process exits. */
export const PROCESS_EXIT: { from: readonly ContainerStatus[]; to: ContainerStatus } = { from: ['created', 'running'], to: 'stopped' };

const RULES = new Map(LIFECYCLE.map((r) => [r.operation, r]));

/** Whether `operation` is allowed for a container in `status`. */
export function isAllowed(status: LifecycleStatus, operation: Operation): boolean {
  return RULES.get(operation)!.from.includes(status);
}

/**
 * Status after `operation` succeeds on a container in `status`. Throws
 * RuntimeSpecError (INVALID_TRANSITION) when the spec forbids the operation:
 * a conforming runtime then MUST fail and leave the container unchanged.
 */
export function transition(status: LifecycleStatus, operation: Operation): LifecycleStatus {
  const rule = RULES.get(operation);
  if (!rule) throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidArgument, `expected an operation (${[...RULES.keys()].join(', ')}), found ${JSON.stringify(operation)}`);
  if (!rule.from.includes(status)) {
    throw new RuntimeSpecError(RuntimeSpecErrorCode.InvalidTransition, `expected ${operation} on a container that is ${rule.from.join(' or ')}, found ${status}: ${rule.otherwise}`);
  }
  return rule.to === 'unchanged' ? status : rule.to;
}
