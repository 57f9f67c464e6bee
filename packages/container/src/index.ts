// @ocikit/container: run OCI images. See README.md.
export { ContainerError, ContainerErrorCode, ContainerSpecRef, isContainerError } from './errors.js';
export { findRuntime } from './runtime/find-runtime.js';
export { clampSpecVersion, specLine, spokenSpecVersion, type SpokenVersion } from './runtime/spec-version.js';
export { OciRuntime, type OciRuntimeOptions, type RuntimeState, type SpawnOptions, type ExecOptions } from './runtime/oci-runtime.js';
export { defaultStoreRoot, storePaths, type StorePaths } from './store/store-root.js';
export { parseImageName, storeName } from './store/image-name.js';
export { ImageStore, PullPolicy, type PullOptions, type StoredImage, type StoreImageLine } from './store/image-store.js';
export { effectiveImageConfig, containerConfig, checkExecutable, type ProcessOptions } from './container/process.js';
export { checkContainerName, generateContainerName, RootfsKind, type ContainerRecord } from './container/record.js';
export {
  createContainer,
  listContainers,
  containerStatus,
  killContainer,
  removeContainer,
  execInContainer,
  imagesInUse,
  isRootless,
  type Container,
  type ContainerStatus,
  type CreateContainerOptions,
  type ExecInContainerOptions,
} from './container/lifecycle.js';
export { runImage, type RunOptions, type RunResult } from './run.js';
