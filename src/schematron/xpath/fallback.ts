// The own engine's one declared way out at run time: a document it knowingly cannot decide as SaxonJS would.

/**
 * Thrown while the own engine runs a document when it meets something its subset leaves to SaxonJS
 * (a dynamic error, whose SaxonJS message is the finding; a value or text it does not model). The
 * caller then runs SaxonJS on that document. Any other error thrown by the engine is a defect.
 */
export class FallbackToSaxon extends Error {
  /** Why SaxonJS takes the document, for logs and `--verbose`. */
  get reason(): string {
    return `${this.constructor.name}: ${this.message}`;
  }
}
