/**
 * @asterism/board-x86: The emulated x86-64 machine: physical RAM, the CPU and its MMU, interrupt controllers, timers, UART, RTC, PCI and virtio devices, the IOMMU and the image loader.
 */
export const PACKAGE_NAME = "@asterism/board-x86";
