/**
 * What OffCirc.dat can hold, which the barcode rules must respect: the item barcode has an 80-character
 * field (FORMATS.md §1). A longer one can't be written, so it is refused at scan time, never cut. One
 * copy, for the classifier and the line format; no dependencies.
 */
export const ITEM_FIELD = 80;
