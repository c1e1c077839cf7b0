/** Serial ports as SerialPort.list() describes them, for tests that inject a port lister. */
import type { PortInfo } from '../../src/devices/serial-match.js';

/** A listed port with what is given; every other field undefined, as for a port udev knows little of. */
export const portInfo = (fields: Partial<PortInfo> & { path: string }): PortInfo => ({
  manufacturer: undefined,
  serialNumber: undefined,
  pnpId: undefined,
  locationId: undefined,
  vendorId: undefined,
  productId: undefined,
  ...fields,
});
