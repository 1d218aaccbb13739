// Danish and English labels for the pages, and which language a request wants (?lang=, a cookie, Accept-Language).
import type { FastifyRequest } from 'fastify';
import { parseCookies } from './auth.js';
import type { Lang } from './render-certification.js';

export type { Lang };
export const LANG_COOKIE = 'kih_lang';

const T = {
  appName: { da: 'KIH-certificering', en: 'KIH certification' },
  skip: { da: 'Spring til indhold', en: 'Skip to content' },
  login: { da: 'Log ind', en: 'Log in' },
  logout: { da: 'Log ud', en: 'Log out' },
  apiKey: { da: 'API-nøgle', en: 'API key' },
  loginHelp: {
    da: 'Brug den API-nøgle, MedCom har givet jer. Nøglen gemmes ikke i browseren; en session varer 12 timer.',
    en: 'Use the API key MedCom gave you. The key is not kept in the browser; a session lasts 12 hours.',
  },
  badKey: { da: 'Nøglen er ukendt eller spærret.', en: 'The key is unknown or revoked.' },
  uploads: { da: 'Uploads', en: 'Uploads' },
  upload: { da: 'Upload dokumenter', en: 'Upload documents' },
  uploadButton: { da: 'Upload', en: 'Upload' },
  dropHere: { da: 'Træk XML-filer hertil, eller vælg dem', en: 'Drop XML files here, or choose them' },
  files: { da: 'Filer', en: 'Files' },
  testCase: { da: 'Testcase', en: 'Test case' },
  anyCase: { da: '(ingen bestemt)', en: '(none in particular)' },
  step: { da: 'Trin', en: 'Step' },
  selfTest: { da: 'Selvtest (kun validering)', en: 'Self-test (validation only)' },
  formalTest: {
    da: 'Formel test (valider og indsend til KIH test)',
    en: 'Formal test (validate and submit to KIH test)',
  },
  noUploads: { da: 'Ingen uploads endnu.', en: 'No uploads yet.' },
  file: { da: 'Fil', en: 'File' },
  uploaded: { da: 'Uploadet', en: 'Uploaded' },
  state: { da: 'Status', en: 'State' },
  verdict: { da: 'Resultat', en: 'Verdict' },
  profile: { da: 'Profil', en: 'Profile' },
  submission: { da: 'Indsendelse', en: 'Submission' },
  queued: { da: 'i kø', en: 'queued' },
  validated: { da: 'valideret', en: 'validated' },
  submitting: { da: 'indsendes', en: 'submitting' },
  submitted: { da: 'indsendt', en: 'submitted' },
  done: { da: 'færdig', en: 'done' },
  valid: { da: 'gyldig', en: 'valid' },
  invalid: { da: 'ugyldig', en: 'invalid' },
  error: { da: 'fejl i værktøjet', en: 'tool error' },
  pending: { da: 'afventer', en: 'pending' },
  report: { da: 'Rapport', en: 'Report' },
  findings: { da: 'Fund', en: 'Findings' },
  noFindings: { da: 'Ingen fund: dokumentet er gyldigt.', en: 'No findings: the document is valid.' },
  rule: { da: 'Regel', en: 'Rule' },
  severity: { da: 'Alvor', en: 'Severity' },
  message: { da: 'Besked', en: 'Message' },
  location: { da: 'Placering', en: 'Location' },
  line: { da: 'linje', en: 'line' },
  notReady: {
    da: 'Dokumentet valideres; siden opdateres af sig selv.',
    en: 'The document is being validated; this page refreshes itself.',
  },
  caseChecks: { da: 'Testcases', en: 'Test cases' },
  met: { da: 'opfyldt', en: 'met' },
  notMet: { da: 'ikke opfyldt', en: 'not met' },
  downloads: { da: 'Hent rapporten', en: 'Download the report' },
  certification: { da: 'Certificering', en: 'Certification' },
  vendors: { da: 'Leverandører', en: 'Vendors' },
  vendor: { da: 'Leverandør', en: 'Vendor' },
  keys: { da: 'API-nøgler', en: 'API keys' },
  progress: { da: 'Fremdrift', en: 'Progress' },
  evidence: { da: 'Dokumentation', en: 'Evidence' },
  noEvidence: { da: 'intet dokument endnu', en: 'no document yet' },
  decision: { da: 'Beslutning', en: 'Decision' },
  decisions: { da: 'Beslutninger', en: 'Decisions' },
  comment: { da: 'Kommentar', en: 'Comment' },
  certify: { da: 'Certificér', en: 'Certify' },
  reject: { da: 'Afvis', en: 'Reject' },
  production: { da: 'Godkend til produktion', en: 'Approve for production' },
  record: { da: 'Registrér beslutning', en: 'Record decision' },
  awaiting: { da: 'Afventer MedComs beslutning', en: "Awaiting MedCom's decision" },
  printable: { da: 'Certificeringsrapport (udskrivbar)', en: 'Certification report (printable)' },
  newVendor: { da: 'Ny leverandør eller nøgle', en: 'New vendor or key' },
  newAdmin: { da: 'Ny MedCom-bruger', en: 'New MedCom user' },
  vendorId: { da: 'Leverandør-id', en: 'Vendor id' },
  name: { da: 'Navn', en: 'Name' },
  create: { da: 'Opret nøgle', en: 'Create key' },
  revoke: { da: 'Spær', en: 'Revoke' },
  revoked: { da: 'spærret', en: 'revoked' },
  active: { da: 'aktiv', en: 'active' },
  keyOnce: {
    da: 'Den nye nøgle vises kun denne ene gang. Giv den sikkert videre.',
    en: 'The new key is shown this one time only. Pass it on safely.',
  },
  owner: { da: 'Ejer', en: 'Owner' },
  role: { da: 'Rolle', en: 'Role' },
  created: { da: 'Oprettet', en: 'Created' },
  'self-test': { da: 'Selvtest', en: 'Self-test' },
  'formal-test': { da: 'Formel test', en: 'Formal test' },
  'end-to-end': { da: 'End-to-end-test', en: 'End-to-end test' },
  submittedTo: { da: 'indsendt til', en: 'submitted to' },
  registeredIn: { da: 'registreret i', en: 'registered in' },
  retrievedIntact: { da: 'hentet uændret', en: 'retrieved intact' },
  retrieved: { da: 'hentet', en: 'retrieved' },
  registeredAs: { da: 'registreret', en: 'registered' },
  field: { da: 'Felt', en: 'Field' },
  registry: { da: 'Registret', en: 'Registry' },
  ours: { da: 'Vores', en: 'Ours' },
  e2eNotSubmitted: { da: 'ikke indsendt', en: 'not submitted' },
  e2eNotChecked: { da: 'endnu ikke kontrolleret i registret', en: 'not yet checked in the registry' },
  e2eNotRegistered: { da: 'ikke registreret', en: 'not registered' },
  e2eMetadataMismatch: { da: 'metadata afviger', en: 'metadata differs' },
  e2eContentMismatch: { da: 'indholdet afviger', en: 'content differs' },
  e2eCheckFailed: { da: 'kontrollen fejlede', en: 'check failed' },
  certified: { da: 'Certificeret', en: 'Certified' },
  cases: { da: 'testcases', en: 'test cases' },
  back: { da: 'Tilbage', en: 'Back' },
  notFound: { da: 'Ikke fundet', en: 'Not found' },
  language: { da: 'English', en: 'Dansk' },
  monitoring: { da: 'Overvågning', en: 'Monitoring' },
} as const;

export type LabelKey = keyof typeof T;

export function t(key: LabelKey, lang: Lang): string {
  return T[key][lang];
}

/** A label for a value that may or may not have one (states, steps). */
export function tv(key: string, lang: Lang): string {
  return key in T ? T[key as LabelKey][lang] : key;
}

export function langOf(request: FastifyRequest): Lang {
  const q = (request.query as { lang?: unknown } | undefined)?.lang;
  if (q === 'da' || q === 'en') {
    return q;
  }
  const c = parseCookies(request.headers.cookie)[LANG_COOKIE];
  if (c === 'da' || c === 'en') {
    return c;
  }
  const accept = (request.headers['accept-language'] ?? '').toLowerCase();
  const da = accept.search(/\b(da|nb|nn|no)\b/);
  const en = accept.search(/\ben\b/);
  return en >= 0 && (da < 0 || en < da) ? 'en' : 'da';
}
