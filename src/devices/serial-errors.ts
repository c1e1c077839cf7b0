/**
 * Turns what serialport throws into a reason and a fix that staff or a technician can act on. Pure.
 * serialport 13 gives no error codes on open, only messages such as
 * "Error: Permission denied, cannot open /dev/ttyACM0", so the messages are read.
 */

export type OpenProblemKind = 'missing' | 'permission' | 'busy' | 'not-serial' | 'udev' | 'other';

export interface OpenProblem {
  kind: OpenProblemKind;
  /** The status message: what is wrong and what to do. */
  message: string;
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/^Error:\s*/, '').trim();
const codeOf = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';

/** Why `path` can't be opened (missing, permission, in use, not a serial port, or as reported). */
export function describeOpenError(error: unknown, path: string): OpenProblem {
  const reason = messageOf(error);
  const code = codeOf(error);
  if (code === 'ENOENT' || /no such file or directory/i.test(reason))
    return {
      kind: 'missing',
      message: `${path} not found: plug the scanner in, or check "path" in the config`,
    };
  if (code === 'EACCES' || /permission denied/i.test(reason))
    return {
      kind: 'permission',
      message: `${path}: permission denied: add the user to the dialout group or install the udev rule`,
    };
  if (code === 'EBUSY' || /cannot lock port|resource busy|resource temporarily unavailable/i.test(reason))
    return {
      kind: 'busy',
      message: `${path} is in use by another program (another offcirc, a terminal program or ModemManager): close it`,
    };
  if (/inappropriate ioctl|is a directory|not a typewriter/i.test(reason))
    return {
      kind: 'not-serial',
      message: `${path} is not a serial port (${reason}): check "path" in the config`,
    };
  return { kind: 'other', message: `${path} can't be opened: ${reason}` };
}

/** Why the list of serial ports (needed for "match") couldn't be read. */
export function describeListError(error: unknown): OpenProblem {
  const reason = messageOf(error);
  const path = typeof error === 'object' && error !== null && 'path' in error ? String(error.path) : '';
  if (/udevadm/.test(`${reason} ${path}`) && (codeOf(error) === 'ENOENT' || /ENOENT/.test(reason)))
    return {
      kind: 'udev',
      message:
        'can\'t list serial ports to find the scanner by USB ID: udevadm is missing: install udev (apt-get install --no-install-recommends udev) or give "path" instead of "match"',
    };
  return { kind: 'other', message: `can't list serial ports to find the scanner by USB ID: ${reason}` };
}
