/**
 * @asterism/svc-fs: File systems: the VFS, ramfs/tmpfs, the initramfs (cpio) unpacker, devfs and procfs.
 */
export const PACKAGE_NAME = "@asterism/svc-fs";
