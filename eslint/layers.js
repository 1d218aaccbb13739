// ESLint rule that keeps the source folders layered: a module imports only from its own folder or a lower layer.
import path from 'node:path';

/**
 * Bottom to top. A folder may import from any folder in an earlier row, never from its own row's
 * neighbours or a later row; docs/architecture.md draws the same picture.
 */
export const LAYERS = [
  ['core'],
  ['config'],
  ['xml'],
  ['cda'],
  ['schematron', 'rules'],
  ['validation'],
  ['xds'],
  ['security'],
  ['submission'],
  ['simulator'],
  ['certification', 'regression'],
  ['store'],
  ['queue'],
  ['http'],
  ['cli'],
];

const RANK = new Map(LAYERS.flatMap((row, rank) => row.map((folder) => [folder, rank])));

/** `src/<folder>/…` → folder, or undefined for a file outside `src/`. */
function folderOf(file, srcDir) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return undefined;
  }
  const [first, ...rest] = rel.split(path.sep);
  return rest.length > 0 ? first : '(src)';
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports point down the layers of docs/architecture.md' },
    schema: [],
    messages: {
      upward:
        'src/{{from}} (layer {{fromRank}}) may not import src/{{to}} (layer {{toRank}}): imports point down the layers (eslint/layers.js).',
      sideways:
        'src/{{from}} and src/{{to}} share layer {{fromRank}} and may not import each other (eslint/layers.js).',
      unknown: 'src/{{folder}} is not in a layer: add it to LAYERS in eslint/layers.js.',
    },
  },
  create(context) {
    const srcDir = path.join(context.cwd, 'src');
    const from = folderOf(context.filename, srcDir);
    if (from === undefined) {
      return {};
    }
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) {
        return;
      }
      const to = folderOf(path.resolve(path.dirname(context.filename), source), srcDir);
      if (to === undefined || to === from) {
        return;
      }
      for (const folder of [from, to]) {
        if (!RANK.has(folder)) {
          context.report({ node, messageId: 'unknown', data: { folder } });
          return;
        }
      }
      const fromRank = RANK.get(from);
      const toRank = RANK.get(to);
      if (toRank > fromRank) {
        context.report({ node, messageId: 'upward', data: { from, to, fromRank, toRank } });
      } else if (toRank === fromRank) {
        context.report({ node, messageId: 'sideways', data: { from, to, fromRank } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
