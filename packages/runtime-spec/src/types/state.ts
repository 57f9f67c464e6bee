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
  /** Version of the Open Container Initiative Runtime Specification the state complies with. */
  ociVersion: string;
  /**
   * Container ID; MUST be unique across all containers on this host.
   * @minLength 1
   */
  id: string;
  /** Runtime state of the container. */
  status: ContainerStatus;
  /**
   * ID of the container process as seen by the host; REQUIRED on Linux while `created` or `running`.
   * @TJS-type integer
   * @minimum 0
   */
  pid?: number;
  /** Absolute path to the container's bundle directory. */
  bundle: string;
  /** Annotations associated with the container. */
  annotations?: { [key: string]: string };
}
