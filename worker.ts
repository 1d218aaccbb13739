// Service-mode entry point (BullMQ workers for validate → submit → record); filled by the service-mode issue.
process.stderr.write('worker.ts: service mode is not implemented yet; use `kih validate` for local validation.\n');
process.exitCode = 2;

export {};
