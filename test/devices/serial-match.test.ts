import { describe, it, expect } from 'vitest';
import {
  describeMatch,
  findPorts,
  parseUsbId,
  portMatches,
  type PortInfo,
} from '../../src/devices/serial-match.js';
import { describeListError, describeOpenError } from '../../src/devices/serial-errors.js';
import { portInfo } from '../helpers/ports.js';

const port = (path: string, vendorId?: string, productId?: string, serialNumber?: string): PortInfo =>
  portInfo({ path, vendorId, productId, serialNumber });

describe('USB IDs', () => {
  it('reads config numbers and hex strings with or without 0x, in any case', () => {
    expect(parseUsbId(3118)).toBe(0x0c2e);
    expect(parseUsbId('0x0c2e')).toBe(0x0c2e);
    expect(parseUsbId('0X0C2E')).toBe(0x0c2e);
    expect(parseUsbId('0c2e')).toBe(0x0c2e);
    expect(parseUsbId('C2E')).toBe(0x0c2e);
  });

  it('refuses what is not a USB ID instead of matching it to something', () => {
    for (const bad of [undefined, '', '0x', 'zz', '0x12345', '-1', 1.5, -1, 0x10000, 'x0c2e'])
      expect(parseUsbId(bad as string | number | undefined)).toBeUndefined();
  });

  it('shows a match the way lsusb does', () => {
    expect(describeMatch({ vendorId: 3118, productId: '0x0B61' })).toBe('0c2e:0b61');
    expect(describeMatch({ vendorId: '0x5e0', productId: 0x1200, serialNumber: 'A1' })).toBe(
      '05e0:1200 serial A1',
    );
  });
});

describe('finding the matched port', () => {
  const ports = [
    port('/dev/ttyS0'),
    port('/dev/ttyACM1', '0C2E', '0B61', 'S2'),
    port('/dev/ttyACM0', '0c2e', '0b61', 'S1'),
    port('/dev/ttyUSB0', '0c2e', '0b62', 'S1'),
    port('/dev/ttyUSB1', '05e0', '0b61', 'S1'),
  ];

  it('compares IDs as numbers, whatever the case of the hex', () => {
    expect(portMatches(ports[1] as PortInfo, { vendorId: '0x0c2e', productId: 2913 })).toBe(true);
    expect(portMatches(ports[0] as PortInfo, { vendorId: '0x0c2e', productId: 2913 })).toBe(false);
  });

  it('narrows to the serial number when one is given', () => {
    expect(
      findPorts(ports, { vendorId: '0x0c2e', productId: '0x0b61', serialNumber: 'S2' }).map((p) => p.path),
    ).toEqual(['/dev/ttyACM1']);
    expect(findPorts(ports, { vendorId: '0x0c2e', productId: '0x0b61', serialNumber: 's2' })).toEqual([]);
  });

  it('lists look-alikes by path, so the same one is chosen each time', () => {
    expect(findPorts(ports, { vendorId: 3118, productId: 2913 }).map((p) => p.path)).toEqual([
      '/dev/ttyACM0',
      '/dev/ttyACM1',
    ]);
  });

  it('finds nothing in an empty list or among ports without USB IDs', () => {
    expect(findPorts([], { vendorId: 1, productId: 2 })).toEqual([]);
    expect(findPorts([port('/dev/ttyS0'), port('/dev/ttyS1')], { vendorId: 0, productId: 0 })).toEqual([]);
  });
});

describe('why a port cannot be opened', () => {
  // The messages are serialport 13's own, as seen on this machine.
  const serialport = (text: string) => new Error(text);

  it('missing: check the cable or the path', () => {
    expect(
      describeOpenError(
        serialport('Error: No such file or directory, cannot open /dev/ttyACM0'),
        '/dev/ttyACM0',
      ),
    ).toEqual({
      kind: 'missing',
      message: '/dev/ttyACM0 not found: plug the scanner in, or check "path" in the config',
    });
  });

  it('permission: the dialout group or the udev rule', () => {
    expect(
      describeOpenError(serialport('Error: Permission denied, cannot open /dev/ttyACM0'), '/dev/ttyACM0'),
    ).toEqual({
      kind: 'permission',
      message: '/dev/ttyACM0: permission denied: add the user to the dialout group or install the udev rule',
    });
  });

  it('held by another program', () => {
    expect(
      describeOpenError(serialport('Error Resource temporarily unavailable Cannot lock port'), '/dev/ttyACM0')
        .kind,
    ).toBe('busy');
  });

  it('a file that is no serial port', () => {
    expect(
      describeOpenError(
        serialport('Error: Inappropriate ioctl for device setting custom baud rate of 9600'),
        '/etc/passwd',
      ),
    ).toEqual({
      kind: 'not-serial',
      message:
        '/etc/passwd is not a serial port (Inappropriate ioctl for device setting custom baud rate of 9600): check "path" in the config',
    });
  });

  it('anything else, in its own words, and non-Error throws too', () => {
    expect(
      describeOpenError(serialport('Error: Input/output error, cannot open /dev/ttyACM0'), '/dev/ttyACM0'),
    ).toEqual({
      kind: 'other',
      message: "/dev/ttyACM0 can't be opened: Input/output error, cannot open /dev/ttyACM0",
    });
    expect(describeOpenError('weird', '/dev/x').message).toBe("/dev/x can't be opened: weird");
    expect(describeOpenError(Object.assign(new Error('x'), { code: 'EACCES' }), '/dev/x').kind).toBe(
      'permission',
    );
  });

  it('a port list without udevadm says to install udev; other list failures say what happened', () => {
    const spawnError = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT', path: 'udevadm' });
    expect(describeListError(spawnError)).toMatchObject({ kind: 'udev' });
    expect(describeListError(spawnError).message).toContain('install udev');
    expect(describeListError(new Error('Error listing ports udevadm exited with error code: 1'))).toEqual({
      kind: 'other',
      message:
        "can't list serial ports to find the scanner by USB ID: Error listing ports udevadm exited with error code: 1",
    });
  });
});
