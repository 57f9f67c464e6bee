/**
 * Links to the spec sections each rule comes from. Released text is linked at
 * v1.1.1; rules that only exist on image-spec main (blake3, negative sizes)
 * link to main.
 */
const V = 'https://github.com/opencontainers/image-spec/blob/v1.1.1';
const MAIN = 'https://github.com/opencontainers/image-spec/blob/main';
const DOCKER = 'https://github.com/distribution/distribution/blob/v2.8.3/docs/spec/manifest-v2-2.md';

export const Ref = {
  DescriptorProperties: `${V}/descriptor.md#properties`,
  DescriptorSize: `${MAIN}/descriptor.md#properties`,
  Digests: `${V}/descriptor.md#digests`,
  RegisteredAlgorithms: `${MAIN}/descriptor.md#registered-algorithms`,
  EmbeddedContent: `${V}/descriptor.md#embedded-content`,
  ManifestProperties: `${V}/manifest.md#image-manifest-property-descriptions`,
  EmptyDescriptor: `${V}/manifest.md#guidance-for-an-empty-descriptor`,
  ArtifactUsage: `${V}/manifest.md#guidelines-for-artifact-usage`,
  IndexProperties: `${V}/image-index.md#image-index-property-descriptions`,
  PlatformVariants: `${MAIN}/image-index.md#platform-variants`,
  ConfigProperties: `${V}/config.md#properties`,
  LayoutFile: `${V}/image-layout.md#oci-layout-file`,
  AnnotationRules: `${V}/annotations.md#rules`,
  PredefinedAnnotations: `${V}/annotations.md#pre-defined-annotation-keys`,
  MediaTypes: `${V}/media-types.md`,
  DockerManifest: `${DOCKER}#image-manifest-field-descriptions`,
  DockerManifestList: `${DOCKER}#manifest-list-field-descriptions`,
  JsonSyntax: 'https://www.rfc-editor.org/rfc/rfc8259#section-2',
  JsonObjects: 'https://www.rfc-editor.org/rfc/rfc8259#section-4',
  JsonNumbers: 'https://www.rfc-editor.org/rfc/rfc8259#section-6',
  JsonEncoding: 'https://www.rfc-editor.org/rfc/rfc8259#section-8.1',
  JsonLimits: 'https://www.rfc-editor.org/rfc/rfc8259#section-9',
} as const;
export type Ref = (typeof Ref)[keyof typeof Ref];
