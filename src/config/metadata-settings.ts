// Metadata values the CDA header cannot give: per vendor and target settings, their documented defaults, and which were used.
/** A coded value; `codeSystem` is the coding scheme (an OID, or a URN where the profile says so). */
export interface CodedValue {
  readonly code: string;
  readonly codeSystem: string;
  readonly displayName: string;
}

/** SNOMED CT's OID, the code system of the two DK value sets below. */
const SNOMED_CT = '2.16.840.1.113883.6.96';

/** `versioned`: `urn:ad:dk:medcom:phmr-v2.1:full` etc. (current code system); `legacy`: `urn:ad:dk:medcom:phmr:full` (older KIH tools). */
export type FormatCodeStyle = 'versioned' | 'legacy';

export interface MetadataSettings {
  /** DocumentEntry.healthcareFacilityTypeCode (SNOMED CT, DK value set). */
  readonly healthcareFacilityTypeCode: CodedValue;
  /** DocumentEntry.practiceSettingCode (SNOMED CT, DK value set). */
  readonly practiceSettingCode: CodedValue;
  /** SubmissionSet.sourceId: the OID of the sending system. */
  readonly sourceId: string;
  /** SubmissionSet.contentTypeCode; absent: the document's typeCode (the DK profile does not use it, IHE requires one). */
  readonly contentTypeCode?: CodedValue;
  /** homeCommunityId OID (sent as `urn:oid:…` in the `home` attribute); absent: no `home` attribute. */
  readonly homeCommunityId?: string;
  readonly formatCodeStyle: FormatCodeStyle;
  /**
   * Event codes added to DocumentEntry.eventCodeList. QRD documents carry none in their header, so
   * the sender supplies them (e.g. an SKS `ALAL..` code); for PHMR they are added to the header's.
   */
  readonly eventCodes: readonly CodedValue[];
  /**
   * patientId for QFDD documents, whose header names no patient. Absent: a QFDD gets a finding
   * instead of a request. Never used for PHMR or QRD, where a missing CPR number is a defect.
   */
  readonly patientlessPatientId?: { readonly id: string; readonly assigningAuthority: string };
  /** SubmissionSet title; absent: none. */
  readonly submissionSetTitle?: string;
}

/**
 * The tool's own placeholder source OID (`2.25` + a fixed UUID). It identifies submissions made
 * with unconfigured settings; a vendor replaces it with its system's OID.
 */
export const PLACEHOLDER_SOURCE_ID = '2.25.224242301816898795669386108092429571231';

/** Defaults, documented in docs/xds-metadata.md; KIH's own tools used the two codes for home monitoring. */
export const DEFAULT_METADATA_SETTINGS: MetadataSettings = {
  healthcareFacilityTypeCode: {
    code: '550621000005101',
    codeSystem: SNOMED_CT,
    displayName: 'hjemmesygeplejeenhed',
  },
  practiceSettingCode: { code: '408443003', codeSystem: SNOMED_CT, displayName: 'almen medicin' },
  sourceId: PLACEHOLDER_SOURCE_ID,
  formatCodeStyle: 'versioned',
  eventCodes: [],
};

export type SettingName = keyof MetadataSettings;

/** Settings a person should choose for a real KIH environment; the tool's default for them is a stand-in. */
export const SETTINGS_TO_CHOOSE: readonly SettingName[] = [
  'healthcareFacilityTypeCode',
  'practiceSettingCode',
  'sourceId',
];

export interface ResolvedSettings {
  readonly settings: MetadataSettings;
  /** Settings that came from DEFAULT_METADATA_SETTINGS rather than from the caller. */
  readonly defaultsUsed: readonly SettingName[];
}

/** Layers settings (later wins) over the defaults and records which values are still the defaults. */
export function resolveSettings(...layers: readonly Partial<MetadataSettings>[]): ResolvedSettings {
  const merged: Record<string, unknown> = { ...DEFAULT_METADATA_SETTINGS };
  const given = new Set<string>();
  for (const layer of layers) {
    // Typed as unknown: a layer built from JSON or spread objects may still hold undefined values.
    for (const [key, value] of Object.entries(layer as Record<string, unknown>)) {
      if (value !== undefined) {
        merged[key] = value;
        given.add(key);
      }
    }
  }
  const defaultsUsed = (Object.keys(DEFAULT_METADATA_SETTINGS) as SettingName[]).filter((k) => !given.has(k));
  return { settings: merged as unknown as MetadataSettings, defaultsUsed };
}
