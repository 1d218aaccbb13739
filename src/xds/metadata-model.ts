// The XDS metadata of one submission as plain data, with the field names of the IHE/DK metadata profile.

import type { CodedValue } from '../config/metadata-settings.js';

export type { CodedValue };

export interface DocumentEntry {
  /** The registry object id inside the request (`urn:uuid:…`, made anew per request). */
  readonly entryUUID: string;
  /** `root^extension` (DK) or the root alone, from `ClinicalDocument/id`. */
  readonly uniqueId: string;
  /** CX: `CPR^^^&1.2.208.176.1.2&ISO`. */
  readonly patientId: string;
  readonly sourcePatientId: string;
  /** `PID-5|Family^Given^^^`, `PID-7|YYYYMMDD`, `PID-8|M|F|U`. */
  readonly sourcePatientInfo: readonly string[];
  readonly typeCode: CodedValue;
  readonly classCode: CodedValue;
  readonly formatCode: CodedValue;
  readonly confidentialityCode: readonly CodedValue[];
  readonly healthcareFacilityTypeCode: CodedValue;
  readonly practiceSettingCode: CodedValue;
  readonly eventCodeList: readonly CodedValue[];
  readonly languageCode: string;
  /** DTM in UTC, `YYYYMMDDhhmmss`. */
  readonly creationTime: string;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
  readonly title: string;
  /** XON values: `Name^^^^^&1.2.208.176.1.1&ISO^^^^SOR`. */
  readonly authorInstitution: readonly string[];
  /** XCN: `^Family^Given^Middle` (no id, so no assigning authority). */
  readonly authorPerson?: string;
  readonly legalAuthenticator?: string;
  readonly mimeType: string;
  readonly objectType: string;
  readonly availabilityStatus: string;
  /** SHA-1 of the exact document bytes, lower-case hex. */
  readonly hash: string;
  readonly size: number;
  /** `urn:oid:…` when the target names a home community. */
  readonly homeCommunityId?: string;
}

export interface SubmissionSet {
  readonly entryUUID: string;
  /** An OID, unique per submission. */
  readonly uniqueId: string;
  /** The sending system's OID. */
  readonly sourceId: string;
  readonly patientId: string;
  /** DTM in UTC, `YYYYMMDDhhmmss`. */
  readonly submissionTime: string;
  readonly contentTypeCode: CodedValue;
  readonly title?: string;
  readonly authorInstitution: readonly string[];
  readonly authorPerson?: string;
  readonly homeCommunityId?: string;
}

/** One ITI-41 submission: a SubmissionSet and its DocumentEntries (the tool sends one document per request). */
export interface SubmissionMetadata {
  readonly submissionSet: SubmissionSet;
  readonly documentEntries: readonly DocumentEntry[];
}
