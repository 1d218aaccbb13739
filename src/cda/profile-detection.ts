// Detects the DK profile of a parsed CDA document from its templateIds and the MedCom version-marker serviceEvent.
import type { XmlDocument } from 'libxml2-wasm';
import type { ProfileId, ValidationIssue } from '../core/report.js';
import { CDA_NAMESPACES, NS } from '../core/namespaces.js';

export const TEMPLATE = {
  phmrDk: '1.2.208.184.11.1',
  qfddDk: '1.2.208.184.12.1',
  qfddDkHeader: '1.2.208.184.12.1.1.1',
  qrdDk: '1.2.208.184.13.1',
  qrdDkHeader: '1.2.208.184.13.1.1.1',
  versionMarker: '1.2.208.184.10.1.10',
} as const;

/** Root of the version-marker id (`extension` = `phmr-v2.1`, `qrd-v1.3`, …). */
export const VERSION_MARKER_ID_ROOT = '1.2.208.184.100.10';

export interface ProfileDetection {
  readonly profile: ProfileId | null;
  /** What the decision rests on, for the report (e.g. "templateId 1.2.208.184.11.1, marker phmr-v2.1"). */
  readonly evidence: string;
  readonly issues: readonly ValidationIssue[];
}

function fail(ruleId: 'CDA_ERR_NOT_CDA' | 'CDA_ERR_UNKNOWN_PROFILE', message: string, line?: number): ProfileDetection {
  return {
    profile: null,
    evidence: 'none',
    issues: [{ ruleId, severity: 'error', stage: 'profile', message, ...(line ? { line } : {}) }],
  };
}

function versionMarkers(doc: XmlDocument): string[] {
  const nodes = doc.find(
    `/cda:ClinicalDocument/cda:documentationOf/cda:serviceEvent[cda:templateId/@root='${TEMPLATE.versionMarker}']` +
      `/cda:id[@root='${VERSION_MARKER_ID_ROOT}']/@extension`,
    CDA_NAMESPACES
  );
  return nodes.map((n) => n.content.trim());
}

/**
 * PHMR: DK template, then marker `phmr-v2.1` → 2.1, no marker or `phmr-v1.3` → 1.3 (1.3 has no
 * mandatory marker). QRD: DK template, marker absent or `qrd-v1.3` → 1.3 (a missing marker is a
 * profile-rule finding, not a reason to give up). QFDD 1.2 has no marker. Any other marker of the
 * profile names a version the tool does not support.
 */
export function detectProfile(doc: XmlDocument): ProfileDetection {
  const root = doc.root;
  if (root.name !== 'ClinicalDocument' || root.namespaceUri !== NS.cda) {
    const qname = root.namespaceUri ? `{${root.namespaceUri}}${root.name}` : root.name;
    return fail(
      'CDA_ERR_NOT_CDA',
      `The root element is ${qname}; a CDA document has {${NS.cda}}ClinicalDocument.`,
      root.line
    );
  }
  const templates = new Set(
    doc.find('/cda:ClinicalDocument/cda:templateId/@root', CDA_NAMESPACES).map((n) => n.content.trim())
  );
  const markers = versionMarkers(doc);
  const pick = (
    family: 'phmr' | 'qrd' | 'qfdd',
    template: string,
    supported: Record<string, ProfileId>,
    fallback: ProfileId | null
  ): ProfileDetection => {
    const own = markers.filter((m) => m.startsWith(`${family}-v`));
    const marker = own[0];
    if (marker === undefined) {
      if (fallback) {
        return { profile: fallback, evidence: `templateId ${template}, no version marker`, issues: [] };
      }
    } else if (supported[marker]) {
      return { profile: supported[marker], evidence: `templateId ${template}, version marker ${marker}`, issues: [] };
    }
    return fail(
      'CDA_ERR_UNKNOWN_PROFILE',
      `The document is ${family.toUpperCase()} (templateId ${template}) but its version marker "${marker ?? ''}" names a version this tool does not support (${Object.keys(supported).join(', ')}).`
    );
  };
  if (templates.has(TEMPLATE.phmrDk)) {
    return pick('phmr', TEMPLATE.phmrDk, { 'phmr-v1.3': 'dk-phmr-1.3', 'phmr-v2.1': 'dk-phmr-2.1' }, 'dk-phmr-1.3');
  }
  if (templates.has(TEMPLATE.qrdDk) || templates.has(TEMPLATE.qrdDkHeader)) {
    const t = templates.has(TEMPLATE.qrdDk) ? TEMPLATE.qrdDk : TEMPLATE.qrdDkHeader;
    return pick('qrd', t, { 'qrd-v1.3': 'dk-qrd-1.3' }, 'dk-qrd-1.3');
  }
  if (templates.has(TEMPLATE.qfddDk) || templates.has(TEMPLATE.qfddDkHeader)) {
    const t = templates.has(TEMPLATE.qfddDk) ? TEMPLATE.qfddDk : TEMPLATE.qfddDkHeader;
    return pick('qfdd', t, { 'qfdd-v1.2': 'dk-qfdd-1.2' }, 'dk-qfdd-1.2');
  }
  const seen = [...templates].join(', ') || 'none';
  return fail(
    'CDA_ERR_UNKNOWN_PROFILE',
    `No DK document templateId (PHMR ${TEMPLATE.phmrDk}, QRD ${TEMPLATE.qrdDk}, QFDD ${TEMPLATE.qfddDk}) on ClinicalDocument; templateIds found: ${seen}. Use --profile to validate against a profile anyway.`
  );
}
