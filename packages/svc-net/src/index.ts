/**
 * @asterism/svc-net: The network stack and sockets.
 */
export const PACKAGE_NAME = "@asterism/svc-net";
