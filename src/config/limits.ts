// Size limits shared by every entry point that reads a document (CLI, API, workers).

/** Bytes per document unless a setting says otherwise (`--max-size`, KIH_MAX_UPLOAD_BYTES). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;
