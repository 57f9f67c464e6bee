import { OcikitError, quote, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/**
 * The vocabulary of container errors. Codes are stable: scripts and callers
 * branch on them. Image problems keep the codes of the package that found
 * them (@ocikit/transport's NOT_FOUND, @ocikit/bundle's DIFF_ID_MISMATCH...).
 */
export const ContainerErrorCode = {
  /** No runtime executable of the name given (runc, crun) on PATH or in the sbin directories. */
  RuntimeNotFound: 'RUNTIME_NOT_FOUND',
  /** The runtime refused or failed an operation (create, start, kill, delete, exec). */
  RuntimeFailed: 'RUNTIME_FAILED',
  /** The image gives no process to run: no Entrypoint, no Cmd and no arguments. */
  NoCommand: 'NO_COMMAND',
  /** The process's executable is not in the rootfs (or not on the container's PATH). */
  ExecutableNotFound: 'EXECUTABLE_NOT_FOUND',
  /** The process's executable is in the rootfs but is not an executable regular file. */
  NotExecutable: 'NOT_EXECUTABLE',
  /** A container name breaks the grammar runtimes accept for IDs. */
  InvalidName: 'INVALID_CONTAINER_NAME',
  /** A container of that name already exists. */
  NameInUse: 'CONTAINER_NAME_IN_USE',
  /** No container of that name is known to this store. */
  NoSuchContainer: 'NO_SUCH_CONTAINER',
  /** The container is running and the operation needs it stopped (delete without force). */
  ContainerRunning: 'CONTAINER_RUNNING',
  /** No image of that name or digest is in the store. */
  NoSuchImage: 'NO_SUCH_IMAGE',
  /** An image is still used by a container, so it is not removed. */
  ImageInUse: 'IMAGE_IN_USE',
  /** A run option is malformed (`-e`, `-u`, `--platform`...). */
  InvalidOption: 'INVALID_RUN_OPTION',
} as const;
export type ContainerErrorCode = CodeOf<typeof ContainerErrorCode>;

/** Where the rules come from. */
export const ContainerSpecRef = {
  Runtime: 'https://github.com/opencontainers/runtime-spec/blob/v1.2.1/runtime.md',
  Conversion: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/conversion.md',
  CommandLine: 'https://github.com/opencontainers/runtime-tools/blob/master/docs/command-line-interface.md',
} as const;

/** Every error @ocikit/container throws on purpose. */
export class ContainerError extends OcikitError<ContainerErrorCode> {
  override readonly name = 'ContainerError';

  constructor(code: ContainerErrorCode, message: string, options: OcikitErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isContainerError(err: unknown): err is ContainerError {
  return err instanceof ContainerError;
}

/** Quote for a one-line message (the one `quote` of @ocikit/errors). */
export const q = quote;
