// The certification workflow over the records: progress per vendor and protocol, MedCom's decisions, the certification report.
import { KihError } from '../core/kih-error.js';
import type { Database, Transaction } from './database.js';
import { getVendor } from './access.js';
import type { VendorInfo } from './access.js';
import { caseEvidence, evidenceDetail, listDecisions, recordDecision } from './certification-records.js';
import type { EvidenceDetail } from './certification-records.js';
import { checkDecision, computeProgress } from '../certification/progress.js';
import type {
  Decision,
  DecisionKind,
  EndToEndGap,
  Evidence,
  Progress,
  Verification,
} from '../certification/progress.js';
import type { Protocol, TestCase } from '../certification/protocol.js';

type Queryable = Pick<Transaction, 'query'>;

export interface CertificationReport {
  readonly vendor: VendorInfo;
  readonly protocol: {
    readonly id: string;
    readonly version: string;
    readonly standard: string;
    readonly title: Protocol['title'];
  };
  readonly formalTarget: string;
  readonly generatedAt: string;
  readonly step: Progress['step'];
  readonly awaitingDecision: boolean;
  readonly endToEndRequired: boolean;
  readonly decisions: readonly Decision[];
  readonly cases: readonly {
    readonly testCase: TestCase;
    readonly selfTest: (Evidence & { readonly detail: EvidenceDetail | null }) | null;
    readonly formalTest: (Evidence & { readonly detail: EvidenceDetail | null }) | null;
    /** The formal-test document found registered and intact (it carries its verification). */
    readonly endToEnd: Evidence | null;
    readonly endToEndGap: EndToEndGap | null;
  }[];
}

/** The verification as a decision records it: enough to find the row and to read what was found. */
function verificationEvidence(v: Verification | null): Record<string, unknown> | null {
  return (
    v && {
      target: v.target,
      uniqueId: v.uniqueId,
      outcome: v.outcome,
      at: v.at,
      mismatches: v.mismatches,
      content: v.content,
    }
  );
}

export interface Certification {
  readonly protocols: ReadonlyMap<string, Protocol>;
  readonly formalTarget: string;
  protocol(id: string): Protocol;
  progress(db: Queryable, vendorId: string, protocolId: string): Promise<Progress>;
  decide(
    db: Database,
    vendorId: string,
    protocolId: string,
    kind: DecisionKind,
    comment: string,
    actor: string
  ): Promise<Decision>;
  report(db: Queryable, vendorId: string, protocolId: string, now?: Date): Promise<CertificationReport>;
}

export function createCertification(protocols: ReadonlyMap<string, Protocol>, formalTarget: string): Certification {
  const protocol = (id: string): Protocol => {
    const p = protocols.get(id);
    if (!p) {
      throw new KihError('API_ERR_NOT_FOUND', `No protocol ${id}.`);
    }
    return p;
  };
  const progress = async (db: Queryable, vendorId: string, protocolId: string): Promise<Progress> => {
    const p = protocol(protocolId);
    const [evidence, decisions] = await Promise.all([
      caseEvidence(db, vendorId, p.id, p.version),
      listDecisions(db, vendorId, p.id),
    ]);
    return computeProgress(p, vendorId, evidence, decisions, formalTarget);
  };
  return {
    protocols,
    formalTarget,
    protocol,
    progress,
    async decide(db, vendorId, protocolId, kind, comment, actor): Promise<Decision> {
      if (!(await getVendor(db, vendorId))) {
        throw new KihError('API_ERR_NOT_FOUND', `No vendor ${vendorId}.`);
      }
      return recordDecision(
        db,
        vendorId,
        protocolId,
        async (tx) => {
          const now = await progress(tx, vendorId, protocolId);
          checkDecision(now, kind, comment);
          return {
            vendorId,
            protocolId,
            protocolVersion: now.protocol.version,
            decision: kind,
            comment: comment.trim(),
            // What the decision was based on, as it stood: the evidence may change later, the record must not.
            evidence: now.cases.map((c) => ({
              caseId: c.testCase.id,
              selfTest: c.selfTest && { runId: c.selfTest.runId, seq: c.selfTest.seq, sha256: c.selfTest.sha256 },
              formalTest: c.formalTest && {
                runId: c.formalTest.runId,
                seq: c.formalTest.seq,
                sha256: c.formalTest.sha256,
                verification: verificationEvidence(c.formalTest.verification),
              },
              endToEnd: c.endToEnd && {
                runId: c.endToEnd.runId,
                seq: c.endToEnd.seq,
                sha256: c.endToEnd.sha256,
                verification: verificationEvidence(c.endToEnd.verification),
              },
            })),
          };
        },
        actor
      );
    },
    async report(db, vendorId, protocolId, now = new Date()): Promise<CertificationReport> {
      const vendor = await getVendor(db, vendorId);
      if (!vendor) {
        throw new KihError('API_ERR_NOT_FOUND', `No vendor ${vendorId}.`);
      }
      const p = await progress(db, vendorId, protocolId);
      type Detailed = (Evidence & { readonly detail: EvidenceDetail | null }) | null;
      const withDetail = async (e: Evidence | null): Promise<Detailed> =>
        e === null ? null : { ...e, detail: (await evidenceDetail(db, vendorId, e.runId, e.seq)) ?? null };
      const cases = [];
      for (const c of p.cases) {
        cases.push({
          testCase: c.testCase,
          selfTest: await withDetail(c.selfTest),
          formalTest: await withDetail(c.formalTest),
          endToEnd: c.endToEnd,
          endToEndGap: c.endToEndGap,
        });
      }
      return {
        vendor,
        protocol: {
          id: p.protocol.id,
          version: p.protocol.version,
          standard: p.protocol.standard,
          title: p.protocol.title,
        },
        formalTarget,
        generatedAt: now.toISOString(),
        step: p.step,
        awaitingDecision: p.awaitingDecision,
        endToEndRequired: p.endToEndRequired,
        decisions: p.decisions,
        cases,
      };
    },
  };
}
