/**
 * The virtual-machine section of `config.json` (runtime-spec `config-vm.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-vm.md
 */

/**
 * Configuration for containers run inside a virtual machine.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-vm.md
 */
export interface VM {
  /** OPTIONAL. Hypervisor that manages the VM. */
  hypervisor?: VMHypervisor;
  /** REQUIRED. Kernel the VM boots. */
  kernel: VMKernel;
  /** OPTIONAL. Root image of the VM. */
  image?: VMImage;
}

/** Hypervisor of the VM. */
export interface VMHypervisor {
  /** REQUIRED. Path to the hypervisor binary; MUST be absolute in the runtime mount namespace. */
  path: string;
  /** OPTIONAL. Parameters passed to the hypervisor. */
  parameters?: string[];
}

/** Kernel of the VM. */
export interface VMKernel {
  /** REQUIRED. Path to the kernel; MUST be absolute in the runtime mount namespace. */
  path: string;
  /** OPTIONAL. Kernel command-line parameters. */
  parameters?: string[];
  /** OPTIONAL. Path to an initial ramdisk; MUST be absolute in the runtime mount namespace. */
  initrd?: string;
}

/** Image formats a VM root image may have. */
export type VMImageFormat = 'raw' | 'qcow2' | 'vdi' | 'vmdk' | 'vhd';

/** Root image of the VM. */
export interface VMImage {
  /** REQUIRED. Path to the image; MUST be absolute in the runtime mount namespace. */
  path: string;
  /** REQUIRED. Image format. */
  format: VMImageFormat;
}
