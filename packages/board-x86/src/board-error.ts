/**
 * The one error type the board raises for bad input from outside the guest: a missing disk
 * file, an image without an entry point, an invalid configuration, an access to a physical
 * address nothing decodes. Its message names the culprit, so a failed `Board.run` explains
 * itself instead of showing a host stack trace from deep inside a device.
 */

export class BoardError extends Error {
  override readonly name = "BoardError";
}
