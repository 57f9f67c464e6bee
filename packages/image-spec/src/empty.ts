import type { Descriptor } from './types/descriptor.js';
import { MediaType } from './media-types.js';

/**
 * The empty descriptor (image-spec `manifest.md`, "Guidance for an Empty
 * Descriptor"; `DescriptorEmptyJSON` in the reference code): the JSON object
 * `{}`, two bytes, with its content embedded. Frozen: copy it to change it.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#guidance-for-an-empty-descriptor
 */
export const EMPTY_DESCRIPTOR = Object.freeze({
  mediaType: MediaType.EmptyJSON,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const satisfies Descriptor);

/** The content the empty descriptor points to. */
export const EMPTY_JSON = '{}';
