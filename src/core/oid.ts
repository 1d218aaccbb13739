// ISO object identifiers (OIDs) as HL7 and XDS write them.

/** ISO OID: arcs without leading zeros, first arc 0–2, at most 64 characters (ITI TF-3 4.2.3.1.7). */
export function isOid(value: string): boolean {
  return value.length <= 64 && /^[0-2](\.(0|[1-9]\d*))+$/.test(value);
}
