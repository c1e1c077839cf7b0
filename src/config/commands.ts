/**
 * What staff and patrons can ask the kiosk to do: the one list, for the config, the barcode rules, the
 * kiosk and the screen. No dependencies.
 */

/** What a command barcode can ask (config `commands`); keys (config `keys`) ask the same. */
export const BARCODE_COMMANDS = ['loan', 'return', 'endSession'] as const;
export type BarcodeCommand = (typeof BARCODE_COMMANDS)[number];

/** What the kiosk can be asked: the barcode commands, and admitting a refused card (a key and the PIN). */
export type KioskCommand = BarcodeCommand | 'admit';
