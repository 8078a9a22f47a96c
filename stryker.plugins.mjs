// @ts-check
/**
 * `message-text`: ignores mutants that can only change human-readable words, which the tests on
 * purpose do not pin (they assert decisions, outcomes and codes): the `message` and `fix` of a
 * finding or a next action, a plan's `notes`, and what a thrown error says (the arguments of
 * `new …Error(…)`).
 * Codes, statuses, kinds and anything a caller branches on are still mutated.
 */
const TEXT_PROPERTIES = new Set(['message', 'fix']);

/** @param {any} node a Babel AST node */
function textOnly(node) {
  if ((node.type === 'ObjectProperty' || node.type === 'Property') && !node.computed) {
    const key = node.key.type === 'Identifier' ? node.key.name : node.key.type === 'StringLiteral' ? node.key.value : undefined;
    if (key !== undefined && TEXT_PROPERTIES.has(key)) return `the ${key} is text for people, not a decision`;
  }
  if (
    node.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    node.callee.object.type === 'Identifier' &&
    node.callee.object.name === 'notes' &&
    node.callee.property.type === 'Identifier' &&
    node.callee.property.name === 'push'
  ) {
    return 'a note is text for people; that there is one is tested';
  }
  if (node.type === 'NewExpression' && node.callee.type === 'Identifier' && /Error$/.test(node.callee.name)) {
    return 'what an error says is text for people; that it is thrown is tested';
  }
  return undefined;
}

// What declareValuePlugin(PluginKind.Ignore, …) of @stryker-mutator/api returns, spelled out.
export const strykerPlugins = [{ kind: 'Ignore', name: 'message-text', value: { shouldIgnore: (/** @type {any} */ path) => textOnly(path.node) } }];
