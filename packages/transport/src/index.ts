// @ocikit/transport: the oci:, oci-archive: and docker:// transports and the copy between them. See README.md.
export { TransportError, TransportErrorCode, TransportSpecRef, isTransportError } from './errors.js';
export {
  parseTransportReference,
  formatTransportReference,
  TransportName,
  TRANSPORT_FORMS,
  type TransportReference,
  type LayoutReference,
  type DockerReference,
} from './reference.js';
export { BlobTransfer, type ImageSource, type ImageDestination, type PushBlobOptions } from './target.js';
export { LayoutSource, LayoutDestination, type LayoutDestinationOptions } from './targets/layout.js';
export { openLayoutSource, openLayoutDestination, DEFAULT_REF } from './targets/archive.js';
export { openSource, openDestination, type OpenOptions } from './open.js';
export {
  RegistrySource,
  RegistryDestination,
  registryOpener,
  defaultRegistryClientOptions,
  type RegistryOpener,
  type ClosableRegistryOpener,
  type RegistryClientOptionsFor,
  type RegistrySide,
  type DestinationHints,
} from './targets/registry.js';
export { forEachLimit } from './concurrency.js';
export { copyImage, planCopy, BlobState, WALKABLE_TYPES, MAX_DEPTH, MAX_REFERRERS, type CopyOptions, type CopyPlan, type CopyProgress, type CopyResult } from './copy.js';
export { copy } from './copy-references.js';
export { inspectRemoteImage, resolveRemoteImage, readRemoteManifestBytes, readRemoteConfigBytes, type RemoteInspectOptions, type RemoteResolveOptions, type RemoteImage } from './inspect.js';
