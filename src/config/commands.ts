/**
 * What staff can ask the kiosk to do, by command barcode (config `commands`) and by function key (config
 * `keys`): the one list, for the config, the barcode rules, the kiosk and the screen. No dependencies.
 */
export const KIOSK_COMMANDS = ['loan', 'return', 'endSession'] as const;
export type KioskCommand = (typeof KIOSK_COMMANDS)[number];
