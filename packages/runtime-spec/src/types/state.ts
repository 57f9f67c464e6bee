/**
 * The container state (runtime-spec `runtime.md`, "State").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/runtime.md#state
 */
import type { Annotations, OciVersion } from './defs.js';

/**
 * Status of a container (runtime-spec `runtime.md`, "State").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/runtime.md#state
 */
export type ContainerStatus = 'creating' | 'created' | 'running' | 'stopped';

/**
 * State of a container, as the runtime's `state` operation returns it
 * (runtime-spec `runtime.md`, "State").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/runtime.md#state
 */
export interface State {
  /** REQUIRED. Version of the runtime-spec the state complies with; SemVer 2.0.0. */
  ociVersion: OciVersion;
  /**
   * REQUIRED. Container ID; MUST be unique across all containers on this host.
   * @minLength 1
   */
  id: string;
  /** REQUIRED. Runtime state of the container. */
  status: ContainerStatus;
  /**
   * ID of the container process as seen by the host; REQUIRED on Linux while
   * `created` or `running`.
   * @TJS-type integer
   * @minimum 0
   */
  pid?: number;
  /** REQUIRED. Absolute path to the container's bundle directory. */
  bundle: string;
  /** OPTIONAL. Annotations of the container (from its configuration). */
  annotations?: Annotations;
}
