/** Named units so no bare number crosses a boundary without saying what it measures. */
export type Bytes = number;
/** Milliseconds since the Unix epoch (may be fractional). */
export type EpochMs = number;
export type Millis = number;
export type Micros = number;
/** Ratio in 0..1 or a percentage in 0..100, as the field name says. */
export type Percent = number;
